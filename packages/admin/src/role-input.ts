import { InvalidRequestError } from '@gatehouse/core';
import type { TenantModel } from './schema-roles.js';
import { roleName } from './validate.js';

/** The `roles` of an invitation: 1-32 role names, deduplicated and sorted. @internal */
export function roleList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 32) throw InvalidRequestError.badValue('roles', value, 'a list of 1-32 role names');
  const roles = [...new Set(value.map((r, i) => roleName(r, `roles[${String(i)}]`)))];
  return roles.sort();
}

/** @throws InvalidRequestError naming the tenant's roles when one of `roles` is not among them. @internal */
export function knownRoles(model: TenantModel, roles: readonly string[]): void {
  for (const r of roles) {
    if (!model.roles.includes(r)) throw InvalidRequestError.badValue('role', r, `a role of the tenant (${model.roles.join(', ') || 'it has none'})`);
  }
}
