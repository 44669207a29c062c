import { ADMIN_PATHS, adminErrorAnswer, handleAdminRequest } from '@gatehouse/admin';
import type { AdminPath } from '@gatehouse/admin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pathTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import { adminBodySchemas } from './admin-body-schemas.js';

/** gRPC codes of the admin answers, as the other error bodies carry them. */
const GRPC_OF_STATUS: Readonly<Record<number, number>> = { 400: 3, 403: 7, 404: 5, 409: 6, 410: 9, 503: 14 };

async function answer(ctx: RouteContext, path: AdminPath, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const tenant = pathTenant(request);
  try {
    return await handleAdminRequest(ctx.admin.service, path, tenant, request.body, { kind: 'server', keyLabel: request.principal?.id ?? 'anonymous' });
  } catch (err) {
    const a = adminErrorAnswer(err);
    if (a === undefined) throw err;
    request.log.info({ status: a.status, reason: a.code }, a.message);
    return await reply.code(a.status).send({
      code: GRPC_OF_STATUS[a.status] ?? 3,
      message: a.message,
      details: [{ reason: a.code, ...(a.permission === undefined ? {} : { permission: a.permission }) }],
    });
  }
}

/**
 * Tenant administration (`@gatehouse/admin`): members, roles, invitations and the audit trail, under
 * `POST /v1/tenants/{tenant}/…`. The API key authenticates the app; `actor` names the end user each call acts for,
 * whose delegation permissions the tenant's policy decides. Scoped keys keep their tenant scope.
 */
export function adminRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const path of ADMIN_PATHS) {
    app.post(`/v1/tenants/:tenant/${path}`, { schema: { body: adminBodySchemas[path] } }, async (request, reply) => await answer(ctx, path, request, reply));
  }
}
