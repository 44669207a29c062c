import { GatehouseError, InvalidRequestError, NotFoundError } from '@gatehouse/core';
import type { CheckContext, CheckRequest, Resource, Subject } from '@gatehouse/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { overLimit } from '../http-error.js';
import {
  allTenantsQuery,
  fromPermitTenant,
  permitAction,
  permitContext,
  permitResource,
  permitUser,
  toPermitTenant,
} from '../permit-input.js';
import { mayUse, useTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import { permissionNames, resourceTypes } from '../schema-info.js';

interface PermitCheckBody {
  user?: unknown;
  action?: unknown;
  resource?: unknown;
  context?: unknown;
}

interface Answer {
  allow: boolean;
  result: boolean;
  debug?: { reason: string; message?: string; snap_token?: string };
}

function objectBody(body: unknown): PermitCheckBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw InvalidRequestError.badValue('body', body, 'a JSON object');
  return body;
}

function isNotFound(err: unknown): boolean {
  return err instanceof NotFoundError;
}

/**
 * The Permit.io PDP API (permit.md §2-§4) so the permitio SDK works unchanged: `/allowed`,
 * `/allowed/bulk`, `/allowed/all-tenants`, `/user-permissions`, `/user-tenants`.
 */
export function permitRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, limits, metrics } = ctx;
  const dflt = engine.defaultTenant;

  function toCheck(request: FastifyRequest, body: PermitCheckBody, tenantOverride?: string): CheckRequest {
    const subject = permitUser(body.user);
    const action = permitAction(body.action);
    const { resource, tenantKey } = permitResource(body.resource);
    const tenant = tenantOverride ?? useTenant(request, fromPermitTenant(tenantKey, dflt));
    const context = permitContext(body.context);
    return context === undefined ? { tenant, subject, action, resource } : { tenant, subject, action, resource, context };
  }

  async function decide(req: CheckRequest, failuresDeny: boolean): Promise<Answer> {
    try {
      const d = await engine.check(req);
      metrics.decision('permit', d.allowed ? 'allowed' : 'denied');
      return { allow: d.allowed, result: d.allowed, debug: { reason: d.reason ?? (d.allowed ? 'allowed' : 'denied'), ...(d.snapToken === undefined ? {} : { snap_token: d.snapToken }) } };
    } catch (err) {
      // Permit answers "no" for a tenant or action it does not know; other failures are errors (4xx)
      // on a single check and denials inside a bulk check, so one bad item does not sink the batch.
      if (isNotFound(err) || failuresDeny) {
        metrics.decision('permit', isNotFound(err) ? 'denied' : 'error');
        return { allow: false, result: false, debug: { reason: isNotFound(err) ? 'not_found' : 'error', message: (err as Error).message } };
      }
      metrics.decision('permit', 'error');
      throw err;
    }
  }

  async function tenantsInScope(request: FastifyRequest): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await engine.listTenants(token === undefined ? { pageSize: 1000 } : { pageSize: 1000, continuousToken: token });
      ids.push(...page.tenants.map((t) => t.id).filter((t) => mayUse(request, t)));
      token = page.continuousToken || undefined;
    } while (token !== undefined);
    return ids;
  }

  async function userTenants(request: FastifyRequest, subject: Subject): Promise<string[]> {
    const out: string[] = [];
    for (const tenant of await tenantsInScope(request)) {
      try {
        const page = await engine.readRelationships({ tenant, filter: { subject: { type: subject.type, ids: [subject.id] } }, pageSize: 1 });
        if (page.tuples.length > 0) out.push(tenant);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return out;
  }

  /**
   * The permissions the subject holds on a resource (or type), as `<type>:<name>`. When one permission
   * fails to evaluate (a rule reading context the caller did not send), the others are still reported:
   * each is then checked alone and a failure counts as not granted.
   */
  async function granted(tenant: string, definition: unknown, resource: Resource, subject: Subject, context: CheckContext | undefined): Promise<string[]> {
    const extra = context === undefined ? {} : { context };
    try {
      const res = await engine.subjectPermissions({ tenant, entity: resource, subject, onlyPermission: true, ...extra });
      return Object.entries(res.permissions).filter(([, ok]) => ok).map(([name]) => `${resource.type}:${name}`);
    } catch (err) {
      // An exhausted step budget is not retried permission by permission (that would multiply it): 422.
      if (!(err instanceof GatehouseError) || isNotFound(err) || err.code === 'GH_ERR_BUDGET_EXCEEDED') throw err;
    }
    const out: string[] = [];
    for (const name of permissionNames(definition, resource.type)) {
      try {
        if ((await engine.check({ tenant, subject, action: name, resource, ...extra })).allowed) out.push(`${resource.type}:${name}`);
      } catch (err) {
        if (!(err instanceof GatehouseError) || err.code === 'GH_ERR_BUDGET_EXCEEDED') throw err;
      }
    }
    return out;
  }

  app.post('/allowed', async (request) => await decide(toCheck(request, objectBody(request.body)), false));

  app.post('/allowed/bulk', async (request) => {
    const body = request.body;
    if (!Array.isArray(body)) throw InvalidRequestError.badValue('body', body, 'a JSON array of checks');
    if (body.length > limits.maxBatchSize) throw overLimit('checks in a bulk request', limits.maxBatchSize, body.length);
    const reqs = body.map((item: unknown) => toCheck(request, objectBody(item)));
    return { allow: await Promise.all(reqs.map(async (r) => await decide(r, true))) };
  });

  app.post('/allowed/all-tenants', { config: { auth: 'body' } }, async (request) => {
    const q = allTenantsQuery(request.body);
    const allowed: { allow: true; result: true; tenant: { key: string; attributes: Record<string, never> } }[] = [];
    for (const tenant of await tenantsInScope(request)) {
      const a = await decide(toCheck(request, q, tenant), true);
      if (a.allow) allowed.push({ allow: true, result: true, tenant: { key: toPermitTenant(tenant, dflt), attributes: {} } });
    }
    return { allowed_tenants: allowed, allowedTenants: allowed };
  });

  app.post('/user-tenants', async (request) => {
    const subject = permitUser(objectBody(request.body).user);
    return (await userTenants(request, subject)).map((t) => ({ key: toPermitTenant(t, dflt), attributes: {} }));
  });

  app.post('/user-permissions', async (request) => {
    const body = objectBody(request.body) as { user?: unknown; tenants?: unknown; resources?: unknown; resource_types?: unknown; context?: unknown };
    const subject = permitUser(body.user);
    const stringList = (v: unknown, what: string): string[] | undefined => {
      if (v === undefined || v === null) return undefined;
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string') || v.length > limits.maxBatchSize) {
        throw InvalidRequestError.badValue(what, v, `a list of at most ${String(limits.maxBatchSize)} strings`);
      }
      return v;
    };
    const tenantKeys = stringList(body.tenants, 'tenants');
    const resources = stringList(body.resources, 'resources')?.map((r) => permitResource(r).resource);
    const types = stringList(body.resource_types, 'resource_types');
    const context = permitContext(body.context);
    // Tenants are reported under the key the caller named them by (`default` or the id itself); found
    // tenants under Permit's key (`default` for the default tenant).
    const named = new Map<string, string>();
    if (tenantKeys === undefined) for (const t of await userTenants(request, subject)) named.set(t, toPermitTenant(t, dflt));
    else for (const k of tenantKeys) named.set(useTenant(request, fromPermitTenant(k, dflt)), k === '' ? 'default' : k);
    const out: Record<string, unknown> = {};
    for (const [tenant, key] of named) {
      let definition: unknown;
      try {
        definition = (await engine.readSchema(tenant, {})).definition;
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      const schemaTypes = resourceTypes(definition);
      const wanted = types === undefined ? schemaTypes : schemaTypes.filter((t) => types.includes(t));
      const roles = (await engine.readRelationships({
        tenant,
        filter: { entity: { type: 'tenant', ids: [tenant] }, subject: { type: subject.type, ids: [subject.id] } },
        pageSize: 1000,
      })).tuples.map((t) => t.relation);
      const permissions: string[] = [];
      for (const type of wanted) permissions.push(...(await granted(tenant, definition, { type }, subject, context)));
      if (permissions.length > 0 || roles.length > 0) {
        out[`__tenant:${key}`] = { tenant: { key, attributes: {} }, permissions, roles: [...new Set(roles)] };
      }
      // Instances: those asked for, else those the user holds a relation on (Permit's instance roles).
      const direct = (await engine.readRelationships({ tenant, filter: { subject: { type: subject.type, ids: [subject.id] } }, pageSize: 1000 })).tuples
        .filter((t) => t.entity.type !== 'tenant');
      const instances = resources ?? direct.map((t) => ({ type: t.entity.type, id: t.entity.id }));
      for (const r of instances) {
        if (r.id === undefined || (types !== undefined && !types.includes(r.type)) || !schemaTypes.includes(r.type)) continue;
        const perms = await granted(tenant, definition, { type: r.type, id: r.id }, subject, context);
        const rroles = direct.filter((t) => t.entity.type === r.type && t.entity.id === r.id).map((t) => t.relation);
        if (perms.length === 0 && rroles.length === 0) continue;
        const k = `${r.type}:${r.id}`;
        const prev = out[k] as { permissions: string[]; roles: string[] } | undefined;
        out[k] = {
          resource: { type: r.type, key: r.id, attributes: {} },
          tenant: key,
          permissions: [...new Set([...(prev?.permissions ?? []), ...perms])],
          roles: [...new Set([...(prev?.roles ?? []), ...rroles])],
        };
      }
    }
    return out;
  });
}
