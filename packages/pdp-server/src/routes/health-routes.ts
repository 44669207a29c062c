import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../route-context.js';

/** `/healthz`, `/readyz` and Permit's `/health` (no key, never rate-limited); `/metrics` is in metrics-routes.ts. */
export function healthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const open = { config: { auth: 'none' as const, rateLimit: false as const } };

  app.get('/healthz', open, () => Promise.resolve({ status: 'SERVING' }));

  // Ready once the engine is loaded, the seed data written and the change listener attached (all done
  // before the server listens); not ready while shutting down, so load balancers drain it.
  app.get('/readyz', open, async (_request, reply) => {
    if (ctx.closing()) return await reply.code(503).send({ status: 'NOT_SERVING' });
    return { status: 'SERVING' };
  });

  app.get('/health', open, async (_request, reply) => {
    if (ctx.closing()) return await reply.code(503).send({ status: 'unavailable' });
    return { status: 'ok' };
  });
}
