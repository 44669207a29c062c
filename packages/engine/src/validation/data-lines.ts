import type { Attribute, Tuple } from '@gatehouse/core';

import type { CompiledSchema } from '../schema/ir.js';

function format(t: Tuple): string {
  const s = t.subject;
  return `${s.type}:${s.id}${s.relation ? `#${s.relation}` : ''}`;
}

/**
 * Checks a relationship line against the schema as Permify's validator does (permify.md §3.2).
 * @returns An `expected X, found Y` message, or undefined when the tuple fits.
 */
export function tupleProblem(tuple: Tuple, schema: CompiledSchema): string | undefined {
  const entity = schema.entities.get(tuple.entity.type);
  if (entity === undefined) return `expected an entity type of the schema, found "${tuple.entity.type}"`;
  const relation = entity.relations.get(tuple.relation);
  if (relation === undefined || relation.implicit === true) {
    return `expected a relation of entity "${entity.name}", found "${tuple.relation}"`;
  }
  const s = tuple.subject;
  const allowed = relation.references.some((r) => r.type === s.type && (r.relation ?? '') === (s.relation ?? ''));
  if (!allowed) {
    const declared = relation.references.map((r) => `@${r.type}${r.relation === undefined ? '' : `#${r.relation}`}`).join(' ');
    return `expected a subject of ${entity.name}#${relation.name} (${declared}), found ${format(tuple)}`;
  }
  if (
    s.type === tuple.entity.type &&
    s.id === tuple.entity.id &&
    (s.relation ?? '') === tuple.relation
  ) {
    return `expected a subject other than the tuple's own entity and relation, found ${format(tuple)}`;
  }
  return undefined;
}

/**
 * Checks an attribute line against the schema: the attribute exists and its kind equals the declared type.
 * @returns An `expected X, found Y` message, or undefined when the attribute fits.
 */
export function attributeProblem(attribute: Attribute, schema: CompiledSchema): string | undefined {
  const entity = schema.entities.get(attribute.entity.type);
  if (entity === undefined) return `expected an entity type of the schema, found "${attribute.entity.type}"`;
  const declared = entity.attributes.get(attribute.attribute);
  if (declared === undefined) return `expected an attribute of entity "${entity.name}", found "${attribute.attribute}"`;
  if (attribute.valueType !== declared.type) {
    return `expected a value of type ${declared.type} for ${entity.name}$${declared.name}, found ${attribute.valueType ?? 'an untyped value'}`;
  }
  return undefined;
}
