import { GatehouseError, InvalidRequestError } from './errors.js';
import { ID_PATTERN, NAME_PATTERN } from './parse.js';
import type { CheckContext, Consistency, Subject } from './types.js';

/** A constant a field condition compares with. */
export type ConditionValue = boolean | string | number;

/** The comparison operators of a {@link FieldCondition}. */
export type ComparisonOperator = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'in' | 'contains';

/**
 * A condition on one column of the application's row, named by the schema attribute it holds (`field`), or
 * `id` for the resource's id. Exactly one operator key is present:
 * - `eq`, `ne`, `lt`, `le`, `gt`, `ge`: compare the field with a constant (`lt`… only on numbers);
 * - `in`: the field equals one of the listed constants (for `id`, the list of ids);
 * - `contains`: the field is a list (array column) that holds the constant.
 *
 * A missing value (SQL `NULL`) compares as the attribute type's zero value — `false`, `''`, `0`, `[]` — as a
 * check reads a missing attribute. The adapters (`@gatehouse/prisma`, `@gatehouse/drizzle`) implement this.
 */
export type FieldCondition =
  | { readonly field: string; readonly eq: ConditionValue }
  | { readonly field: string; readonly ne: ConditionValue }
  | { readonly field: string; readonly lt: number }
  | { readonly field: string; readonly le: number }
  | { readonly field: string; readonly gt: number }
  | { readonly field: string; readonly ge: number }
  | { readonly field: string; readonly in: readonly ConditionValue[] }
  | { readonly field: string; readonly contains: ConditionValue };

/**
 * The condition of a conditional {@link QueryPlan}: a small JSON tree. `and` / `or` hold at least two
 * conditions; `{ field: 'id', in: [...] }` is the set of ids the engine computed from stored data.
 * @example
 * ```json
 * { "or": [ { "field": "id", "in": ["1", "7"] }, { "field": "public", "eq": true } ] }
 * ```
 */
export type Condition =
  | { readonly and: readonly Condition[] }
  | { readonly or: readonly Condition[] }
  | { readonly not: Condition }
  | FieldCondition;

/**
 * Which resources of a type a subject may do an action on, as something a database can filter by: every
 * resource (`always`), none (`never`), or those whose row satisfies `condition`. `snapToken` is the state the
 * plan was computed at.
 */
export type QueryPlan =
  | { readonly kind: 'always'; readonly snapToken?: string }
  | { readonly kind: 'never'; readonly snapToken?: string }
  | { readonly kind: 'conditional'; readonly condition: Condition; readonly snapToken?: string };

/** A fully normalised plan request, as a `Pdp` receives it. */
export interface PlanRequest {
  readonly tenant: string;
  readonly subject: Subject;
  readonly action: string;
  readonly resourceType: string;
  /** Request data for rules (`context.data`) and contextual tuples and attributes of other entities. */
  readonly context?: CheckContext;
  readonly consistency?: Consistency;
  readonly depth?: number;
}

/** The names of the operators of a {@link FieldCondition}, in a fixed order. */
export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'contains'];

/** The PDP in use cannot compute query plans (it implements no `plan`). */
export class NotSupportedError extends GatehouseError {
  public constructor(message: string, options?: ErrorOptions & { tenant?: string }) {
    super('GH_ERR_NOT_SUPPORTED', message, options);
  }
}

/** The deepest condition tree {@link parseQueryPlan} accepts. */
const MAX_CONDITION_DEPTH = 256;

/**
 * Checks that a value is a well-formed {@link QueryPlan} (what a remote PDP sent, or an app passed on) and returns
 * it typed. Never widens: anything it does not know is an error.
 * @throws {@link InvalidRequestError} naming the first malformed part.
 * @example
 * ```ts
 * const plan = parseQueryPlan(JSON.parse(body));
 * ```
 */
export function parseQueryPlan(value: unknown): QueryPlan {
  if (typeof value !== 'object' || value === null) throw InvalidRequestError.badValue('query plan', value, 'an object { kind, condition? }');
  const v = value as { kind?: unknown; condition?: unknown; snapToken?: unknown };
  const snap = v.snapToken === undefined ? {} : { snapToken: snapTokenOf(v.snapToken) };
  switch (v.kind) {
    case 'always':
      return { kind: 'always', ...snap };
    case 'never':
      return { kind: 'never', ...snap };
    case 'conditional':
      return { kind: 'conditional', condition: parseCondition(v.condition, 'condition', 0), ...snap };
    default:
      throw InvalidRequestError.badValue('query plan kind', v.kind, '"always", "never" or "conditional"');
  }
}

function snapTokenOf(value: unknown): string {
  if (typeof value !== 'string') throw InvalidRequestError.badValue('query plan snapToken', value, 'a string');
  return value;
}

function parseCondition(value: unknown, path: string, depth: number): Condition {
  if (depth > MAX_CONDITION_DEPTH) throw InvalidRequestError.badValue(path, '(nested too deeply)', `a condition at most ${String(MAX_CONDITION_DEPTH)} levels deep`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw InvalidRequestError.badValue(path, value, 'a condition object');
  const keys = Object.keys(value);
  const o = value as Record<string, unknown>;
  if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or')) {
    const key = keys[0];
    const list = o[key];
    if (!Array.isArray(list) || list.length === 0) throw InvalidRequestError.badValue(`${path}.${key}`, list, 'a non-empty array of conditions');
    const items = list.map((c: unknown, i) => parseCondition(c, `${path}.${key}[${String(i)}]`, depth + 1));
    return key === 'and' ? { and: items } : { or: items };
  }
  if (keys.length === 1 && keys[0] === 'not') return { not: parseCondition(o.not, `${path}.not`, depth + 1) };
  const field = o.field;
  const op = keys.find((k) => k !== 'field');
  if (keys.length !== 2 || typeof field !== 'string' || !NAME_PATTERN.test(field) || op === undefined || !(COMPARISON_OPERATORS as readonly string[]).includes(op)) {
    throw InvalidRequestError.badValue(path, value, `{ and: [...] }, { or: [...] }, { not: {...} } or { field, <one of ${COMPARISON_OPERATORS.join(', ')}>: value }`);
  }
  const operand = o[op];
  const where = `${path}.${op}`;
  if (op === 'in') {
    if (!Array.isArray(operand)) throw InvalidRequestError.badValue(where, operand, 'an array of constants');
    const list = operand as unknown[];
    if (field === 'id') {
      for (const id of list) if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw InvalidRequestError.badValue(`${where} (id)`, id, 'a resource id');
    } else {
      for (const c of list) assertValue(where, c);
    }
    return { field, in: list as ConditionValue[] };
  }
  if (op === 'lt' || op === 'le' || op === 'gt' || op === 'ge') {
    if (typeof operand !== 'number' || !Number.isFinite(operand)) throw InvalidRequestError.badValue(where, operand, 'a finite number');
  } else {
    assertValue(where, operand);
  }
  return { field, [op]: operand } as unknown as FieldCondition;
}

function assertValue(where: string, c: unknown): void {
  if (typeof c === 'boolean' || typeof c === 'string' || (typeof c === 'number' && Number.isFinite(c))) return;
  throw InvalidRequestError.badValue(where, c, 'a boolean, string or finite number');
}

/** The operator and operand of a field condition. */
export function comparisonOf(c: FieldCondition): { readonly op: ComparisonOperator; readonly value: ConditionValue | readonly ConditionValue[] } {
  for (const op of COMPARISON_OPERATORS) {
    if (op in c) return { op, value: (c as unknown as Record<string, ConditionValue | readonly ConditionValue[]>)[op] as ConditionValue };
  }
  throw InvalidRequestError.badValue('condition', c, 'a field condition with an operator');
}

/** A comparison as adapters emit it after pushing `not` down to the leaves. */
export type LeafOperator = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'in' | 'notIn' | 'contains' | 'notContains';

const NEGATED: Readonly<Record<LeafOperator, LeafOperator>> = {
  eq: 'ne',
  ne: 'eq',
  lt: 'ge',
  ge: 'lt',
  le: 'gt',
  gt: 'le',
  in: 'notIn',
  notIn: 'in',
  contains: 'notContains',
  notContains: 'contains',
};

/** The operator that holds exactly when `op` does not (values are never missing here: see {@link missingMatches}). */
export function negateOperator(op: LeafOperator): LeafOperator {
  return NEGATED[op];
}

/**
 * Whether a missing value (SQL `NULL`) satisfies `field <op> value`: a missing attribute reads as its type's zero
 * value (`false`, `''`, `0`, `[]` for `contains`), the type being that of `value`. Adapters add `OR field IS NULL`
 * when this is true, so conditions stay two-valued and a `not` never flips an unknown into a match.
 */
export function missingMatches(op: LeafOperator, value: ConditionValue | readonly ConditionValue[]): boolean {
  if (op === 'contains') return false;
  if (op === 'notContains') return true;
  if (op === 'in' || op === 'notIn') {
    const list = value as readonly ConditionValue[];
    const first = list[0];
    const hit = first !== undefined && list.includes(zeroOf(first));
    return op === 'in' ? hit : !hit;
  }
  const v = value as ConditionValue;
  return compareScalar(op, zeroOf(v), v);
}

/** `a <op> v` for the operators on a single value (values of one type, as the plan's checks ensure). */
function compareScalar(op: Exclude<ComparisonOperator, 'in' | 'contains'>, a: ConditionValue, v: ConditionValue): boolean {
  switch (op) {
    case 'eq':
      return a === v;
    case 'ne':
      return a !== v;
    case 'lt':
      return a < v;
    case 'le':
      return a <= v;
    case 'gt':
      return a > v;
    case 'ge':
      return a >= v;
  }
}

function zeroOf(v: ConditionValue): ConditionValue {
  return typeof v === 'boolean' ? false : typeof v === 'string' ? '' : 0;
}

/** The attribute names a condition compares (not `id`). */
export function conditionFields(c: Condition, out = new Set<string>()): Set<string> {
  if ('and' in c) for (const x of c.and) conditionFields(x, out);
  else if ('or' in c) for (const x of c.or) conditionFields(x, out);
  else if ('not' in c) conditionFields(c.not, out);
  else if (c.field !== 'id') out.add(c.field);
  return out;
}

/**
 * Refuses a condition that compares an attribute the adapter's mapping does not place in the application's data:
 * an unmapped attribute is never dropped, since that would widen the filter.
 * @param c - the plan's condition.
 * @param isMapped - whether the mapping places an attribute.
 * @param target - what each attribute must map to, for the message (`'a model field'`, `'a column'`).
 * @throws {@link InvalidRequestError} naming every unmapped attribute.
 */
export function assertFieldsMapped(c: Condition, isMapped: (attribute: string) => boolean, target: string): void {
  const missing = [...conditionFields(c)].filter((f) => !isMapped(f));
  if (missing.length > 0) {
    throw InvalidRequestError.badValue(
      'mapping.fields',
      missing.join(', '),
      `${target} for every attribute the plan compares (${missing.map((m) => `"${m}"`).join(', ')} unmapped); an unmapped attribute is never dropped, since that would widen the filter`,
    );
  }
}

/** Where the plan's fields live in an application's row object (the same shape `@gatehouse/prisma` takes). */
export interface RowMapping {
  /** The row property holding the resource id (`'id'`); a string, or a number / bigint compared as its decimal text. */
  readonly id: string;
  /** Schema attribute name → row property (`{ public: 'isPublic' }`). */
  readonly fields?: Readonly<Record<string, string>>;
}

/** An application row (any object), read only through its own properties, never its prototype. */
type PlanRow = Readonly<Record<string, unknown>>;

/**
 * A query plan as an in-memory filter: a function that tells whether one row of the app's own data satisfies the
 * plan, with the semantics the ORM adapters give the database (`@gatehouse/prisma`, `@gatehouse/drizzle`): a
 * missing value (`undefined` / `null`) compares as the attribute type's zero value (`false`, `''`, `0`, `[]`), as a
 * check reads a missing attribute. Use it when the rows are already in memory (a cache, a small list, a test);
 * for a database, use an adapter so the filtering happens in the query. The plan is validated and the id set
 * indexed once, so filtering `n` rows costs `n` walks of the condition, not `n` parses.
 * @param plan - the plan from `gate.plan()` / `req.gate.plan()`.
 * @param mapping - the id property and the properties holding the attributes the plan may name.
 * @returns `(row) => boolean`; it throws {@link InvalidRequestError} for a row whose id is not a string or number,
 *   or whose mapped value does not have the type the plan compares it with (a list for `contains`).
 * @throws {@link InvalidRequestError} when the plan is malformed or names an attribute `mapping.fields` does not
 *   map (never a wider filter).
 * @example
 * ```ts
 * const plan = await req.gate.plan('view', 'document');
 * const visible = rows.filter(planPredicate(plan, { id: 'id', fields: { public: 'isPublic' } }));
 * ```
 */
export function planPredicate(plan: QueryPlan, mapping: RowMapping): (row: object) => boolean {
  const valid = parseQueryPlan(plan);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers
  if (typeof mapping !== 'object' || mapping === null || typeof mapping.id !== 'string' || mapping.id === '') {
    throw InvalidRequestError.badValue('mapping', mapping, "{ id: '<id property>', fields?: { <attribute>: '<property>' } }");
  }
  if (valid.kind === 'always') return () => true;
  if (valid.kind === 'never') return () => false;
  const fields = mapping.fields ?? {};
  assertFieldsMapped(valid.condition, (f) => Object.hasOwn(fields, f) && typeof fields[f] === 'string', 'a row property');
  const test = compile(valid.condition, mapping.id, fields);
  return (row) => test(row as PlanRow);
}

/**
 * Whether one row satisfies a query plan: `planPredicate(plan, mapping)(row)`. To filter many rows, build the
 * predicate once with {@link planPredicate}.
 * @throws {@link InvalidRequestError} as {@link planPredicate} and its predicate do.
 * @example
 * ```ts
 * if (planMatches(plan, doc, { id: 'id', fields: { public: 'public' } })) show(doc);
 * ```
 */
export function planMatches(plan: QueryPlan, row: object, mapping: RowMapping): boolean {
  return planPredicate(plan, mapping)(row);
}

type RowTest = (row: PlanRow) => boolean;

function compile(c: Condition, idProperty: string, fields: Readonly<Record<string, string>>): RowTest {
  if ('and' in c) {
    const parts = c.and.map((x) => compile(x, idProperty, fields));
    return (row) => parts.every((p) => p(row));
  }
  if ('or' in c) {
    const parts = c.or.map((x) => compile(x, idProperty, fields));
    return (row) => parts.some((p) => p(row));
  }
  if ('not' in c) {
    const inner = compile(c.not, idProperty, fields);
    return (row) => !inner(row);
  }
  const { op, value } = comparisonOf(c);
  if (c.field === 'id') return idTest(op, value, idProperty);
  const property = fields[c.field];
  if (property === undefined) throw InvalidRequestError.badValue('mapping.fields', c.field, 'a row property for this attribute');
  return (row) => compare(op, value, valueOf(row, property, op, value), property);
}

function idTest(op: ComparisonOperator, value: ConditionValue | readonly ConditionValue[], property: string): RowTest {
  const ids = new Set((Array.isArray(value) ? value : [value]).map(String));
  const hit = (row: PlanRow): boolean => ids.has(rowId(row, property));
  if (op === 'in' || op === 'eq') return hit;
  if (op === 'ne') return (row) => !hit(row);
  throw InvalidRequestError.badValue('condition on id', op, 'in, eq or ne');
}

function rowId(row: PlanRow, property: string): string {
  const v = Object.hasOwn(row, property) ? row[property] : undefined;
  if (typeof v === 'string') return v;
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'bigint') return String(v);
  throw InvalidRequestError.badValue(`row.${property} (id)`, v, 'a string or a number');
}

/** The row's value for a comparison, a missing one replaced by the zero value of the constant's type. */
function valueOf(row: PlanRow, property: string, op: ComparisonOperator, value: ConditionValue | readonly ConditionValue[]): unknown {
  const v = Object.hasOwn(row, property) ? row[property] : undefined;
  if (v !== undefined && v !== null) return v;
  if (op === 'contains') return [];
  const sample = op === 'in' ? (value as readonly ConditionValue[])[0] : (value as ConditionValue);
  return sample === undefined ? undefined : zeroOf(sample);
}

function compare(op: ComparisonOperator, value: ConditionValue | readonly ConditionValue[], actual: unknown, property: string): boolean {
  if (op === 'contains') {
    if (!Array.isArray(actual)) throw InvalidRequestError.badValue(`row.${property}`, actual, 'a list (the plan tests whether it contains a value)');
    return (actual as readonly unknown[]).includes(value);
  }
  if (op === 'in') {
    const list = value as readonly ConditionValue[];
    const first = list[0];
    if (first === undefined) return false;
    sameType(actual, first, property);
    return list.includes(actual as ConditionValue);
  }
  const v = value as ConditionValue;
  sameType(actual, v, property);
  return compareScalar(op, actual as ConditionValue, v);
}

function sameType(actual: unknown, constant: ConditionValue, property: string): void {
  if (typeof actual !== typeof constant || (typeof actual === 'number' && !Number.isFinite(actual))) {
    throw InvalidRequestError.badValue(`row.${property}`, actual, `a ${typeof constant} (the plan compares it with ${JSON.stringify(constant)})`);
  }
}
