import { NotFoundError } from '@gatehouse/core';
import type { Engine, TenantRecord } from '@gatehouse/engine';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { defined, nonEmpty, pathTenant, useTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import { timestampToWire } from '../wire.js';

interface TenantLike {
  readonly id: string;
  readonly name?: string | undefined;
  readonly createdAt?: unknown;
}

interface TenantPage {
  readonly tenants: readonly TenantLike[];
  /** `''` on the last page. */
  readonly next: Readonly<Record<string, string>> | undefined;
}

function tenantToWire(t: TenantLike): { id: string; name: string; created_at: string } {
  return { id: t.id, name: t.name ?? '', created_at: timestampToWire(t.createdAt) };
}

/** True when the engine's view holds the tenant (a synchronous check, no store read). */
function exists(engine: Engine, id: string): boolean {
  try {
    engine.headSnapToken(id);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

/** The records of some tenants, read by id (a tenant deleted meanwhile is left out). */
async function recordsOf(engine: Engine, ids: readonly string[]): Promise<Map<string, TenantRecord>> {
  const out = new Map<string, TenantRecord>();
  for (const id of ids) {
    const r = await engine.getTenant(id);
    if (r !== undefined) out.set(id, r);
  }
  return out;
}

/**
 * One page of the tenants a key scoped to `scope` may see, after the tenant id `after`: only ids in the scope are
 * ever read, so neither the page nor its token says anything about other tenants.
 */
async function scopedPage(engine: Engine, scope: ReadonlySet<string>, after: string | undefined, size: number): Promise<TenantPage> {
  const ids: string[] = [];
  let more = false;
  for (const id of [...scope].sort()) {
    if (after !== undefined && id <= after) continue;
    if (!exists(engine, id)) continue;
    if (ids.length === size) {
      more = true;
      break;
    }
    ids.push(id);
  }
  const records = await recordsOf(engine, ids);
  const tenants = ids.flatMap((id) => {
    const r = records.get(id);
    return r === undefined ? [] : [r];
  });
  const last = ids.at(-1);
  return { tenants, next: more && last !== undefined ? { after: last } : undefined };
}

/** Permify's tenancy API: create, list, delete. */
export function tenancyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, schemas, pageTokens, limits } = ctx;

  app.post('/v1/tenants/create', { schema: { body: schemas.tenantCreate } }, async (request) => {
    const body = request.body as { id: string; name?: string };
    const id = useTenant(request, body.id);
    const tenant = await engine.createTenant(id, defined({ name: nonEmpty(body.name) }));
    // A new tenant starts without members, invitations or audit entries of an earlier tenant of that id.
    await ctx.admin.service.purgeTenant(id);
    return { tenant: tenantToWire(tenant) };
  });

  /** Tenants the key may use, paged over those alone; the continuation token is sealed to the key (tampered → 400). */
  async function listPage(request: FastifyRequest, size: number, token: string | undefined): Promise<TenantPage> {
    const holder = request.principal?.id ?? 'anonymous';
    const cursor = token === undefined ? undefined : pageTokens.open('tenants', holder, token);
    const scope = request.principal?.tenants;
    if (scope !== undefined) {
      if (cursor !== undefined && cursor.after === undefined) throw pageTokens.refuse(token ?? '');
      return await scopedPage(engine, scope, cursor?.after, size);
    }
    if (cursor !== undefined && cursor.store === undefined) throw pageTokens.refuse(token ?? '');
    const page = await engine.listTenants(defined({ pageSize: size, continuousToken: cursor?.store }));
    return { tenants: page.tenants, next: page.continuousToken === '' ? undefined : { store: page.continuousToken } };
  }

  app.post('/v1/tenants/list', { schema: { body: schemas.pageOnly } }, async (request) => {
    const body = request.body as { page_size?: number; continuous_token?: string };
    const size = body.page_size === undefined || body.page_size === 0 ? Math.min(1000, limits.maxPageSize) : body.page_size;
    const page = await listPage(request, size, nonEmpty(body.continuous_token));
    const holder = request.principal?.id ?? 'anonymous';
    return {
      tenants: page.tenants.map(tenantToWire),
      continuous_token: page.next === undefined ? '' : pageTokens.seal('tenants', holder, page.next),
    };
  });

  app.delete('/v1/tenants/:tenant', async (request) => {
    const tenant = pathTenant(request);
    await engine.deleteTenant(tenant);
    await ctx.admin.service.purgeTenant(tenant);
    return { tenant_id: tenant };
  });
}
