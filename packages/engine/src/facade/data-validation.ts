import { InvalidRequestError } from '@gatehouse/core';
import type { Attribute, Tuple } from '@gatehouse/core';

import type { AttributeType, CompiledSchema } from '../schema/index.js';
import { inferType } from '../store/memory-store.js';

/** Permify's data validation of a tuple (permify.md §3.2). @internal */
export function validateTuple(schema: CompiledSchema, t: Tuple): void {
  const where = `${t.entity.type}:${t.entity.id}#${t.relation}@${t.subject.type}:${t.subject.id}${t.subject.relation ? `#${t.subject.relation}` : ''}`;
  const entity = schema.entities.get(t.entity.type);
  if (entity === undefined) throw InvalidRequestError.badValue('tuple', where, `an entity type of the schema ("${t.entity.type}" is not defined)`);
  const relation = entity.relations.get(t.relation);
  if (relation === undefined || relation.implicit === true) {
    throw InvalidRequestError.badValue('tuple', where, `a relation of entity "${t.entity.type}" ("${t.relation}" is ${relation?.implicit ? 'implicit and cannot be written' : 'not a relation of it'})`);
  }
  const sRel = t.subject.relation ?? '';
  const ok = relation.references.some((r) => r.type === t.subject.type && (r.relation ?? '') === sRel);
  if (!ok) {
    const allowed = relation.references.map((r) => (r.relation ? `@${r.type}#${r.relation}` : `@${r.type}`)).join(' ');
    throw InvalidRequestError.badValue('tuple', where, `a subject allowed on ${t.entity.type}#${t.relation} (${allowed})`);
  }
  if (t.subject.type === t.entity.type && t.subject.id === t.entity.id && sRel === t.relation) {
    throw InvalidRequestError.badValue('tuple', where, 'a subject other than the tuple\'s own entity#relation');
  }
}

/** Permify's data validation of an attribute: it exists and the value has the declared type. @internal */
export function validateAttribute(schema: CompiledSchema, a: Attribute): Attribute {
  const where = `${a.entity.type}:${a.entity.id}$${a.attribute}`;
  const entity = schema.entities.get(a.entity.type);
  if (entity === undefined) throw InvalidRequestError.badValue('attribute', where, `an entity type of the schema ("${a.entity.type}" is not defined)`);
  const def = entity.attributes.get(a.attribute);
  if (def === undefined) throw InvalidRequestError.badValue('attribute', where, `an attribute of entity "${a.entity.type}"`);
  if (a.valueType !== undefined && a.valueType !== def.type) {
    throw InvalidRequestError.badValue('attribute', where, `a value of type ${def.type} (got ${a.valueType})`);
  }
  if (!valueMatches(def.type, a.value)) throw InvalidRequestError.badValue('attribute', where, `a value of type ${def.type} (got ${inferType(a.value)})`);
  return { entity: a.entity, attribute: a.attribute, value: a.value, valueType: def.type };
}

function valueMatches(type: AttributeType, value: unknown): boolean {
  const scalar = (t: string, v: unknown): boolean =>
    t === 'boolean' ? typeof v === 'boolean' : t === 'string' ? typeof v === 'string' : t === 'integer' ? Number.isInteger(v) && Math.abs(v as number) <= 2147483648 : typeof v === 'number' && Number.isFinite(v);
  if (type.endsWith('[]')) return Array.isArray(value) && value.every((v) => scalar(type.slice(0, -2), v));
  return scalar(type, value);
}
