import type { AttributeType, CompiledSchema, PermissionExpr } from './ir.js';

/** A JSON value of Permify's compiled schema (`schemas/read`, permify.md §1.5). */
export type PermifyJson = string | number | boolean | null | PermifyJson[] | { [key: string]: PermifyJson };

const ATTRIBUTE_TYPES: Readonly<Record<AttributeType, string>> = {
  boolean: 'ATTRIBUTE_TYPE_BOOLEAN',
  'boolean[]': 'ATTRIBUTE_TYPE_BOOLEAN_ARRAY',
  string: 'ATTRIBUTE_TYPE_STRING',
  'string[]': 'ATTRIBUTE_TYPE_STRING_ARRAY',
  integer: 'ATTRIBUTE_TYPE_INTEGER',
  'integer[]': 'ATTRIBUTE_TYPE_INTEGER_ARRAY',
  double: 'ATTRIBUTE_TYPE_DOUBLE',
  'double[]': 'ATTRIBUTE_TYPE_DOUBLE_ARRAY',
};

/** Sets an own property even for keys such as `__proto__`. */
function put(target: Record<string, PermifyJson>, key: string, value: PermifyJson): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const OPERATIONS = { union: 'OPERATION_UNION', intersection: 'OPERATION_INTERSECTION', exclusion: 'OPERATION_EXCLUSION' } as const;

function child(expr: PermissionExpr): PermifyJson {
  switch (expr.kind) {
    case 'union':
    case 'intersection':
    case 'exclusion':
      return { rewrite: { rewrite_operation: OPERATIONS[expr.kind], children: [child(expr.left), child(expr.right)] } };
    case 'computedUserSet':
      return { leaf: { computed_user_set: { relation: expr.relation } } };
    case 'computedAttribute':
      return { leaf: { computed_attribute: { name: expr.attribute } } };
    case 'tupleToUserSet':
      return { leaf: { tuple_to_user_set: { tupleSet: { relation: expr.tupleSet }, computed: { relation: expr.computed } } } };
    case 'call':
      return { leaf: { call: { rule_name: expr.rule, arguments: expr.args.map((name) => ({ computed_attribute: { name } })) } } };
  }
}

/**
 * Renders a compiled schema as Permify's compiled JSON (`schemas/read`): `entity_definitions`,
 * `rule_definitions` and `references`, with proto field names and enum strings. Implicit `tenant` relations
 * are left out (they are not part of the Permify schema). A rule's `expression` carries its CEL source as
 * `{ "expr": text }`, not cel-go's CheckedExpr protobuf.
 *
 * @param schema - A schema from {@link compileSchema}.
 * @returns Plain JSON.
 * @example
 * ```ts
 * toPermifyDefinition(compileSchema('entity user {}')).references; // { user: 'REFERENCE_ENTITY' }
 * ```
 */
export function toPermifyDefinition(schema: CompiledSchema): Record<string, PermifyJson> {
  const entityDefinitions: Record<string, PermifyJson> = {};
  const references: Record<string, PermifyJson> = {};
  for (const entity of schema.entities.values()) {
    const relations: Record<string, PermifyJson> = {};
    const attributes: Record<string, PermifyJson> = {};
    const permissions: Record<string, PermifyJson> = {};
    const refs: Record<string, PermifyJson> = {};
    for (const r of entity.relations.values()) {
      if (r.implicit === true) continue;
      put(relations, r.name, {
        name: r.name,
        relation_references: r.references.map((ref) => ({ type: ref.type, relation: ref.relation ?? '' })),
      });
      put(refs, r.name, 'REFERENCE_RELATION');
    }
    for (const a of entity.attributes.values()) {
      put(attributes, a.name, { name: a.name, type: ATTRIBUTE_TYPES[a.type] });
      put(refs, a.name, 'REFERENCE_ATTRIBUTE');
    }
    for (const p of entity.permissions.values()) {
      put(permissions, p.name, { name: p.name, child: child(p.expr) });
      put(refs, p.name, 'REFERENCE_PERMISSION');
    }
    put(entityDefinitions, entity.name, { name: entity.name, relations, permissions, attributes, references: refs });
    put(references, entity.name, 'REFERENCE_ENTITY');
  }
  const ruleDefinitions: Record<string, PermifyJson> = {};
  for (const rule of schema.rules.values()) {
    const args: Record<string, PermifyJson> = {};
    for (const p of rule.params) put(args, p.name, ATTRIBUTE_TYPES[p.type]);
    put(ruleDefinitions, rule.name, { name: rule.name, arguments: args, expression: { expr: rule.body.trim() } });
    put(references, rule.name, 'REFERENCE_RULE');
  }
  return { entity_definitions: entityDefinitions, rule_definitions: ruleDefinitions, references };
}
