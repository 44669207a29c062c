import type { FastifyInstance } from 'fastify';
import { HttpStatusError } from '../http-error.js';
import type { RouteContext } from '../route-context.js';

/**
 * `GET /metrics` (Prometheus text). Its counts are summed over every tenant, so a tenant-scoped key gets 403: it is
 * read with an unscoped API key or the metrics key (`--metrics-key`), which reads nothing else. The store gauges are
 * tallies kept from the change feed, so a scrape costs no store read.
 */
export function metricsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/metrics', async (request, reply) => {
    const p = request.principal;
    if (p?.metricsOnly !== true && p?.tenants !== undefined) {
      throw new HttpStatusError(
        403,
        'GH_ERR_FORBIDDEN',
        'a tenant-scoped API key may not read /metrics (its counts cover every tenant): use an unscoped key or the metrics key (--metrics-key)',
      );
    }
    const text = await ctx.metrics.registry.metrics();
    return await reply.type(ctx.metrics.registry.contentType).send(text);
  });
}
