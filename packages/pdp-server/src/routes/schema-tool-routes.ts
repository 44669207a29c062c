import { GatehouseError } from '@gatehouse/core';
import { compileSchema, SchemaCompileError, SchemaParseError } from '@gatehouse/engine';
import type { FastifyInstance } from 'fastify';
import { defined, nonEmpty, pathTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';

/** One problem of a schema text, at a 1-based line and column. */
export interface SchemaDiagnostic {
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
}

function diagnosticOf(err: unknown): SchemaDiagnostic {
  if (err instanceof SchemaParseError || err instanceof SchemaCompileError) {
    // The message repeats the position as "L:C: …"; the fields carry it.
    return { line: err.line, column: err.column, code: err.code, message: err.message.replace(/^\d+:\d+: /, '') };
  }
  if (err instanceof GatehouseError) return { line: 1, column: 1, code: err.code, message: err.message };
  throw err;
}

/**
 * Schema tooling for editors (the console): compile without writing, and read the source text of a version.
 * - `POST /v1/tenants/{t}/schemas/compile` `{schema}` → `{diagnostics: [{line, column, code, message}]}` (empty
 *   when the schema compiles); nothing is stored.
 * - `POST /v1/tenants/{t}/schemas/source` `{metadata?: {schema_version}}` → `{schema_version, schema}`: the text
 *   as written (`schemas/read` returns Permify's compiled JSON instead); the head version by default.
 */
export function schemaToolRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, schemas } = ctx;

  app.post('/v1/tenants/:tenant/schemas/compile', { schema: { body: schemas.schemaWrite } }, async (request) => {
    pathTenant(request);
    const { schema } = request.body as { schema: string };
    try {
      compileSchema(schema);
      return await Promise.resolve({ diagnostics: [] });
    } catch (err) {
      return { diagnostics: [diagnosticOf(err)] };
    }
  });

  app.post('/v1/tenants/:tenant/schemas/source', { schema: { body: schemas.schemaRead } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as { metadata?: { schema_version?: string } };
    const read = await engine.readSchema(tenant, defined({ schemaVersion: nonEmpty(body.metadata?.schema_version) }));
    return { schema_version: read.schemaVersion, schema: read.source };
  });
}
