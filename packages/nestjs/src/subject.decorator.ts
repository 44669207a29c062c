import { createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { Subject as GatehouseSubject } from '@gatehouse/core';

import type { GatehouseRequest } from './request-binding.js';

/**
 * Injects the request's subject (`{ type, id }`), as resolved by the {@link PermissionGuard}. `undefined`
 * on `@Public()` routes and on open routes of unauthenticated requests.
 *
 * @example
 * ```ts
 * @Post()
 * @Permission('create', 'document')
 * create(@Subject() subject: Subject) { return this.docs.create(subject.id); }
 * ```
 * @publicApi
 */
export const Subject = createParamDecorator(
  (_data: unknown, context: ExecutionContext): GatehouseSubject | undefined =>
    context.switchToHttp().getRequest<GatehouseRequest>().gate?.subject,
);
