import express from 'express';
import type { ErrorRequestHandler, Request, RequestHandler, Router } from 'express';
import type { GateRequest, RequestLike } from '@gatehouse/core';
import { answerAdminRequest } from '../app-handler.js';
import type { AdminRoutesOptions } from '../app-handler.js';
import { ADMIN_PATHS } from '../http-handler.js';

export type { AdminAppErrorBody, AdminRoutesOptions } from '../app-handler.js';

/** Options of {@link adminRouter}. */
export interface AdminRouterOptions extends AdminRoutesOptions {
  /** Largest JSON body. @defaultValue '64kb' */
  readonly bodyLimit?: string | number;
}

/**
 * An Express router serving the tenant-admin operations for the request's tenant and subject:
 * `POST {mount}/roles/list`, `/members/list`, `/members/invite`, `/members/remove`, `/members/roles/assign`,
 * `/members/roles/revoke`, `/invitations/accept`, `/invitations/list`, `/invitations/revoke`, `/audit/list`.
 * Bodies are those of the PDP server's routes without `actor` (and, for accept, without `user_id`): a body naming
 * either is refused with 400. Answers: 401 without a subject, 400/403/404/409/410 as `{statusCode, error, message,
 * reason, permission?}`. Works with Express 4 and 5.
 * @param options - the backend (embedded `AdminService` or `RemoteAdmin`) and, optionally, tenant and subject
 *   resolvers; by default both come from `req.gate` (mount the router after `gatehouse()`).
 * @example
 * ```ts
 * app.use(gatehouse({ pdp, tenant: fromHeader('x-tenant-id'), subject: (req) => req.user?.id }));
 * app.use('/admin', adminRouter({ backend: new AdminService({ engine, pdp }) }));
 * ```
 */
export function adminRouter(options: AdminRouterOptions): Router {
  const given = options as { backend?: { listRoles?: unknown } } | null;
  if (typeof given !== 'object' || given === null || typeof given.backend?.listRoles !== 'function') {
    throw new TypeError('adminRouter: expected options.backend (an AdminService or a RemoteAdmin)');
  }
  const router = express.Router();
  router.use(express.json({ limit: options.bodyLimit ?? '64kb', strict: true }));
  for (const path of ADMIN_PATHS) {
    const handler: RequestHandler = (req, res, next) => {
      answerAdminRequest(options, path, req as Request & GateRequest & RequestLike).then(
        (a) => {
          res.status(a.status).json(a.body);
        },
        (err: unknown) => {
          next(err);
        },
      );
    };
    router.post(`/${path}`, handler);
  }
  // Malformed or oversized JSON is answered here, as JSON like every other refusal (Express would answer HTML).
  const bodyErrors: ErrorRequestHandler = (err: { status?: unknown; type?: unknown; message?: unknown }, _req, res, next) => {
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : undefined;
    if (status === undefined || typeof err.type !== 'string' || !err.type.startsWith('entity.')) {
      next(err);
      return;
    }
    const reason = status === 413 ? 'body_too_large' : 'invalid_request';
    res.status(status).json({ statusCode: status, error: status === 413 ? 'Payload Too Large' : 'Bad Request', message: `invalid JSON body: ${String(err.message)}`, reason });
  };
  router.use(bodyErrors);
  return router;
}
