import { createMongoAbility } from '@casl/ability';
import type { AbilityOptionsOf, MongoAbility, RawRuleOf } from '@casl/ability';
import { InvalidRequestError, parseResource } from '@gatehouse/core';
import type { BoundGate, CallOptions, CheckContext, SchemaTypes, SubjectInput, UntypedSchema } from '@gatehouse/core';

import { conditionsFromSchema, schemaTypes } from './schema-conditions.js';
import type { ConditionsByType, SchemaDefinition } from './schema-conditions.js';
import type { SchemaAbility } from './schema-ability.js';

/** A `Gatehouse` client (anything with `bind(tenant, subject)`) or a request's `BoundGate` (`req.gate`). */
export type AbilityGate = BoundGate | { bind(tenant: string, subject: SubjectInput): BoundGate };

/** One rule of a Gatehouse ability: `can` rules only, by type or with Mongo-style conditions. */
export type GatehouseRawRule = RawRuleOf<MongoAbility>;

/** Options of {@link abilityFor} and {@link rulesFor}. */
export interface AbilityOptions extends CallOptions {
  /** Tenant of the ability. Required with a `Gatehouse`; with a `BoundGate` it must match when given. */
  readonly tenant?: string;
  /** Subject of the ability. Required with a `Gatehouse`; with a `BoundGate` it is ignored. */
  readonly subject?: SubjectInput;
  /**
   * What the ability covers: a type (`'document'`: type-level rules plus an id lookup per action, so every
   * instance is answered) or one instance (`'document:1'`: that instance's permissions). Defaults to every
   * entity type of `schema` when one is given.
   */
  readonly resources?: readonly string[];
  /** Actions to include. Defaults to every permission the type-level answer names. */
  readonly actions?: readonly string[];
  /**
   * The object field holding the id in instance rules (`{ [fieldName]: { $in: [...] } }`).
   * @defaultValue `'id'`
   */
  readonly fieldName?: string;
  /** How the ability finds an object's type; passed to `createMongoAbility`. CASL's default when absent. */
  readonly detectSubjectType?: (object: Record<PropertyKey, unknown>) => string;
  /**
   * The compiled schema (`(await engine.readSchema(tenant)).definition`, or the PDP server's `schemas/read`).
   * When given, boolean-attribute parts of permissions become Mongo-style conditions on the object's fields.
   */
  readonly schema?: SchemaDefinition;
  /** Request-time data passed to every call. */
  readonly context?: CheckContext;
}

function bindGate(gate: AbilityGate, options: AbilityOptions): BoundGate {
  if ('bind' in gate) {
    if (options.tenant === undefined) {
      throw InvalidRequestError.badValue('options.tenant', undefined, 'a tenant id when abilityFor is given a Gatehouse');
    }
    if (options.subject === undefined) {
      throw InvalidRequestError.badValue('options.subject', undefined, 'a subject when abilityFor is given a Gatehouse');
    }
    return gate.bind(options.tenant, options.subject);
  }
  if (options.tenant !== undefined && options.tenant !== gate.tenant) {
    throw InvalidRequestError.badValue('options.tenant', options.tenant, `the bound gate's tenant "${gate.tenant}"`);
  }
  return gate;
}

interface Plan {
  readonly byType: Map<string, { lookup: boolean; ids: Set<string> }>;
}

function planOf(options: AbilityOptions): Plan {
  const resources = options.resources ?? (options.schema === undefined ? undefined : schemaTypes(options.schema));
  if (resources === undefined || !Array.isArray(resources)) {
    throw InvalidRequestError.badValue(
      'options.resources',
      options.resources,
      'a list of resource types or "type:id" strings (or options.schema)',
    );
  }
  const list: readonly string[] = resources;
  const byType = new Map<string, { lookup: boolean; ids: Set<string> }>();
  for (const input of list) {
    const resource = parseResource(input);
    let entry = byType.get(resource.type);
    if (entry === undefined) {
      entry = { lookup: false, ids: new Set() };
      byType.set(resource.type, entry);
    }
    if (resource.id === undefined) entry.lookup = true;
    else entry.ids.add(resource.id);
  }
  return { byType };
}

/**
 * Computes the CASL rules of a subject in a tenant from Gatehouse decisions. Only `can` rules are made:
 * an action allowed by type (docs/architecture.md#tenancy: allowed for every instance) becomes a rule without conditions; other
 * actions become `{ [fieldName]: { $in: ids } }` from a lookup (types) and from the listed instances'
 * permissions; with `schema`, attribute-only parts of permissions become conditions on the object's fields.
 * @param gate - a `Gatehouse` client or a `BoundGate`.
 * @param options - tenant, subject, resources and the rest of {@link AbilityOptions}.
 * @returns raw rules, ready for `createMongoAbility` or `packRules`.
 * @throws {@link InvalidRequestError} for a bad tenant, subject, resource or option.
 * @throws `PdpUnavailableError` (or another `GatehouseError`) when the PDP fails.
 * @example
 * ```ts
 * const rules = await rulesFor(gate, { tenant: 'acme', subject: 'alice', resources: ['document'] });
 * ```
 */
export async function rulesFor(gate: AbilityGate, options: AbilityOptions): Promise<GatehouseRawRule[]> {
  const bound = bindGate(gate, options);
  const plan = planOf(options);
  const fieldName = options.fieldName ?? 'id';
  if (typeof fieldName !== 'string' || fieldName.length === 0) {
    throw InvalidRequestError.badValue('options.fieldName', fieldName, 'a non-empty field name');
  }
  const callOptions = {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.context === undefined ? {} : { context: options.context }),
  };
  const conditions: ConditionsByType =
    options.schema === undefined ? new Map() : conditionsFromSchema(options.schema, [...plan.byType.keys()]);

  const perType = await Promise.all(
    [...plan.byType].map(async ([type, entry]): Promise<GatehouseRawRule[]> => {
      const byType = await bound.permissions(type, callOptions);
      const actions = options.actions ?? Object.keys(byType);
      const rules: GatehouseRawRule[] = [];
      const allowedByType = actions.filter((action) => byType[action] === true);
      if (allowedByType.length > 0) rules.push({ action: allowedByType, subject: type });
      const rest = actions.filter((action) => byType[action] !== true);
      if (rest.length === 0) return rules;

      const ids = new Map<string, Set<string>>(rest.map((action) => [action, new Set<string>()]));
      const lookups = entry.lookup
        ? rest.map(async (action) => {
            for (const id of await bound.lookupResources(action, type, callOptions)) ids.get(action)?.add(id);
          })
        : [];
      const instances = [...entry.ids].map(async (id) => {
        const permissions = await bound.permissions({ type, id }, callOptions);
        for (const action of rest) if (permissions[action] === true) ids.get(action)?.add(id);
      });
      await Promise.all([...lookups, ...instances]);

      for (const action of rest) {
        const list = [...(ids.get(action) ?? [])].sort();
        if (list.length > 0) rules.push({ action, subject: type, conditions: { [fieldName]: { $in: list } } });
        for (const condition of conditions.get(type)?.get(action) ?? []) {
          rules.push({ action, subject: type, conditions: condition });
        }
      }
      return rules;
    }),
  );
  return perType.flat();
}

/**
 * Builds a CASL `MongoAbility` for a subject in a tenant, answering like the gate: for a listed type,
 * `ability.can('edit', subject('document', { id: '1' }))` is what `gate.can('alice', 'edit', 'document:1')`
 * says at the time the ability was built. Rebuild it (or `ability.update(await rulesFor(...))`) on change.
 * @param gate - a `Gatehouse` client or a `BoundGate` (`req.gate`).
 * @param options - see {@link AbilityOptions}.
 * @returns a `MongoAbility` holding only `can` rules.
 * @throws {@link InvalidRequestError} for a bad tenant, subject, resource or option.
 * @throws `PdpUnavailableError` (or another `GatehouseError`) when the PDP fails: there is no
 *   fail-closed value for a whole rule set, so the caller decides (the handlers answer 503).
 * @example
 * ```ts
 * import { subject } from '@casl/ability';
 * const ability = await abilityFor(gate, { tenant: 'acme', subject: 'alice', resources: ['document'] });
 * ability.can('edit', subject('document', { id: '1' })); // same answer as gate.can('alice', 'edit', 'document:1')
 * // Typed by a generated schema: abilityFor<Schema>(…) is a SchemaAbility<Schema>, and can('edti', …) does not compile.
 * ```
 */
export async function abilityFor<S extends SchemaTypes = UntypedSchema>(
  gate: AbilityGate,
  options: AbilityOptions,
): Promise<SchemaAbility<S>> {
  const rules = await rulesFor(gate, options);
  const abilityOptions: AbilityOptionsOf<MongoAbility> =
    options.detectSubjectType === undefined ? {} : { detectSubjectType: options.detectSubjectType };
  return createMongoAbility(rules, abilityOptions) as SchemaAbility<S>;
}
