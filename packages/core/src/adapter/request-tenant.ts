import { InvalidRequestError } from '../errors.js';
import { TENANT_PATTERN } from '../parse.js';
import type { RequestLike, TenantResolver } from '../resolvers.js';
import { httpAnswer } from './http-answer.js';
import type { HttpAnswer } from './http-answer.js';

/** How an adapter treats the tenant of a request. */
export interface TenantPolicy {
  /** The tenant of requests that name none (with `missingTenant: 'default'`), and of every request without a resolver. */
  readonly defaultTenant: string;
  /**
   * A request without a tenant: `'reject'` answers 400 (reason `missing_tenant`), `'default'` uses `defaultTenant`.
   * `'default'` is an opt-in: in a multi-tenant app a request that names no tenant must not quietly land in one.
   * @defaultValue 'reject'
   */
  readonly missingTenant?: 'default' | 'reject';
}

/**
 * The tenant of a request, or the 400 answer when it names none (reason `missing_tenant`, unless `missingTenant:
 * 'default'`) or a malformed one (reason `invalid_tenant`). A resolver never grants anything: a subject with no
 * standing in the tenant is denied by the check itself. Without a resolver (a single-tenant app) every request is
 * in `defaultTenant`.
 * @param resolve - the tenant resolver (`fromHeader('x-tenant-id')`, `firstOf(...)`, …), or `undefined`.
 * @param req - the request.
 * @param policy - the default tenant and what to do when the request names none.
 * @returns the tenant id, or a 400 answer.
 * @example
 * ```ts
 * const tenant = resolveRequestTenant(fromHeader('x-tenant-id'), req, { defaultTenant: 't1' }); // 400 when absent
 * if (typeof tenant !== 'string') return res.status(tenant.status).json(tenant.body);
 * ```
 */
export function resolveRequestTenant(
  resolve: TenantResolver | undefined,
  req: RequestLike,
  policy: TenantPolicy,
): string | HttpAnswer {
  if (resolve === undefined) return policy.defaultTenant;
  const tenant: unknown = resolve(req);
  if (tenant === undefined || tenant === null || tenant === '') {
    if (policy.missingTenant === 'default') return policy.defaultTenant;
    return httpAnswer(400, 'missing tenant: the request names no tenant', 'missing_tenant');
  }
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) {
    return httpAnswer(400, InvalidRequestError.badTenant(tenant).message, 'invalid_tenant');
  }
  return tenant;
}
