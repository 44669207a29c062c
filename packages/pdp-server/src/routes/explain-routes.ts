import type { FastifyInstance } from 'fastify';
import { shapeExplanation } from '../explanation.js';
import { defined, depthOf, nonEmpty, pathTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import { compareTokens } from '../watch-hub.js';
import { checkResult, contextFromWire, subjectFromWire } from '../wire.js';
import type { WireContext, WireSubject } from '../wire.js';

interface ExplainBody {
  entity: { type: string; id?: string };
  permission: string;
  subject: WireSubject;
  context?: WireContext | null;
  metadata?: { snap_token?: string; schema_version?: string; depth?: number };
}

/**
 * `POST /v1/tenants/{t}/permissions/explain`: a check (same body as `permissions/check`) answered with the
 * decision and the tree of why (`ExplanationNode` of `@gatehouse/core`): the permission's expression, each node
 * allowed, denied, not evaluated or cut, with the tuples that decided it. Reads only; the same budget and depth
 * limits as a check.
 */
export function explainRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, schemas, limits, metrics } = ctx;

  app.post('/v1/tenants/:tenant/permissions/explain', { schema: { body: schemas.check } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as ExplainBody;
    const snap = nonEmpty(body.metadata?.snap_token);
    const schemaVersion = nonEmpty(body.metadata?.schema_version);
    const head = engine.headSnapToken(tenant);
    const { allowed, tree, depthExceeded, schema } = await engine.explain(
      defined({
        tenant,
        subject: subjectFromWire(body.subject),
        action: body.permission,
        resource: defined({ type: body.entity.type, id: nonEmpty(body.entity.id) }),
        context: contextFromWire(body.context),
        consistency: snap === undefined ? undefined : { atLeastAsFresh: snap },
        depth: depthOf(body.metadata, limits),
        schemaVersion,
      }),
    );
    metrics.decision('gatehouse', allowed ? 'allowed' : 'denied');
    const shaped = shapeExplanation(tree, schema);
    // The decision was made at least at the head read before it, and at least at the demanded token.
    const at = snap !== undefined && compareTokens(snap, head) > 0 ? snap : head;
    return { can: checkResult(allowed), metadata: { snap_token: at }, tree: shaped, ...(depthExceeded ? { depth_exceeded: true } : {}) };
  });
}
