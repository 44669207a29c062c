import type { FastifyInstance } from 'fastify';
import { defined, depthOf, nonEmpty, pathTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import { contextFromWire, subjectFromWire } from '../wire.js';
import type { WireContext, WireSubject } from '../wire.js';

interface PlanBody {
  metadata?: { snap_token?: string; schema_version?: string; depth?: number };
  entity_type: string;
  permission: string;
  subject: WireSubject;
  context?: WireContext | null;
}

/**
 * `POST /v1/tenants/{tenant}/permissions/plan` `{ subject, permission, entity_type, metadata, context }` → the
 * query plan `{ kind: 'always' | 'never' | 'conditional', condition?, metadata: { snap_token } }`
 * (docs/data-filtering.md). The body is validated as a lookup's (same limits); the plan is computed under the
 * engine's step budget (422 when exceeded).
 */
export function planRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, schemas, limits } = ctx;
  const lookup = schemas.lookupEntity.properties;
  const body = {
    type: 'object',
    required: ['entity_type', 'permission', 'subject'],
    additionalProperties: false,
    properties: { metadata: lookup.metadata, entity_type: lookup.entity_type, permission: lookup.permission, subject: lookup.subject, context: lookup.context },
  } as const;

  app.post('/v1/tenants/:tenant/permissions/plan', { schema: { body } }, async (request) => {
    const tenant = pathTenant(request);
    const b = request.body as PlanBody;
    const { snapToken, ...plan } = await engine.plan(
      defined({
        tenant,
        subject: subjectFromWire(b.subject),
        permission: b.permission,
        entityType: b.entity_type,
        context: contextFromWire(b.context),
        snapToken: nonEmpty(b.metadata?.snap_token),
        schemaVersion: nonEmpty(b.metadata?.schema_version),
        depth: depthOf(b.metadata, limits),
      }),
    );
    return { ...plan, metadata: { snap_token: snapToken } };
  });
}
