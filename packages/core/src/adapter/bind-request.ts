import type { RequestLike } from '../resolvers.js';
import type { Subject } from '../types.js';
import type { HttpAnswer } from './http-answer.js';
import type { AdapterConfig } from './options.js';
import { RequestGate } from './request-gate.js';
import { resolveRequestSubject } from './request-subject.js';
import { resolveRequestTenant } from './request-tenant.js';

/**
 * Binds a request to its subject and tenant, the one way every adapter does (docs/adapters.md): the subject
 * first — 401 `unauthenticated` without one, 400 `invalid_subject` for a malformed one (a string is an opaque id
 * of `subjectType`, never parsed; see `resolveRequestSubject`) — then the tenant — 400 `missing_tenant` when the
 * resolver finds none (unless `missingTenant: 'default'`), 400 `invalid_tenant` when malformed.
 *
 * What the resolvers throw is not caught: it is the app's error (the framework's error handling answers it).
 *
 * @param config - the adapter's checked options (`adapterConfig()`).
 * @param req - the request.
 * @param create - builds the gate from the validated tenant and subject (an adapter's own `RequestGate` subclass);
 *   by default a {@link RequestGate} on `config.client`.
 * @returns the request's gate (`.tenant`, `.subject`, checks), or the answer that refuses it.
 * @example
 * ```ts
 * const bound = bindRequest(config, req);
 * if (!(bound instanceof RequestGate)) return res.status(bound.status).json(bound.body);
 * req.gate = bound;
 * ```
 */
export function bindRequest<TReq extends RequestLike, TGate = RequestGate>(
  config: AdapterConfig<TReq>,
  req: TReq,
  create?: (tenant: string, subject: string | Subject) => TGate,
): TGate | HttpAnswer {
  const subject = resolveRequestSubject(config.subject(req), config.subjectPolicy);
  if (typeof subject === 'object' && 'status' in subject) return subject;
  const tenant = resolveRequestTenant(config.tenant as ((req: RequestLike) => string | undefined) | undefined, req, config.tenantPolicy);
  if (typeof tenant !== 'string') return tenant;
  return create === undefined ? (new RequestGate(config.client, tenant, subject) as TGate) : create(tenant, subject);
}
