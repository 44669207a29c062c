import type { CheckContext, CheckRequest } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { defined, depthOf, nonEmpty, pathTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import { checkResult, contextFromWire, expandToWire, subjectFromWire } from '../wire.js';
import type { WireContext, WireEntity, WireSubject } from '../wire.js';

interface Metadata {
  snap_token?: string;
  schema_version?: string;
  depth?: number;
  only_permission?: boolean;
}

interface CheckItem {
  entity: { type: string; id?: string };
  permission: string;
  subject: WireSubject;
}

function errorInfo(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : 'GH_ERR_INTERNAL',
    message: typeof e.message === 'string' ? e.message : 'check failed',
  };
}

/** Permify's permission API: check, bulk-check, lookups, subject-permission, expand. */
export function permissionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, schemas, limits, metrics } = ctx;

  function common(tenant: string, metadata: Metadata | undefined, context: WireContext | null | undefined) {
    return defined({
      tenant,
      context: contextFromWire(context),
      snapToken: nonEmpty(metadata?.snap_token),
      schemaVersion: nonEmpty(metadata?.schema_version),
      depth: depthOf(metadata, limits),
    });
  }

  function checkRequest(
    tenant: string,
    item: CheckItem,
    metadata: Metadata | undefined,
    context: CheckContext | undefined,
  ): CheckRequest & { schemaVersion?: string } {
    const snap = nonEmpty(metadata?.snap_token);
    return defined({
      tenant,
      subject: subjectFromWire(item.subject),
      action: item.permission,
      resource: defined({ type: item.entity.type, id: nonEmpty(item.entity.id) }),
      context,
      consistency: snap === undefined ? undefined : { atLeastAsFresh: snap },
      depth: depthOf(metadata, limits),
      schemaVersion: nonEmpty(metadata?.schema_version),
    });
  }

  app.post('/v1/tenants/:tenant/permissions/check', { schema: { body: schemas.check } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as CheckItem & { metadata?: Metadata; context?: WireContext | null };
    const req = checkRequest(tenant, body, body.metadata, contextFromWire(body.context));
    const head = engine.headSnapToken(tenant);
    try {
      const d = await engine.check(req);
      metrics.decision('gatehouse', d.allowed ? 'allowed' : 'denied');
      return { can: checkResult(d.allowed), metadata: { check_count: d.checkCount, snap_token: d.snapToken ?? head } };
    } catch (err) {
      metrics.decision('gatehouse', 'error');
      throw err;
    }
  });

  app.post('/v1/tenants/:tenant/permissions/bulk-check', { schema: { body: schemas.bulkCheck } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as { items: CheckItem[]; metadata?: Metadata; context?: WireContext | null };
    const context = contextFromWire(body.context);
    const reqs = body.items.map((item) => checkRequest(tenant, item, body.metadata, context));
    const head = engine.headSnapToken(tenant);
    // As Permify: an item whose evaluation fails is DENIED and the call still succeeds; the error is
    // reported beside it so a client can tell a failure from a denial.
    const results = await Promise.all(
      reqs.map(async (r) => {
        try {
          const d = await engine.check(r);
          metrics.decision('gatehouse', d.allowed ? 'allowed' : 'denied');
          return { can: checkResult(d.allowed), metadata: { check_count: d.checkCount, snap_token: d.snapToken ?? head } };
        } catch (err) {
          metrics.decision('gatehouse', 'error');
          return { can: checkResult(false), metadata: { check_count: 0, snap_token: head }, error: errorInfo(err) };
        }
      }),
    );
    return { results };
  });

  app.post('/v1/tenants/:tenant/permissions/lookup-entity', { schema: { body: schemas.lookupEntity } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as {
      metadata?: Metadata;
      entity_type: string;
      permission: string;
      subject: WireSubject;
      context?: WireContext | null;
      scope?: Record<string, { data?: string[] }>;
      page_size?: number;
      continuous_token?: string;
    };
    const scope = body.scope === undefined
      ? undefined
      : Object.fromEntries(Object.entries(body.scope).map(([type, s]) => [type, s.data ?? []]));
    const res = await engine.lookupEntity(
      defined({
        ...common(tenant, body.metadata, body.context),
        entityType: body.entity_type,
        permission: body.permission,
        subject: subjectFromWire(body.subject),
        scope,
        pageSize: body.page_size === 0 ? undefined : body.page_size,
        continuousToken: nonEmpty(body.continuous_token),
      }),
    );
    return { entity_ids: res.ids, continuous_token: res.continuousToken };
  });

  app.post('/v1/tenants/:tenant/permissions/lookup-subject', { schema: { body: schemas.lookupSubject } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as {
      metadata?: Metadata;
      entity: WireEntity;
      permission: string;
      subject_reference: { type: string; relation?: string };
      context?: WireContext | null;
      page_size?: number;
      continuous_token?: string;
    };
    const rel = body.subject_reference.relation;
    const res = await engine.lookupSubject(
      defined({
        ...common(tenant, body.metadata, body.context),
        entity: { type: body.entity.type, id: body.entity.id },
        permission: body.permission,
        subjectReference: defined({ type: body.subject_reference.type, relation: rel === '...' ? undefined : nonEmpty(rel) }),
        pageSize: body.page_size === 0 ? undefined : body.page_size,
        continuousToken: nonEmpty(body.continuous_token),
      }),
    );
    return { subject_ids: res.ids, continuous_token: res.continuousToken };
  });

  app.post('/v1/tenants/:tenant/permissions/subject-permission', { schema: { body: schemas.subjectPermission } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as { metadata?: Metadata; entity: { type: string; id?: string }; subject: WireSubject; context?: WireContext | null };
    const res = await engine.subjectPermissions(
      defined({
        ...common(tenant, body.metadata, body.context),
        entity: defined({ type: body.entity.type, id: nonEmpty(body.entity.id) }),
        subject: subjectFromWire(body.subject),
        onlyPermission: body.metadata?.only_permission,
      }),
    );
    const results: Record<string, string> = {};
    for (const [name, allowed] of Object.entries(res.permissions)) results[name] = checkResult(allowed);
    return { results };
  });

  app.post('/v1/tenants/:tenant/permissions/expand', { schema: { body: schemas.expand } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as { metadata?: Metadata; entity: WireEntity; permission: string; context?: WireContext | null };
    const { depth: _depth, ...rest } = common(tenant, body.metadata, body.context);
    const { tree } = await engine.expand({ ...rest, entity: { type: body.entity.type, id: body.entity.id }, permission: body.permission });
    return { tree: expandToWire(tree) };
  });
}
