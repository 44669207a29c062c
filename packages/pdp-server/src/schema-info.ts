function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  return isRecord(v) ? Object.keys(v).length : 0;
}

/**
 * The resource types of a compiled schema (`schemas/read`'s definition): entity types that declare at
 * least one permission, except the `tenant` entity, which stands for the tenant itself.
 */
export function resourceTypes(definition: unknown): string[] {
  if (!isRecord(definition)) return [];
  const defs = definition.entity_definitions ?? definition.entityDefinitions ?? definition.entities;
  const entries: [string, unknown][] = Array.isArray(defs)
    ? defs.filter(isRecord).map((d) => [String(d.name), d])
    : isRecord(defs)
      ? Object.entries(defs)
      : [];
  return entries
    .filter(([name, d]) => name !== 'tenant' && isRecord(d) && count(d.permissions) > 0)
    .map(([name]) => name)
    .sort();
}

/** The permission names of one entity type of a compiled schema (empty when unknown). */
export function permissionNames(definition: unknown, type: string): string[] {
  if (!isRecord(definition)) return [];
  const defs = definition.entity_definitions ?? definition.entityDefinitions;
  const entity = isRecord(defs) ? defs[type] : undefined;
  if (!isRecord(entity)) return [];
  const perms = entity.permissions;
  if (Array.isArray(perms)) return perms.filter(isRecord).map((p) => String(p.name));
  return isRecord(perms) ? Object.keys(perms) : [];
}
