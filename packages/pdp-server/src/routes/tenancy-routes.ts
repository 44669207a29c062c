import type { FastifyInstance } from 'fastify';
import { defined, mayUse, nonEmpty, pathTenant, useTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import { timestampToWire } from '../wire.js';

interface TenantLike {
  readonly id: string;
  readonly name?: string | undefined;
  readonly createdAt?: unknown;
}

function tenantToWire(t: TenantLike): { id: string; name: string; created_at: string } {
  return { id: t.id, name: t.name ?? '', created_at: timestampToWire(t.createdAt) };
}

/** Permify's tenancy API: create, list, delete. */
export function tenancyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, schemas } = ctx;

  app.post('/v1/tenants/create', { schema: { body: schemas.tenantCreate } }, async (request) => {
    const body = request.body as { id: string; name?: string };
    const id = useTenant(request, body.id);
    const tenant = await engine.createTenant(id, defined({ name: nonEmpty(body.name) }));
    return { tenant: tenantToWire(tenant) };
  });

  app.post('/v1/tenants/list', { schema: { body: schemas.pageOnly } }, async (request) => {
    const body = request.body as { page_size?: number; continuous_token?: string };
    const page = await engine.listTenants(
      defined({ pageSize: body.page_size === 0 ? undefined : body.page_size, continuousToken: nonEmpty(body.continuous_token) }),
    );
    return {
      tenants: page.tenants.filter((t) => mayUse(request, t.id)).map(tenantToWire),
      continuous_token: page.continuousToken,
    };
  });

  app.delete('/v1/tenants/:tenant', async (request) => {
    const tenant = pathTenant(request);
    await engine.deleteTenant(tenant);
    return { tenant_id: tenant };
  });
}
