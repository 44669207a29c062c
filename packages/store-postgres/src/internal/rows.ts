import { InvalidRequestError } from '@gatehouse/core';
import type { Attribute, AttributeValue, Tuple } from '@gatehouse/core';
import type { AttributeFilter, TupleFilter } from '@gatehouse/engine';
import { parseSnapToken } from '@gatehouse/engine/internal';

/** A `relation_tuples` row as selected by {@link TUPLE_COLUMNS}. @internal */
export interface TupleRow {
  readonly id: string;
  readonly entity_type: string;
  readonly entity_id: string;
  readonly relation: string;
  readonly subject_type: string;
  readonly subject_id: string;
  readonly subject_relation: string;
  readonly created_tx_id: string;
  readonly expired_tx_id: string;
}

/** An `attributes` row as selected by {@link ATTRIBUTE_COLUMNS}. @internal */
export interface AttributeRow {
  readonly id: string;
  readonly entity_type: string;
  readonly entity_id: string;
  readonly attribute: string;
  readonly value: AttributeValue;
  readonly value_type: string;
  readonly created_tx_id: string;
  readonly expired_tx_id: string;
}

/** Selected columns. `id` comes back as text (a bigint), so ORDER BY must name `<table>.id`, not the alias. */
export const TUPLE_COLUMNS =
  'id::text, entity_type, entity_id, relation, subject_type, subject_id, subject_relation, created_tx_id::text, expired_tx_id::text';
export const ATTRIBUTE_COLUMNS =
  'id::text, entity_type, entity_id, attribute, value, value_type, created_tx_id::text, expired_tx_id::text';

/** @internal */
export function tupleOf(r: TupleRow): Tuple {
  const subject = { type: r.subject_type, id: r.subject_id };
  return {
    entity: { type: r.entity_type, id: r.entity_id },
    relation: r.relation,
    subject: r.subject_relation === '' ? subject : { ...subject, relation: r.subject_relation },
  };
}

/** @internal */
export function attributeOf(r: AttributeRow): Attribute {
  return {
    entity: { type: r.entity_type, id: r.entity_id },
    attribute: r.attribute,
    value: r.value,
    valueType: r.value_type,
  };
}

/** The key of a tuple, for de-duplication in memory. @internal */
export function tupleKey(t: Tuple): string {
  return JSON.stringify([t.entity.type, t.entity.id, t.relation, t.subject.type, t.subject.id, t.subject.relation ?? '']);
}

/** The schema type of a value (`boolean`, `integer`, `double`, `string`, or an array of one). @internal */
export function inferType(v: AttributeValue): string {
  const first: unknown = Array.isArray(v) ? v[0] : v;
  const base =
    typeof first === 'boolean'
      ? 'boolean'
      : typeof first === 'string'
        ? 'string'
        : Number.isInteger(first)
          ? 'integer'
          : 'double';
  return Array.isArray(v) ? `${base}[]` : base;
}

/**
 * WHERE fragments for a filter, with parameters numbered from `next`. Empty fields are wildcards
 * (subject relation `''` included), as in Permify. @internal
 */
export function tupleFilterSql(f: TupleFilter, next: number): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    values.push(value);
    parts.push(sql.replace('?', `$${String(next + values.length - 1)}`));
  };
  if (f.entity?.type) add('entity_type = ?', f.entity.type);
  if (f.entity?.ids?.length) add('entity_id = ANY(?::text[])', f.entity.ids);
  if (f.relation) add('relation = ?', f.relation);
  if (f.subject?.type) add('subject_type = ?', f.subject.type);
  if (f.subject?.ids?.length) add('subject_id = ANY(?::text[])', f.subject.ids);
  if (f.subject?.relation) add('subject_relation = ?', f.subject.relation);
  return { sql: parts.map((p) => ` AND ${p}`).join(''), values };
}

/** Like {@link tupleFilterSql}, for attributes. @internal */
export function attributeFilterSql(f: AttributeFilter, next: number): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    values.push(value);
    parts.push(sql.replace('?', `$${String(next + values.length - 1)}`));
  };
  if (f.entity?.type) add('entity_type = ?', f.entity.type);
  if (f.entity?.ids?.length) add('entity_id = ANY(?::text[])', f.entity.ids);
  if (f.attributes?.length) add('attribute = ANY(?::text[])', f.attributes);
  return { sql: parts.map((p) => ` AND ${p}`).join(''), values };
}

/** @internal */
export function isEmptyTupleFilter(f: TupleFilter): boolean {
  return tupleFilterSql(f, 1).values.length === 0;
}

/** @internal */
export function isEmptyAttributeFilter(f: AttributeFilter): boolean {
  return attributeFilterSql(f, 1).values.length === 0;
}

/** Checks a snap token: a decimal integer string (`''`/absent means head). @internal */
export function parseToken(token: string | undefined, what = 'snap token'): string | undefined {
  return parseSnapToken(token, what) === undefined ? undefined : token;
}

/** Checks a page size (absent or 0 means 1000, as MemoryStore). @internal */
export function pageSizeOf(n: number | undefined): number {
  if (n === undefined || n === 0) return 1000;
  if (!Number.isInteger(n) || n < 1) throw InvalidRequestError.badValue('pageSize', n, 'a positive integer');
  return n;
}
