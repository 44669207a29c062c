import { assertFieldsMapped, comparisonOf, InvalidRequestError, missingMatches, negateOperator, parseQueryPlan } from '@gatehouse/core';
import type { Condition, ConditionValue, LeafOperator, QueryPlan } from '@gatehouse/core';
import { inArray, is, notInArray, sql } from 'drizzle-orm';
import type { SQL, SQLWrapper } from 'drizzle-orm';
import { PgColumn } from 'drizzle-orm/pg-core';

/** Where the plan's fields live: the id column and one column (or SQL expression) per schema attribute. */
export interface DrizzleMapping {
  /** The column holding the resource id (`documents.id`). */
  readonly id: SQLWrapper;
  /** Schema attribute name → column (`{ public: documents.isPublic }`). */
  readonly fields?: Readonly<Record<string, SQLWrapper>>;
  /**
   * How id sets and `in` lists are bound: `'any'` binds the whole list as ONE array parameter
   * (`col = ANY($1)`, PostgreSQL and PGlite); `'list'` binds one parameter per value (`col IN ($1, $2, …)`, for
   * other dialects). Default: `'any'` when `id` is a PostgreSQL column, else `'list'`.
   */
  readonly arrays?: 'any' | 'list';
}

/**
 * A query plan (`gate.plan(...)`) as a Drizzle SQL condition over the app's table: `true` for `always`, `false`
 * for `never`, else the plan's condition on the mapped columns. Values are always bound as parameters (an id set
 * as one array parameter on PostgreSQL), never spliced into the SQL text. A missing value (`NULL`) compares as
 * the attribute type's zero value, as a check reads a missing attribute.
 * @param plan - the plan from `gate.plan()` / `req.gate.plan()`.
 * @param mapping - the id column and the columns of the attributes the plan may name.
 * @returns the condition for `.where(...)`.
 * @throws {@link InvalidRequestError} when the plan is malformed, or names an attribute `mapping.fields` does
 *   not map (never a wider filter).
 * @example
 * ```ts
 * const plan = await gate.plan('alice', 'view', 'document', { tenant: 'acme' });
 * const rows = await db.select().from(documents)
 *   .where(accessibleWhere(plan, { id: documents.id, fields: { public: documents.isPublic } }))
 *   .orderBy(documents.id).limit(50);
 * ```
 */
export function accessibleWhere(plan: QueryPlan, mapping: DrizzleMapping): SQL {
  const valid = parseQueryPlan(plan);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers
  if (typeof mapping !== 'object' || mapping?.id === undefined) {
    throw InvalidRequestError.badValue('mapping', mapping, '{ id: <id column>, fields?: { <attribute>: <column> } }');
  }
  if (valid.kind === 'always') return sql`true`;
  if (valid.kind === 'never') return sql`false`;
  const fields = mapping.fields ?? {};
  assertFieldsMapped(valid.condition, (f) => Object.hasOwn(fields, f), 'a column');
  const arrays = mapping.arrays ?? (is(mapping.id, PgColumn) ? 'any' : 'list');
  return emit(valid.condition, true, { id: mapping.id, fields, arrays });
}

interface Target {
  readonly id: SQLWrapper;
  readonly fields: Readonly<Record<string, SQLWrapper>>;
  readonly arrays: 'any' | 'list';
}

/** Emits `c` (or its negation when `positive` is false) with every `not` pushed down to the comparisons. */
function emit(c: Condition, positive: boolean, t: Target): SQL {
  if ('and' in c || 'or' in c) {
    const items = 'and' in c ? c.and : c.or;
    const conjunction = ('and' in c) === positive;
    const parts = items.map((x) => emit(x, positive, t));
    return sql`(${sql.join(parts, conjunction ? sql` and ` : sql` or `)})`;
  }
  if ('not' in c) return emit(c.not, !positive, t);
  const { op, value } = comparisonOf(c);
  const leaf: LeafOperator = positive ? op : negateOperator(op);
  if (c.field === 'id') return comparison(t.id, leaf, value, t.arrays);
  const column = t.fields[c.field];
  if (column === undefined) throw InvalidRequestError.badValue('mapping.fields', c.field, 'a column for this attribute');
  const base = comparison(column, leaf, value, t.arrays);
  return missingMatches(leaf, value) ? sql`(${base} or ${column} is null)` : base;
}

function comparison(column: SQLWrapper, op: LeafOperator, value: ConditionValue | readonly ConditionValue[], arrays: 'any' | 'list'): SQL {
  switch (op) {
    case 'eq':
      return sql`${column} = ${sql.param(value)}`;
    case 'ne':
      return sql`${column} <> ${sql.param(value)}`;
    case 'lt':
      return sql`${column} < ${sql.param(value)}`;
    case 'le':
      return sql`${column} <= ${sql.param(value)}`;
    case 'gt':
      return sql`${column} > ${sql.param(value)}`;
    case 'ge':
      return sql`${column} >= ${sql.param(value)}`;
    case 'in':
    case 'notIn': {
      const list = value as readonly ConditionValue[];
      if (list.length === 0) return op === 'in' ? sql`false` : sql`true`;
      if (arrays === 'list') return op === 'in' ? inArray(column, [...list]) : notInArray(column, [...list]);
      const any = sql`${column} = any(${sql.param(list)})`;
      return op === 'in' ? any : sql`not (${any})`;
    }
    case 'contains':
    case 'notContains': {
      if (arrays === 'list') throw InvalidRequestError.badValue('plan', 'contains', 'a PostgreSQL array column for a list attribute (arrays: "any")');
      const has = sql`${sql.param(value)} = any(${column})`;
      return op === 'contains' ? has : sql`not (${has})`;
    }
  }
}
