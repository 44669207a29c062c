import { InvalidRequestError } from '../errors.js';
import { TENANT_PATTERN } from '../parse.js';
import type { RequestLike, TenantResolver } from '../resolvers.js';
import { httpAnswer } from './http-answer.js';
import type { HttpAnswer } from './http-answer.js';

/** How an adapter treats the tenant of a request. */
export interface TenantPolicy {
  /** The tenant of requests that name none (with `missingTenant: 'default'`). */
  readonly defaultTenant: string;
  /**
   * A request without a tenant: `'default'` uses `defaultTenant`, `'reject'` answers 400 (reason `missing_tenant`).
   * @defaultValue 'default'
   */
  readonly missingTenant?: 'default' | 'reject';
}

/**
 * The tenant of a request, or the 400 answer when it names none (with `missingTenant: 'reject'`, reason
 * `missing_tenant`) or a malformed one (reason `invalid_tenant`). A resolver never grants anything: a subject with
 * no standing in the tenant is denied by the check itself.
 * @param resolve - the tenant resolver (`fromHeader('x-tenant-id')`, `firstOf(...)`, …).
 * @param req - the request.
 * @param policy - the default tenant and what to do when the request names none.
 * @returns the tenant id, or a 400 answer.
 * @example
 * ```ts
 * const tenant = resolveRequestTenant(fromHeader('x-tenant-id'), req, { defaultTenant: 't1' });
 * if (typeof tenant !== 'string') return res.status(tenant.status).json(tenant.body);
 * ```
 */
export function resolveRequestTenant(resolve: TenantResolver, req: RequestLike, policy: TenantPolicy): string | HttpAnswer {
  const tenant: unknown = resolve(req);
  if (tenant === undefined || tenant === '') {
    if (policy.missingTenant === 'reject') return httpAnswer(400, 'missing tenant: the request names no tenant', 'missing_tenant');
    return policy.defaultTenant;
  }
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) {
    return httpAnswer(400, InvalidRequestError.badTenant(tenant).message, 'invalid_tenant');
  }
  return tenant;
}
