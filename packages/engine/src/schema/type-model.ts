import { createHash } from 'node:crypto';
import { InvalidRequestError } from '@gatehouse/core';
import type { AttributeType } from './ir.js';
import type { PermifyJson } from './permify-definition.js';

/**
 * The part of a schema that application code names: entity types, their relations (with the subjects each
 * accepts), permissions and attribute types, and rules with their parameters. Everything is sorted by name, so
 * two schemas that differ only in order, comments or permission bodies have the same model and the same hash.
 */
export interface SchemaTypeModel {
  readonly entities: readonly EntityTypeModel[];
  readonly rules: readonly RuleTypeModel[];
}

/** One entity type of a {@link SchemaTypeModel}. */
export interface EntityTypeModel {
  readonly name: string;
  /** Relation name → the subject references it accepts (`user`, `team#member`), sorted. */
  readonly relations: readonly { readonly name: string; readonly subjects: readonly string[] }[];
  readonly permissions: readonly string[];
  readonly attributes: readonly { readonly name: string; readonly type: AttributeType }[];
}

/** One rule of a {@link SchemaTypeModel}: its parameters in declaration order. */
export interface RuleTypeModel {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: AttributeType }[];
}

const WIRE_TYPES: Readonly<Record<string, AttributeType>> = {
  ATTRIBUTE_TYPE_BOOLEAN: 'boolean',
  ATTRIBUTE_TYPE_BOOLEAN_ARRAY: 'boolean[]',
  ATTRIBUTE_TYPE_STRING: 'string',
  ATTRIBUTE_TYPE_STRING_ARRAY: 'string[]',
  ATTRIBUTE_TYPE_INTEGER: 'integer',
  ATTRIBUTE_TYPE_INTEGER_ARRAY: 'integer[]',
  ATTRIBUTE_TYPE_DOUBLE: 'double',
  ATTRIBUTE_TYPE_DOUBLE_ARRAY: 'double[]',
};

/** Names of the schema language: what the parser accepts, and nothing a generated file could be broken by. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

type JsonObject = Readonly<Record<string, PermifyJson>>;

function isObject(v: PermifyJson | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(where: string, why: string): never {
  throw new InvalidRequestError(`schema definition ${where}: ${why}`);
}

function name(value: PermifyJson | undefined, where: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) bad(where, `expected a schema name, got ${JSON.stringify(value)}`);
  return value;
}

function attributeType(value: PermifyJson | undefined, where: string): AttributeType {
  // Own keys only: a server answering "constructor" or "__proto__" must not pass for a type.
  const type = typeof value === 'string' && Object.hasOwn(WIRE_TYPES, value) ? WIRE_TYPES[value] : undefined;
  if (type === undefined) bad(where, `unknown attribute type ${JSON.stringify(value)}`);
  return type;
}

function entries(value: PermifyJson | undefined, where: string): [string, PermifyJson][] {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) bad(where, 'expected an object');
  return Object.entries(value);
}

const byName = <T extends { readonly name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Reads the type model out of Permify's compiled JSON (what `toPermifyDefinition` renders and `schemas/read`
 * answers). The input may come from a server, so every name is checked against the language's name pattern.
 *
 * @throws {@link InvalidRequestError} when the definition is not a compiled schema.
 * @example
 * ```ts
 * schemaTypeModel(toPermifyDefinition(compileSchema('entity user {}'))).entities[0]?.name; // 'user'
 * ```
 */
export function schemaTypeModel(definition: PermifyJson): SchemaTypeModel {
  if (!isObject(definition)) bad('', 'expected an object with entity_definitions');
  const entities: EntityTypeModel[] = entries(definition.entity_definitions, 'entity_definitions').map(([key, def]) => {
    const where = `entity_definitions.${key}`;
    if (!isObject(def)) bad(where, 'expected an object');
    const entity = name(def.name ?? key, `${where}.name`);
    const relations = entries(def.relations, `${where}.relations`).map(([rk, r]) => {
      if (!isObject(r)) bad(`${where}.relations.${rk}`, 'expected an object');
      const refs = Array.isArray(r.relation_references) ? r.relation_references : [];
      const subjects = refs.map((ref, i) => {
        const at = `${where}.relations.${rk}.relation_references[${i}]`;
        if (!isObject(ref)) bad(at, 'expected an object');
        const type = name(ref.type, `${at}.type`);
        return ref.relation === undefined || ref.relation === '' ? type : `${type}#${name(ref.relation, `${at}.relation`)}`;
      });
      return { name: name(r.name ?? rk, `${where}.relations.${rk}.name`), subjects: [...new Set(subjects)].sort() };
    });
    const permissions = entries(def.permissions, `${where}.permissions`).map(([pk, p]) =>
      name(isObject(p) ? (p.name ?? pk) : pk, `${where}.permissions.${pk}`),
    );
    const attributes = entries(def.attributes, `${where}.attributes`).map(([ak, a]) => {
      if (!isObject(a)) bad(`${where}.attributes.${ak}`, 'expected an object');
      return { name: name(a.name ?? ak, `${where}.attributes.${ak}.name`), type: attributeType(a.type, `${where}.attributes.${ak}.type`) };
    });
    return { name: entity, relations: relations.sort(byName), permissions: permissions.sort(), attributes: attributes.sort(byName) };
  });
  const rules: RuleTypeModel[] = entries(definition.rule_definitions, 'rule_definitions').map(([key, def]) => {
    const where = `rule_definitions.${key}`;
    if (!isObject(def)) bad(where, 'expected an object');
    const params = entries(def.arguments, `${where}.arguments`).map(([pk, t]) => ({
      name: name(pk, `${where}.arguments.${pk}`),
      type: attributeType(t, `${where}.arguments.${pk}`),
    }));
    return { name: name(def.name ?? key, `${where}.name`), params };
  });
  return { entities: entities.sort(byName), rules: rules.sort(byName) };
}

/**
 * The content hash of a schema's type model: `sha256:` and 64 hex digits over its canonical JSON. It changes
 * when a name or a type that application code can use changes, and not for comments, order or permission bodies.
 * `gatehouse generate` writes it into the generated file; the PDPs report it for drift detection.
 *
 * @example
 * ```ts
 * schemaHash(schemaTypeModel(definition)); // 'sha256:3f…'
 * ```
 */
export function schemaHash(model: SchemaTypeModel): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(model)).digest('hex')}`;
}
