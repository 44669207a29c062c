import type { MongoQuery } from '@casl/ability';

/**
 * A permission body in Permify's compiled JSON (what `engine.readSchema(t).definition` and the PDP server's
 * `schemas/read` return, permify.md §1.5). Both snake_case (REST) and camelCase (protojson) keys are read.
 */
export type SchemaChild = Readonly<Record<string, unknown>>;

/** Permify's compiled schema JSON: `{ entity_definitions: { document: { permissions, references, … } } }`. */
export type SchemaDefinition = Readonly<Record<string, unknown>>;

/** Mongo-style conditions per entity type and action; each is one `can` rule (the rules of an action are OR-ed). */
export type ConditionsByType = ReadonlyMap<string, ReadonlyMap<string, readonly MongoQuery[]>>;

/**
 * A condition in disjunctive normal form: OR of conjunctions, each mapping a boolean attribute to `true`
 * (`=== true`) or `false` (`!== true`). An empty list is "never sure". CASL's default Mongo matcher has no
 * top-level `$and` / `$or`, so each conjunction becomes its own rule.
 */
type Cond = readonly ReadonlyMap<string, boolean>[];

/** Past this many conjunctions a condition is dropped: fewer allow-rules is always sound. */
const MAX_CONJUNCTIONS = 32;

function obj(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function pick(o: Readonly<Record<string, unknown>> | undefined, snake: string, camel: string): unknown {
  return o === undefined ? undefined : (o[snake] ?? o[camel]);
}

function cap(c: Cond): Cond {
  return c.length > MAX_CONJUNCTIONS ? [] : c;
}

function or(a: Cond, b: Cond): Cond {
  return cap([...a, ...b]);
}

function and(a: Cond, b: Cond): Cond {
  const out: ReadonlyMap<string, boolean>[] = [];
  for (const x of a) {
    for (const y of b) {
      const merged = new Map(x);
      let consistent = true;
      for (const [field, value] of y) {
        if (merged.get(field) === !value) consistent = false;
        merged.set(field, value);
      }
      if (consistent) out.push(merged);
    }
  }
  return cap(out);
}

function atom(field: string, value: boolean): Cond {
  return [new Map([[field, value]])];
}

function toQuery(conj: ReadonlyMap<string, boolean>): MongoQuery {
  const query: Record<string, unknown> = {};
  for (const [field, value] of conj) query[field] = value ? true : { $ne: true };
  return query;
}

class Translator {
  private readonly entity: Readonly<Record<string, unknown>>;
  private readonly visiting = new Set<string>();

  public constructor(entity: Readonly<Record<string, unknown>>) {
    this.entity = entity;
  }

  /** The conditions on the object's own attributes under which the permission surely holds. */
  public sure(name: string): Cond {
    const permissions = obj(pick(this.entity, 'permissions', 'permissions'));
    const permission = obj(permissions?.[name]);
    if (permission === undefined || this.visiting.has(name)) return [];
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
      if (typeof name === 'string') return atom(name, true);
      const userSet = obj(pick(leaf, 'computed_user_set', 'computedUserSet'));
      const relation = userSet?.relation;
      if (typeof relation === 'string') {
        if (this.isAttribute(relation)) return atom(relation, true);
        return this.sure(relation);
      }
      return [];
    }
    return this.rewrite(child, false);
  }

  /** When the expression is surely false. */
  private neg(child: Readonly<Record<string, unknown>> | undefined): Cond {
    const leaf = obj(child?.leaf);
    if (leaf !== undefined) {
      const attr = obj(pick(leaf, 'computed_attribute', 'computedAttribute'));
      const name = attr?.name;
      if (typeof name === 'string') return atom(name, false);
      const relation = obj(pick(leaf, 'computed_user_set', 'computedUserSet'))?.relation;
      if (typeof relation === 'string' && this.isAttribute(relation)) return atom(relation, false);
      return [];
    }
    return this.rewrite(child, true);
  }

  private rewrite(child: Readonly<Record<string, unknown>> | undefined, negated: boolean): Cond {
    const rewrite = obj(child?.rewrite);
    const op = pick(rewrite, 'rewrite_operation', 'rewriteOperation');
    const children = pick(rewrite, 'children', 'children');
    if (!Array.isArray(children) || children.length === 0) return [];
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
        return [];
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
  const result = new Map<string, Map<string, MongoQuery[]>>();
  for (const type of types) {
    const entity = obj(entities?.[type]);
    const permissions = obj(entity?.permissions);
    if (entity === undefined || permissions === undefined) continue;
    const translator = new Translator(entity);
    const byAction = new Map<string, MongoQuery[]>();
    for (const name of Object.keys(permissions)) {
      const cond = translator.sure(name);
      if (cond.length > 0) byAction.set(name, cond.map(toQuery));
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
