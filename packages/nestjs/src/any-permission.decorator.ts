import { InvalidRequestError } from '@gatehouse/core';
import { ANY_PERMISSION_METADATA } from './constants.js';
import { classOrMethod, toRequirement } from './requirement.js';
import type { ClassOrMethodDecorator, PermissionSpec, Requirement } from './requirement.js';

/**
 * Requires at least one of several permissions. Combines with `@Permission()` (all of those must allow too)
 * and with other `@AnyPermission()` (each group must have one allowing permission).
 *
 * @param specs - a non-empty list of `{ action, resourceType, id? }`
 * @throws {@link InvalidRequestError} when the list is empty or an item is malformed (at definition time)
 * @example
 * ```ts
 * @Delete(':id')
 * @AnyPermission([
 *   { action: 'delete', resourceType: 'document', id: fromParam('id') },
 *   { action: 'admin', resourceType: 'tenant' },
 * ])
 * remove(@Param('id') id: string) { … }
 * ```
 * @publicApi
 */
export function AnyPermission(specs: readonly PermissionSpec[]): ClassOrMethodDecorator {
  if (!Array.isArray(specs) || specs.length === 0) {
    throw new InvalidRequestError('@AnyPermission(): expected a non-empty array of { action, resourceType, id? }');
  }
  const group: Requirement[] = specs.map((spec: unknown, i) => {
    if (typeof spec !== 'object' || spec === null) {
      throw new InvalidRequestError(`@AnyPermission(): expected item ${i} to be { action, resourceType, id? }`);
    }
    const { action, resourceType, ...options } = spec as PermissionSpec;
    return toRequirement(`@AnyPermission() item ${i}`, action, resourceType, options);
  });
  return classOrMethod(ANY_PERMISSION_METADATA, Object.freeze(group));
}
