import type { MongoQuery } from '@casl/ability';

/**
 * A permission body in Permify's compiled JSON (what `engine.readSchema(t).definition` and the PDP server's
 * `schemas/read` return, permify.md §1.5). Both snake_case (REST) and camelCase (protojson) keys are read.
 */
export type SchemaChild = Readonly<Record<string, unknown>>;

/** Permify's compiled schema JSON: `{ entity_definitions: { document: { permissions, references, … } } }`. */
export type SchemaDefinition = Readonly<Record<string, unknown>>;

/** Mongo-style conditions per entity type and action. */
export type ConditionsByType = ReadonlyMap<string, ReadonlyMap<string, MongoQuery>>;

type Cond = MongoQuery | false;

function obj(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function pick(o: Readonly<Record<string, unknown>> | undefined, snake: string, camel: string): unknown {
  return o === undefined ? undefined : (o[snake] ?? o[camel]);
}

function or(a: Cond, b: Cond): Cond {
  if (a === false) return b;
  if (b === false) return a;
  return { $or: [a, b] };
}

function and(a: Cond, b: Cond): Cond {
  if (a === false || b === false) return false;
  return { $and: [a, b] };
}

class Translator {
  private readonly entity: Readonly<Record<string, unknown>>;
  private readonly visiting = new Set<string>();

  public constructor(entity: Readonly<Record<string, unknown>>) {
    this.entity = entity;
  }

  /** A condition on the object's own attributes under which the permission surely holds, or `false`. */
  public sure(name: string): Cond {
    const permissions = obj(pick(this.entity, 'permissions', 'permissions'));
    const permission = obj(permissions?.[name]);
    if (permission === undefined || this.visiting.has(name)) return false;
    this.visiting.add(name);
    try {
      return this.pos(obj(permission.child));
    } finally {
      this.visiting.delete(name);
    }
  }

  private isAttribute(name: string): boolean {
    const attributes = obj(pick(this.entity, 'attributes', 'attributes'));
    return attributes?.[name] !== undefined;
  }

  /** When the expression is surely true. Relations, walks and rule calls are unknown: never sure. */
  private pos(child: Readonly<Record<string, unknown>> | undefined): Cond {
    const leaf = obj(child?.leaf);
    if (leaf !== undefined) {
      const attr = obj(pick(leaf, 'computed_attribute', 'computedAttribute'));
      const name = attr?.name;
      if (typeof name === 'string') return { [name]: true };
      const userSet = obj(pick(leaf, 'computed_user_set', 'computedUserSet'));
      const relation = userSet?.relation;
      if (typeof relation === 'string') {
        if (this.isAttribute(relation)) return { [relation]: true };
        return this.sure(relation);
      }
      return false;
    }
    return this.rewrite(child, false);
  }

  /** When the expression is surely false. */
  private neg(child: Readonly<Record<string, unknown>> | undefined): Cond {
    const leaf = obj(child?.leaf);
    if (leaf !== undefined) {
      const attr = obj(pick(leaf, 'computed_attribute', 'computedAttribute'));
      const name = attr?.name;
      if (typeof name === 'string') return { [name]: { $ne: true } };
      return false;
    }
    return this.rewrite(child, true);
  }

  private rewrite(child: Readonly<Record<string, unknown>> | undefined, negated: boolean): Cond {
    const rewrite = obj(child?.rewrite);
    const op = pick(rewrite, 'rewrite_operation', 'rewriteOperation');
    const children = pick(rewrite, 'children', 'children');
    if (!Array.isArray(children) || children.length === 0) return false;
    const parts = children.map((c) => obj(c));
    const fold = (f: (a: Cond, b: Cond) => Cond, each: (c: Readonly<Record<string, unknown>> | undefined) => Cond): Cond =>
      parts.slice(1).reduce<Cond>((acc, c) => f(acc, each(c)), each(parts[0]));
    const pos = (c: Readonly<Record<string, unknown>> | undefined): Cond => this.pos(c);
    const neg = (c: Readonly<Record<string, unknown>> | undefined): Cond => this.neg(c);
    switch (op) {
      case 'OPERATION_UNION':
        return negated ? fold(and, neg) : fold(or, pos);
      case 'OPERATION_INTERSECTION':
        return negated ? fold(or, neg) : fold(and, pos);
      case 'OPERATION_EXCLUSION': {
        // a not b: surely true when a surely holds and b surely fails; surely false when a fails or b holds.
        const [first, ...rest] = parts;
        if (negated) return rest.reduce<Cond>((acc, c) => or(acc, this.pos(c)), this.neg(first));
        return rest.reduce<Cond>((acc, c) => and(acc, this.neg(c)), this.pos(first));
      }
      default:
        return false;
    }
  }
}

/**
 * Translates the attribute-only part of each permission into a Mongo-style condition: the condition an
 * object's own fields must meet for the permission to hold whatever the relations say. Boolean attribute
 * leaves and `and` / `or` / `not` over them translate; relations, `a.b` walks and CEL rule calls do not
 * (they are answered per instance by the PDP instead).
 * @internal
 */
export function conditionsFromSchema(definition: SchemaDefinition, types: readonly string[]): ConditionsByType {
  const entities = obj(pick(definition, 'entity_definitions', 'entityDefinitions'));
  const result = new Map<string, Map<string, MongoQuery>>();
  for (const type of types) {
    const entity = obj(entities?.[type]);
    const permissions = obj(entity?.permissions);
    if (entity === undefined || permissions === undefined) continue;
    const translator = new Translator(entity);
    const byAction = new Map<string, MongoQuery>();
    for (const name of Object.keys(permissions)) {
      const cond = translator.sure(name);
      if (cond !== false) byAction.set(name, cond);
    }
    if (byAction.size > 0) result.set(type, byAction);
  }
  return result;
}

/** Entity types declared in a compiled schema. @internal */
export function schemaTypes(definition: SchemaDefinition): string[] {
  const entities = obj(pick(definition, 'entity_definitions', 'entityDefinitions'));
  return entities === undefined ? [] : Object.keys(entities);
}
