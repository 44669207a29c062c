import { schemaHash, schemaTypeModel } from '@gatehouse/engine';
import type { FastifyInstance } from 'fastify';
import { audited } from '../audit-hook.js';
import { defined, nonEmpty, pathTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import { timestampToWire } from '../wire.js';

/** Permify's schema API: write, read, list. */
export function schemaRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, schemas } = ctx;

  app.post('/v1/tenants/:tenant/schemas/write', { schema: { body: schemas.schemaWrite } }, async (request) => {
    const tenant = pathTenant(request);
    const { schema } = request.body as { schema: string };
    const { schemaVersion } = await audited(ctx, request, tenant, 'schema.write', { bytes: schema.length }, () => engine.writeSchema(tenant, schema));
    return { schema_version: schemaVersion };
  });

  app.post('/v1/tenants/:tenant/schemas/read', { schema: { body: schemas.schemaRead } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as { metadata?: { schema_version?: string } };
    const read = await engine.readSchema(tenant, defined({ schemaVersion: nonEmpty(body.metadata?.schema_version) }));
    return { schema: read.definition, schema_hash: schemaHash(schemaTypeModel(read.definition)) };
  });

  app.post('/v1/tenants/:tenant/schemas/list', { schema: { body: schemas.pageOnly } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as { page_size?: number; continuous_token?: string };
    const list = await engine.listSchemas(
      tenant,
      defined({ pageSize: body.page_size === 0 ? undefined : body.page_size, continuousToken: nonEmpty(body.continuous_token) }),
    );
    return {
      head: list.head,
      schemas: list.schemas.map((s: { version: string; createdAt?: unknown }) => ({ version: s.version, created_at: timestampToWire(s.createdAt) })),
      continuous_token: list.continuousToken,
    };
  });
}
