import { createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';

import type { GatehouseRequest } from './request-binding.js';

/**
 * Injects the request's tenant id, as resolved by the {@link PermissionGuard}. `undefined` on `@Public()`
 * routes and on open routes of unauthenticated requests.
 *
 * @example
 * ```ts
 * @Get()
 * @Permission('read', 'document')
 * list(@Tenant() tenant: string) { return this.docs.list(tenant); }
 * ```
 * @publicApi
 */
export const Tenant = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest<GatehouseRequest>().gate?.tenant,
);
