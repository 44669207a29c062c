/**
 * Conversion between Permify's REST JSON (snake_case, `Any` attribute values, defaults emitted) and the
 * engine's types. Every function that reads a request throws `InvalidRequestError` naming the field.
 */
import { InvalidRequestError, parseAttribute, parseTuple } from '@gatehouse/core';
import type { Attribute, AttributeValue, CheckContext, Subject, Tuple } from '@gatehouse/core';

/** `{type, id}` as on the wire. */
export interface WireEntity {
  type: string;
  id: string;
}
/** `{type, id, relation}`; relation `""` or `"..."` means none. */
export interface WireSubject {
  type: string;
  id: string;
  relation?: string;
}
/** A tuple as on the wire. */
export interface WireTuple {
  entity: WireEntity;
  relation: string;
  subject: WireSubject;
}
/** `{"@type":"type.googleapis.com/base.v1.BooleanValue","data":true}`. */
export interface WireAny {
  '@type': string;
  data: unknown;
}
/** An attribute as on the wire. */
export interface WireAttribute {
  entity: WireEntity;
  attribute: string;
  value: unknown;
}
/** `{tuples, attributes, data}` of a permission request. */
export interface WireContext {
  tuples?: (string | WireTuple)[];
  attributes?: (string | WireAttribute)[];
  data?: Record<string, unknown>;
}
/** Permify's tuple filter; empty fields are wildcards. */
export interface WireTupleFilter {
  entity?: { type?: string; ids?: string[] };
  relation?: string;
  subject?: { type?: string; ids?: string[]; relation?: string };
}
/** Permify's attribute filter. */
export interface WireAttributeFilter {
  entity?: { type?: string; ids?: string[] };
  attributes?: string[];
}

const ANY_PREFIX = 'type.googleapis.com/base.v1.';
const KIND_OF_ANY: Readonly<Record<string, string>> = {
  BooleanValue: 'boolean',
  StringValue: 'string',
  IntegerValue: 'integer',
  DoubleValue: 'double',
  BooleanArrayValue: 'boolean[]',
  StringArrayValue: 'string[]',
  IntegerArrayValue: 'integer[]',
  DoubleArrayValue: 'double[]',
};
const ANY_OF_KIND: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(KIND_OF_ANY).map(([any, kind]) => [kind, any]),
);

function scalarOk(kind: string, v: unknown): boolean {
  switch (kind) {
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
    default:
      return typeof v === 'number' && Number.isFinite(v);
  }
}

/**
 * Reads an attribute value: a protobuf `Any` (`{"@type": "…BooleanValue", "data": true}`) or, as a
 * Gatehouse extension, a plain JSON boolean, string, number or array of one of them.
 */
export function valueFromWire(value: unknown, where: string): { value: AttributeValue; valueType?: string } {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && '@type' in value) {
    const any = value as Partial<WireAny>;
    const typeUrl = typeof any['@type'] === 'string' ? any['@type'] : '';
    const kind = typeUrl.startsWith(ANY_PREFIX) ? KIND_OF_ANY[typeUrl.slice(ANY_PREFIX.length)] : undefined;
    if (kind === undefined) {
      throw InvalidRequestError.badValue(`${where}["@type"]`, typeUrl, `one of ${Object.keys(KIND_OF_ANY).map((k) => ANY_PREFIX + k).join(', ')}`);
    }
    const data = any.data;
    const base = kind.replace('[]', '');
    const ok = kind.endsWith('[]') ? Array.isArray(data) && data.every((x) => scalarOk(base, x)) : scalarOk(base, data);
    if (!ok) throw InvalidRequestError.badValue(`${where}.data`, data, `a value of type ${kind}`);
    return { value: data as AttributeValue, valueType: kind };
  }
  const plainOk = ['boolean', 'string', 'double'].some((k) =>
    Array.isArray(value) ? value.length > 0 && value.every((x) => scalarOk(k, x)) : scalarOk(k, value),
  );
  if (!plainOk) throw InvalidRequestError.badValue(where, value, 'an Any value {"@type", "data"} or a boolean, string, number or array of one kind');
  return { value: value as AttributeValue };
}

function inferKind(v: AttributeValue): string {
  const first: unknown = Array.isArray(v) ? v[0] : v;
  const base =
    typeof first === 'boolean' ? 'boolean' : typeof first === 'string' ? 'string' : Number.isInteger(first) ? 'integer' : 'double';
  return Array.isArray(v) ? `${base}[]` : base;
}

/** An attribute value as a protobuf `Any`. */
export function valueToWire(value: AttributeValue, valueType?: string): WireAny {
  const kind = valueType !== undefined && valueType in ANY_OF_KIND ? valueType : inferKind(value);
  return { '@type': ANY_PREFIX + (ANY_OF_KIND[kind] ?? 'StringValue'), data: value };
}

/** A tuple from the wire: Permify's object form, or the string form `document:1#owner@user:alice`. */
export function tupleFromWire(input: string | WireTuple): Tuple {
  return parseTuple(input);
}

/** An attribute from the wire: `{entity, attribute, value: Any}` or `document:1$public|boolean:true`. */
export function attributeFromWire(input: string | WireAttribute, where = 'attribute'): Attribute {
  if (typeof input === 'string') return parseAttribute(input);
  const { value, valueType } = valueFromWire(input.value, `${where}.value`);
  const attr: Attribute = valueType === undefined
    ? { entity: input.entity, attribute: input.attribute, value }
    : { entity: input.entity, attribute: input.attribute, value, valueType };
  return parseAttribute(attr);
}

/** Tuple to Permify JSON (subject relation `""` when none: defaults are emitted). */
export function tupleToWire(t: Tuple): WireTuple {
  return {
    entity: { type: t.entity.type, id: t.entity.id },
    relation: t.relation,
    subject: { type: t.subject.type, id: t.subject.id, relation: t.subject.relation ?? '' },
  };
}

/** Attribute to Permify JSON with an `Any` value. */
export function attributeToWire(a: Attribute): WireAttribute {
  return { entity: { type: a.entity.type, id: a.entity.id }, attribute: a.attribute, value: valueToWire(a.value, a.valueType) };
}

/** A request subject; relation `""`/`"..."` dropped. */
export function subjectFromWire(s: WireSubject, attributes?: Readonly<Record<string, unknown>>): Subject {
  const relation = s.relation === undefined || s.relation === '' || s.relation === '...' ? undefined : s.relation;
  const base: Subject = relation === undefined ? { type: s.type, id: s.id } : { type: s.type, id: s.id, relation };
  return attributes === undefined ? base : { ...base, attributes };
}

/** The request context: contextual tuples and attributes (either form) and `data`. */
export function contextFromWire(c: WireContext | null | undefined): CheckContext | undefined {
  if (c === null || c === undefined) return undefined;
  const tuples = (c.tuples ?? []).map((t) => tupleFromWire(t));
  const attributes = (c.attributes ?? []).map((a, i) => attributeFromWire(a, `context.attributes[${String(i)}]`));
  if (tuples.length === 0 && attributes.length === 0 && c.data === undefined) return undefined;
  return { tuples, attributes, ...(c.data === undefined ? {} : { data: c.data }) };
}

function nonEmpty<T>(xs: T[] | undefined): T[] | undefined {
  return xs !== undefined && xs.length > 0 ? xs : undefined;
}

/** Engine tuple filter from Permify's: empty strings and lists are wildcards. */
export function tupleFilterFromWire(f: WireTupleFilter | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f === undefined) return out;
  const entity: Record<string, unknown> = {};
  if (f.entity?.type) entity.type = f.entity.type;
  if (nonEmpty(f.entity?.ids)) entity.ids = f.entity?.ids;
  if (Object.keys(entity).length > 0) out.entity = entity;
  if (f.relation) out.relation = f.relation;
  const subject: Record<string, unknown> = {};
  if (f.subject?.type) subject.type = f.subject.type;
  if (nonEmpty(f.subject?.ids)) subject.ids = f.subject?.ids;
  if (f.subject?.relation) subject.relation = f.subject.relation;
  if (Object.keys(subject).length > 0) out.subject = subject;
  return out;
}

/** Engine attribute filter from Permify's. */
export function attributeFilterFromWire(f: WireAttributeFilter | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f === undefined) return out;
  const entity: Record<string, unknown> = {};
  if (f.entity?.type) entity.type = f.entity.type;
  if (nonEmpty(f.entity?.ids)) entity.ids = f.entity?.ids;
  if (Object.keys(entity).length > 0) out.entity = entity;
  if (nonEmpty(f.attributes)) out.attributes = f.attributes;
  return out;
}

/** `CHECK_RESULT_ALLOWED` / `CHECK_RESULT_DENIED`. */
export function checkResult(allowed: boolean): 'CHECK_RESULT_ALLOWED' | 'CHECK_RESULT_DENIED' {
  return allowed ? 'CHECK_RESULT_ALLOWED' : 'CHECK_RESULT_DENIED';
}

/** A timestamp as RFC 3339 text, whatever form the engine gave. */
export function timestampToWire(t: unknown): string {
  if (t instanceof Date) return t.toISOString();
  if (typeof t === 'number') return new Date(t).toISOString();
  return typeof t === 'string' ? t : '';
}

interface ExpandNodeLike {
  readonly entity: unknown;
  readonly permission: string;
  readonly arguments?: readonly unknown[];
  readonly expand?: { readonly operation: string; readonly children: readonly ExpandNodeLike[] };
  readonly leaf?: { readonly subjects?: unknown; readonly value?: unknown; readonly values?: Readonly<Record<string, unknown>> };
}

function isAttributeValue(v: unknown): v is AttributeValue {
  return ['boolean', 'string', 'number'].includes(typeof v) || Array.isArray(v);
}

/** The engine's expand tree as Permify JSON: attribute values in leaves become `Any`s. */
export function expandToWire(node: ExpandNodeLike): unknown {
  const base = { entity: node.entity, permission: node.permission, arguments: node.arguments ?? [] };
  if (node.expand !== undefined) {
    return { ...base, expand: { operation: node.expand.operation, children: node.expand.children.map(expandToWire) } };
  }
  const leaf = node.leaf ?? {};
  if (leaf.value !== undefined && isAttributeValue(leaf.value)) return { ...base, leaf: { value: valueToWire(leaf.value) } };
  if (leaf.values !== undefined) {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(leaf.values)) values[k] = isAttributeValue(v) ? valueToWire(v) : v;
    return { ...base, leaf: { values } };
  }
  return { ...base, leaf };
}
