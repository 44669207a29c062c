import { createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { BoundGate } from '@gatehouse/core';

import type { GatehouseRequest } from './request-binding.js';

/**
 * Injects `req.gate`: the client bound to the request's tenant and subject, for checks inside a handler
 * (`await gate.can('edit', 'document:' + id)`, `await gate.lookupResources('view', 'document')`).
 * `undefined` on `@Public()` routes and on open routes of unauthenticated requests.
 *
 * @example
 * ```ts
 * @Get()
 * @Permission('read', 'document')
 * async list(@Gate() gate: BoundGate) { return await gate.lookupResources('view', 'document'); }
 * ```
 * @publicApi
 */
export const Gate = createParamDecorator(
  (_data: unknown, context: ExecutionContext): BoundGate | undefined =>
    context.switchToHttp().getRequest<GatehouseRequest>().gate,
);
