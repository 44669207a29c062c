/** What the admin service reads from a tenant's schema: its roles and which names `tenant` defines. @internal */
export interface TenantModel {
  /** Relations of `tenant` with a plain `@user` subject, sorted. */
  readonly roles: readonly string[];
  /** Every relation and permission name of `tenant`. */
  readonly names: ReadonlySet<string>;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Reads the `tenant` entity of a schema in Permify's compiled JSON (what `Engine.readSchema` returns as
 * `definition`). A schema without `entity tenant` has no roles and defines no delegation permission, so every
 * management call is refused (fail closed).
 * @internal
 */
export function tenantModel(definition: unknown, subjectType = 'user'): TenantModel {
  const root = record(definition);
  const entities = record(root?.entity_definitions ?? root?.entityDefinitions);
  const tenant = record(entities?.tenant);
  const relations = record(tenant?.relations) ?? {};
  const permissions = record(tenant?.permissions) ?? {};
  const roles: string[] = [];
  for (const [name, rel] of Object.entries(relations)) {
    const refs = record(rel)?.relation_references ?? record(rel)?.relationReferences;
    if (!Array.isArray(refs)) continue;
    const plain = refs.some((r) => {
      const ref = record(r);
      return ref?.type === subjectType && (ref.relation === undefined || ref.relation === '');
    });
    if (plain) roles.push(name);
  }
  roles.sort();
  return { roles, names: new Set([...Object.keys(relations), ...Object.keys(permissions)]) };
}
