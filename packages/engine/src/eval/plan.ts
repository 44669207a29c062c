import type {
  AttributeType,
  CompiledSchema,
  EntityDefinition,
  PermissionExpr,
  RelationDefinition,
  RuleDefinition,
} from '../schema/ir.js';
import type { MemoryStore } from '../store/memory-store.js';

/** A member of an entity with its name interned. */
export type MemberPlan =
  | {
      readonly kind: 'relation';
      readonly name: string;
      readonly id: number;
      readonly def: RelationDefinition;
      /** The implicit `tenant` relation: its one subject is `tenant:<request tenant>`. */
      readonly implicit: boolean;
    }
  | { readonly kind: 'permission'; readonly name: string; readonly id: number; readonly expr: ExprPlan }
  | { readonly kind: 'attribute'; readonly name: string; readonly id: number; readonly type: AttributeType };

/** A permission expression with names interned and implicit `tenant` hops marked. */
export type ExprPlan =
  | { readonly kind: 'union' | 'intersection' | 'exclusion'; readonly left: ExprPlan; readonly right: ExprPlan }
  | { readonly kind: 'computedUserSet'; readonly name: string }
  | { readonly kind: 'computedAttribute'; readonly name: string }
  | {
      readonly kind: 'tupleToUserSet';
      readonly tupleSet: string;
      readonly tupleSetId: number;
      readonly computed: string;
      /** `tenant.x` on an entity without its own `tenant` member: the hop goes to `tenant:<request tenant>`. */
      readonly implicitTenant: boolean;
    }
  | {
      readonly kind: 'call';
      readonly rule: RuleDefinition;
      readonly args: readonly { readonly name: string; readonly id: number; readonly type: AttributeType }[];
    };

/** An entity of a schema, ready to evaluate. */
export interface EntityPlan {
  readonly name: string;
  readonly typeId: number;
  readonly def: EntityDefinition;
  readonly members: ReadonlyMap<string, MemberPlan>;
  /** Members by interned name id. */
  readonly byId: ReadonlyMap<number, MemberPlan>;
  /** The schema has `entity tenant` and this entity declares no member named `tenant`. */
  readonly implicitTenant: boolean;
}

/** A compiled schema bound to the name ids of one store. */
export interface SchemaPlan {
  readonly schema: CompiledSchema;
  readonly entities: ReadonlyMap<string, EntityPlan>;
  readonly byTypeId: ReadonlyMap<number, EntityPlan>;
  /** The `tenant` entity, when the schema has one. */
  readonly tenantEntity: EntityPlan | undefined;
}

export const TENANT_ENTITY = 'tenant';

/** Interns every name of a schema in the store and resolves the implicit `tenant` relation (docs/architecture.md#tenancy). */
export function planSchema(schema: CompiledSchema, store: MemoryStore): SchemaPlan {
  const hasTenant = schema.entities.has(TENANT_ENTITY);
  const entities = new Map<string, EntityPlan>();
  const byTypeId = new Map<number, EntityPlan>();
  for (const def of schema.entities.values()) {
    const own = def.relations.get(TENANT_ENTITY);
    // The compiler adds the implicit relation (marked `implicit`); hand-built IR may leave it out.
    const implicitTenant = hasTenant && (own === undefined ? !def.members.has(TENANT_ENTITY) : own.implicit === true);
    const members = new Map<string, MemberPlan>();
    for (const r of def.relations.values()) {
      for (const ref of r.references) {
        store.nameId(ref.type);
        if (ref.relation !== undefined) store.nameId(ref.relation);
      }
      members.set(r.name, { kind: 'relation', name: r.name, id: store.nameId(r.name), def: r, implicit: r.implicit === true });
    }
    for (const a of def.attributes.values()) members.set(a.name, { kind: 'attribute', name: a.name, id: store.nameId(a.name), type: a.type });
    for (const p of def.permissions.values()) {
      members.set(p.name, { kind: 'permission', name: p.name, id: store.nameId(p.name), expr: planExpr(p.expr, def, implicitTenant, schema, store) });
    }
    const byId = new Map<number, MemberPlan>();
    for (const m of members.values()) byId.set(m.id, m);
    if (implicitTenant && !members.has(TENANT_ENTITY)) {
      const def0 = { name: TENANT_ENTITY, references: [{ type: TENANT_ENTITY }], implicit: true };
      members.set(TENANT_ENTITY, { kind: 'relation', name: TENANT_ENTITY, id: store.nameId(TENANT_ENTITY), def: def0, implicit: true });
    }
    const plan: EntityPlan = { name: def.name, typeId: store.nameId(def.name), def, members, byId, implicitTenant };
    entities.set(def.name, plan);
    byTypeId.set(plan.typeId, plan);
  }
  if (hasTenant) store.nameId(TENANT_ENTITY);
  return { schema, entities, byTypeId, tenantEntity: entities.get(TENANT_ENTITY) };
}

function planExpr(expr: PermissionExpr, def: EntityDefinition, implicitTenant: boolean, schema: CompiledSchema, store: MemoryStore): ExprPlan {
  switch (expr.kind) {
    case 'union':
    case 'intersection':
    case 'exclusion':
      return {
        kind: expr.kind,
        left: planExpr(expr.left, def, implicitTenant, schema, store),
        right: planExpr(expr.right, def, implicitTenant, schema, store),
      };
    case 'computedUserSet':
      return { kind: 'computedUserSet', name: expr.relation };
    case 'computedAttribute':
      return { kind: 'computedAttribute', name: expr.attribute };
    case 'tupleToUserSet':
      store.nameId(expr.computed);
      return {
        kind: 'tupleToUserSet',
        tupleSet: expr.tupleSet,
        tupleSetId: store.nameId(expr.tupleSet),
        computed: expr.computed,
        implicitTenant: implicitTenant && expr.tupleSet === TENANT_ENTITY,
      };
    case 'call': {
      const rule = schema.rules.get(expr.rule);
      if (rule === undefined) throw new Error(`rule ${expr.rule} is not in the compiled schema`);
      return {
        kind: 'call',
        rule,
        args: expr.args.map((name) => ({
          name,
          id: store.nameId(name),
          type: def.attributes.get(name)?.type ?? rule.params.find((p) => p.name === name)?.type ?? 'boolean',
        })),
      };
    }
  }
}

/** The zero value of an attribute type (Permify's default for a missing rule argument). */
export function zeroValue(type: AttributeType): unknown {
  switch (type) {
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'integer':
      return 0;
    case 'double':
      return 0;
    case 'boolean[]':
    case 'string[]':
    case 'integer[]':
    case 'double[]':
      return [];
  }
}
