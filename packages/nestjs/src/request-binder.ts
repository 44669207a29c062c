import { resolveRequestTenant, unauthenticatedAnswer } from '@gatehouse/core/adapter';
import type { BoundGate, RequestLike, SubjectInput } from '@gatehouse/core';

import type { GatehouseModuleOptions } from './gatehouse-options.interface.js';
import { httpException } from './http-errors.js';

/** A request as the guard sees it: what every platform gives, plus `gate` once bound. */
export type GatehouseRequest = RequestLike & { gate?: BoundGate };

/** @internal The tenant of a request, or an HTTP 400 when it is missing (with `reject`) or malformed. */
export function resolveTenant(options: GatehouseModuleOptions, req: RequestLike, fallback: string): string {
  const missingTenant = options.missingTenant ?? 'default';
  const tenant = resolveRequestTenant(options.tenant, req, { defaultTenant: options.defaultTenant ?? fallback, missingTenant });
  if (typeof tenant === 'string') return tenant;
  throw httpException(tenant);
}

/** @internal The authenticated subject of a request, or an HTTP 401. */
export function resolveSubject(options: GatehouseModuleOptions, req: RequestLike): SubjectInput {
  const subject = options.subject(req);
  if (subject === undefined || subject === '') throw httpException(unauthenticatedAnswer());
  return subject;
}
