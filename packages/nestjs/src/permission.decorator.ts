import { PERMISSIONS_METADATA } from './constants.js';
import { classOrMethod, toRequirement } from './requirement.js';
import type { ClassOrMethodDecorator, PermissionOptions } from './requirement.js';

/**
 * Requires a permission for a route: the {@link PermissionGuard} checks `action` on the resource of type
 * `resourceType` (with the id `options.id` resolves) for the request's subject in the request's tenant.
 *
 * On a controller it applies to every handler. Several `@Permission()` on one handler (or on the handler
 * and its controller) must all allow. The arguments are validated when the class is defined.
 *
 * @param action - the permission or relation name, e.g. `'edit'`
 * @param resourceType - the entity type, e.g. `'document'`
 * @param options - `{ id }`: where the resource id comes from; none means a type-level check
 * @throws {@link InvalidRequestError} when an argument is malformed (at definition time)
 * @example
 * ```ts
 * @Controller('documents')
 * export class DocumentsController {
 *   @Patch(':id')
 *   @Permission('edit', 'document', { id: fromParam('id') })
 *   update(@Param('id') id: string) { … }
 * }
 * ```
 * @publicApi
 */
export function Permission(action: string, resourceType: string, options?: PermissionOptions): ClassOrMethodDecorator {
  return classOrMethod(PERMISSIONS_METADATA, toRequirement('@Permission()', action, resourceType, options));
}
