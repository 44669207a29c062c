import { InvalidRequestError, showValue } from './errors.js';
import type {
  Attribute,
  AttributeInput,
  AttributeValue,
  Resource,
  ResourceInput,
  Subject,
  SubjectInput,
  Tuple,
  TupleInput,
} from './types.js';

/** Tenant ids: letters, digits, `_`, `.`, `-`; 1-128 characters; starting with a letter or digit. */
export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Type, relation, permission and attribute names: letters and `_` only (Permify's rule). */
export const NAME_PATTERN = /^[a-zA-Z_]{1,64}$/;
/** Entity and subject ids (Permify's id pattern), or `*`. */
export const ID_PATTERN = /^(?:[a-zA-Z0-9_\-@.:+]{1,128}|\*)$/;
/** The subject type a bare id (`"alice"`) stands for. */
export const DEFAULT_SUBJECT_TYPE = 'user';

/**
 * Validates a tenant id and returns it.
 * @throws {@link InvalidRequestError} when it does not match {@link TENANT_PATTERN}.
 */
export function assertTenant(tenant: unknown): string {
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) throw InvalidRequestError.badTenant(tenant);
  return tenant;
}

function assertName(what: string, name: unknown, whole: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw InvalidRequestError.badValue(what, whole, `${what === 'subject' || what === 'resource' ? 'a type name' : 'a name'} of letters and "_" only (got ${showValue(name)})`);
  }
  return name;
}

function assertId(what: string, id: unknown, whole: unknown): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw InvalidRequestError.badValue(
      what,
      whole,
      `an id of 1-128 letters, digits or "_-@.:+" (got ${showValue(id)})`,
    );
  }
  return id;
}

/**
 * Parses a subject: `"alice"` → `{ type: 'user', id: 'alice' }`, `"team:eng#member"` → a userset.
 * Objects are validated and returned as they are.
 * @throws {@link InvalidRequestError} naming the input and what was expected.
 */
export function parseSubject(input: SubjectInput): Subject {
  if (typeof input === 'string') {
    if (input.length === 0) throw InvalidRequestError.badValue('subject', input, '"id", "type:id" or "type:id#relation"');
    const hash = input.indexOf('#');
    const head = hash === -1 ? input : input.slice(0, hash);
    const relation = hash === -1 ? undefined : input.slice(hash + 1);
    const colon = head.indexOf(':');
    const type = colon === -1 ? DEFAULT_SUBJECT_TYPE : head.slice(0, colon);
    const id = colon === -1 ? head : head.slice(colon + 1);
    assertName('subject', type, input);
    assertId('subject', id, input);
    if (relation !== undefined) {
      if (relation === '...') return { type, id };
      assertName('subject relation', relation, input);
      return { type, id, relation };
    }
    return { type, id };
  }
  if (!isObject(input)) {
    throw InvalidRequestError.badValue('subject', input, 'a string like "user:alice" or { type, id }');
  }
  assertName('subject', input.type, input);
  assertId('subject', input.id, input);
  if (input.relation !== undefined && input.relation !== '') assertName('subject relation', input.relation, input);
  return input;
}

/**
 * Parses a resource: `"document:42"` → `{ type: 'document', id: '42' }`; `"document"` → a type-level resource.
 * @throws {@link InvalidRequestError} naming the input and what was expected.
 */
export function parseResource(input: ResourceInput): Resource {
  if (typeof input === 'string') {
    const colon = input.indexOf(':');
    if (colon === -1) {
      assertName('resource', input, input);
      return { type: input };
    }
    const type = input.slice(0, colon);
    const id = input.slice(colon + 1);
    assertName('resource', type, input);
    assertId('resource', id, input);
    return { type, id };
  }
  if (!isObject(input)) {
    throw InvalidRequestError.badValue('resource', input, 'a string like "document:42" or { type, id? }');
  }
  assertName('resource', input.type, input);
  if (input.id !== undefined) assertId('resource', input.id, input);
  return input;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** `user:alice`, `team:eng#member`. */
export function formatSubject(subject: Subject): string {
  return subject.relation ? `${subject.type}:${subject.id}#${subject.relation}` : `${subject.type}:${subject.id}`;
}

/** `document:42`, or `document` for a type-level resource. */
export function formatResource(resource: Resource): string {
  return resource.id === undefined ? resource.type : `${resource.type}:${resource.id}`;
}

function splitTypeId(what: string, part: string, whole: string): { type: string; id: string } {
  const pieces = part.split(':');
  if (pieces.length !== 2 || !pieces[0] || !pieces[1]) {
    throw InvalidRequestError.badValue(what, whole, `"type:id" with exactly one ":" (got ${showValue(part)})`);
  }
  return { type: assertName(what, pieces[0], whole), id: assertId(what, pieces[1], whole) };
}

/**
 * Parses a tuple in Permify's string form `type:id#relation@type:id[#relation]`, or validates an object.
 * @throws {@link InvalidRequestError} naming the input and what was expected.
 */
export function parseTuple(input: TupleInput): Tuple {
  if (typeof input !== 'string') {
    if (!isObject(input) || !isObject(input.entity) || !isObject(input.subject)) {
      throw InvalidRequestError.badValue('tuple', input, 'a string like "document:1#owner@user:alice" or { entity, relation, subject }');
    }
    assertName('tuple', input.entity.type, input);
    assertId('tuple', input.entity.id, input);
    assertName('tuple relation', input.relation, input);
    assertName('tuple subject', input.subject.type, input);
    assertId('tuple subject', input.subject.id, input);
    const rel = input.subject.relation;
    if (rel !== undefined && rel !== '' && rel !== '...') assertName('tuple subject relation', rel, input);
    if (rel === '' || rel === '...') {
      return { entity: input.entity, relation: input.relation, subject: { type: input.subject.type, id: input.subject.id } };
    }
    return input;
  }
  const sides = input.split('@');
  if (sides.length !== 2) {
    throw InvalidRequestError.badValue('tuple', input, '"type:id#relation@type:id[#relation]" with exactly one "@"');
  }
  const [left = '', right = ''] = sides;
  const l = left.split('#');
  if (l.length !== 2 || !l[1]) throw InvalidRequestError.badValue('tuple', input, 'an entity "type:id#relation" before "@"');
  const entity = splitTypeId('tuple entity', l[0] ?? '', input);
  const relation = assertName('tuple relation', l[1], input);
  const r = right.split('#');
  if (r.length > 2) throw InvalidRequestError.badValue('tuple', input, 'a subject "type:id" or "type:id#relation" after "@"');
  const subj = splitTypeId('tuple subject', r[0] ?? '', input);
  const srel = r[1];
  if (srel === undefined || srel === '' || srel === '...') return { entity, relation, subject: subj };
  return { entity, relation, subject: { ...subj, relation: assertName('tuple subject relation', srel, input) } };
}

/** `document:1#owner@user:alice`. */
export function formatTuple(tuple: Tuple): string {
  const s = tuple.subject;
  return `${tuple.entity.type}:${tuple.entity.id}#${tuple.relation}@${s.type}:${s.id}${s.relation ? `#${s.relation}` : ''}`;
}

const ATTRIBUTE_KINDS = new Set(['boolean', 'integer', 'double', 'string']);

function parseBool(text: string, whole: string): boolean {
  // Go's strconv.ParseBool, as Permify uses it.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw InvalidRequestError.badValue('attribute', whole, `a boolean value (got ${showValue(text)})`);
}

function parseScalar(kind: string, text: string, whole: string): boolean | string | number {
  switch (kind) {
    case 'boolean':
      return parseBool(text, whole);
    case 'string':
      return text;
    case 'integer': {
      if (!/^[+-]?\d+$/.test(text)) throw InvalidRequestError.badValue('attribute', whole, `an integer value (got ${showValue(text)})`);
      const n = Number(text);
      if (n < -2147483648 || n > 2147483647) throw InvalidRequestError.badValue('attribute', whole, 'a 32-bit integer value');
      return n;
    }
    default: {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw InvalidRequestError.badValue('attribute', whole, `a number (got ${showValue(text)})`);
      return n;
    }
  }
}

/**
 * Parses an attribute in Permify's string form `type:id$name|kind:value` (kind `boolean`, `integer`, `double`,
 * `string`, optionally with `[]` and a comma-separated value), or validates an object.
 * @throws {@link InvalidRequestError} naming the input and what was expected.
 */
export function parseAttribute(input: AttributeInput): Attribute {
  if (typeof input !== 'string') {
    if (!isObject(input) || !isObject(input.entity)) {
      throw InvalidRequestError.badValue('attribute', input, 'a string like "document:1$public|boolean:true" or { entity, attribute, value }');
    }
    assertName('attribute', input.entity.type, input);
    assertId('attribute', input.entity.id, input);
    assertName('attribute name', input.attribute, input);
    const v: unknown = input.value;
    const okScalar = (x: unknown): boolean => typeof x === 'boolean' || typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
    if (!(okScalar(v) || (Array.isArray(v) && v.every(okScalar)))) {
      throw InvalidRequestError.badValue('attribute value', v, 'a boolean, string, number or an array of one of them');
    }
    return input;
  }
  const dollar = input.indexOf('$');
  if (dollar === -1) throw InvalidRequestError.badValue('attribute', input, '"type:id$name|kind:value"');
  const entity = splitTypeId('attribute entity', input.slice(0, dollar), input);
  const rest = input.slice(dollar + 1).split('|');
  if (rest.length !== 2) throw InvalidRequestError.badValue('attribute', input, '"type:id$name|kind:value" with exactly one "|"');
  const attribute = assertName('attribute name', rest[0], input);
  const kv = (rest[1] ?? '').split(':');
  if (kv.length !== 2) throw InvalidRequestError.badValue('attribute', input, 'a value "kind:value" with exactly one ":"');
  const [kindRaw = '', text = ''] = kv;
  const isArray = kindRaw.endsWith('[]');
  const kind = isArray ? kindRaw.slice(0, -2) : kindRaw;
  if (!ATTRIBUTE_KINDS.has(kind)) {
    throw InvalidRequestError.badValue('attribute', input, `a kind of boolean, integer, double or string, optionally with [] (got ${showValue(kindRaw)})`);
  }
  const value: AttributeValue = isArray
    ? (text.split(',').map((t) => parseScalar(kind, t, input)) as AttributeValue)
    : parseScalar(kind, text, input);
  return { entity, attribute, value, valueType: kindRaw };
}

/** `document:1$public|boolean:true`. */
export function formatAttribute(attr: Attribute): string {
  const v = attr.value;
  const kind = attr.valueType ?? inferKind(v);
  const text = Array.isArray(v) ? v.map(String).join(',') : String(v);
  return `${attr.entity.type}:${attr.entity.id}$${attr.attribute}|${kind}:${text}`;
}

function inferKind(v: AttributeValue): string {
  const first: unknown = Array.isArray(v) ? v[0] : v;
  const base = typeof first === 'boolean' ? 'boolean' : typeof first === 'string' ? 'string' : Number.isInteger(first) ? 'integer' : 'double';
  return Array.isArray(v) ? `${base}[]` : base;
}
