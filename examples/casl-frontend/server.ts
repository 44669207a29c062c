/**
 * The CASL front-end example's server: an embedded Gatehouse engine with the document policy, the
 * `@gatehouse/express` middleware (fake auth: `Authorization: Bearer <user>` and `x-tenant-id`), the
 * abilities endpoint the page loads its CASL rules from, a server-sent change stream, an admin endpoint to
 * grant and revoke, and the built page (`dist/`, made by `vite build`).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { subject as asSubject } from '@casl/ability';
import { abilityFor } from '@gatehouse/casl';
import { abilitiesHandler } from '@gatehouse/casl/express';
import { Gatehouse, fromHeader, fromQuery, firstOf } from '@gatehouse/core';
import { unauthenticatedAnswer } from '@gatehouse/core/adapter';
import type { ChangeEvent } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { authorize, gatehouse } from '@gatehouse/express';
import express from 'express';
import type { Request, Response } from 'express';

const here = dirname(fileURLToPath(import.meta.url));

interface Seed {
  readonly tenants: Record<string, {
    readonly name: string;
    readonly tuples: string[];
    readonly attributes: string[];
    readonly documents: { readonly id: string; readonly title: string; readonly body: string }[];
  }>;
}

/** The document policy shared with the NestJS and Express examples. */
export const schema = readFileSync(join(here, 'policy/schema.perm'), 'utf8');
/** Tenants, role assignments, document relations and the documents themselves. */
export const seed = JSON.parse(readFileSync(join(here, 'policy/seed.json'), 'utf8')) as Seed;

/** Options of {@link startServer}. */
export interface ServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** Folder of the built page. @defaultValue `dist` beside this file */
  readonly distDir?: string;
}

/** A running example server. */
export interface RunningServer {
  readonly url: string;
  readonly engine: Engine;
  readonly gate: Gatehouse;
  close(): Promise<void>;
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7).trim() || undefined;
  // EventSource cannot send headers: the change stream takes the user from the query (fake auth, demo only).
  return typeof req.query.user === 'string' ? req.query.user : undefined;
}

/** The 401 the adapters answer (core's `unauthenticatedAnswer`): `{ error: 'Unauthorized', message, reason: 'unauthenticated' }`. */
function unauthorized(res: Response): void {
  const answer = unauthenticatedAnswer();
  res.status(answer.status).json(answer.body);
}

/**
 * Starts the example on `host:port` (port 0 picks a free one).
 * @returns its URL, the engine and gate it uses, and `close()`.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const engine = await Engine.create({ schema });
  for (const [tenant, data] of Object.entries(seed.tenants)) {
    await engine.createTenant(tenant, { name: data.name });
    await engine.write({ tenant, tuples: data.tuples, attributes: data.attributes });
  }
  const pdp = new EmbeddedPdp(engine);
  const gate = new Gatehouse({ pdp });
  const definition = (await engine.readSchema(engine.defaultTenant)).definition as Record<string, unknown>;

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));
  app.use(
    '/api',
    gatehouse({ client: gate, tenant: firstOf(fromHeader('x-tenant-id'), fromQuery('tenant')), subject: bearer, missingTenant: 'reject' }),
  );

  app.get('/api/abilities', abilitiesHandler({
    resources: ['document'],
    schema: definition,
    ttlMs: 30_000,
    snapToken: (req) => (req.gate === undefined ? undefined : engine.headSnapToken(req.gate.tenant)),
  }));

  app.get('/api/documents', async (req: Request, res: Response) => {
    if (req.gate === undefined) {
      unauthorized(res);
      return;
    }
    const ability = await abilityFor(req.gate, { resources: ['document'], actions: ['view'] });
    const all = seed.tenants[req.gate.tenant]?.documents ?? [];
    const list = all.filter((d) => ability.can('view', asSubject('document', { ...d })));
    res.json({ tenant: req.gate.tenant, user: req.gate.subject.id, documents: list });
  });

  const streams = new Set<Response>();
  app.get('/api/events', (req: Request, res: Response) => {
    const tenant = req.gate?.tenant;
    if (tenant === undefined) {
      unauthorized(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    streams.add(res);
    const unsubscribe = pdp.subscribe((event: ChangeEvent) => {
      if (event.tenant === tenant || event.tenant === '*') {
        res.write(`event: change\ndata: ${JSON.stringify({ kind: event.kind, snapToken: event.snapToken })}\n\n`);
      }
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  });

  // Only an admin of the request's tenant (the `admin` relation of `tenant`) may grant and revoke, and only there.
  const manage = authorize('admin', (req) => `tenant:${req.gate?.tenant ?? ''}`);
  const tupleOf = (req: Request): string | undefined => {
    const body = req.body as { tuple?: unknown } | undefined;
    return typeof body?.tuple === 'string' ? body.tuple : undefined;
  };
  app.post('/api/admin/revoke', manage, async (req: Request, res: Response) => {
    const tuple = tupleOf(req);
    if (tuple === undefined || req.gate === undefined) {
      res.status(400).json({ error: 'invalid_request', message: 'expected a JSON body { "tuple": "tenant:acme#editor@user:bob" }' });
      return;
    }
    try {
      res.json(await engine.delete({ tenant: req.gate.tenant, tuples: [tuple] }));
    } catch (err) {
      res.status(400).json({ error: 'invalid_request', message: (err as Error).message });
    }
  });
  app.post('/api/admin/grant', manage, async (req: Request, res: Response) => {
    const tuple = tupleOf(req);
    if (tuple === undefined || req.gate === undefined) {
      res.status(400).json({ error: 'invalid_request', message: 'expected a JSON body { "tuple": "tenant:acme#editor@user:bob" }' });
      return;
    }
    try {
      res.json(await engine.write({ tenant: req.gate.tenant, tuples: [tuple] }));
    } catch (err) {
      res.status(400).json({ error: 'invalid_request', message: (err as Error).message });
    }
  });

  const dist = options.distDir ?? join(here, 'dist');
  app.use(express.static(dist));
  app.get('/', (_req: Request, res: Response) => {
    if (existsSync(join(dist, 'index.html'))) res.sendFile(join(dist, 'index.html'));
    else res.status(503).type('text/plain').send('page not built: run `npm run build -w @gatehouse/example-casl-frontend`\n');
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${String(port)}`,
    engine,
    gate,
    async close(): Promise<void> {
      for (const res of streams) res.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await gate.close();
      await engine.close();
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await startServer({ port: Number(process.env.PORT ?? 3002), host: '127.0.0.1' });
  const u = running.url;
  console.log(`CASL front-end example listening on ${u}`);
  console.log(`open ${u}/ and log in as alice, bob or carol (tenant acme), or dave (tenant globex)`);
  console.log(`curl -H 'Authorization: Bearer bob' -H 'x-tenant-id: acme' ${u}/api/abilities`);
  console.log(`curl -H 'Authorization: Bearer bob' -H 'x-tenant-id: acme' ${u}/api/documents`);
  console.log(`curl -N '${u}/api/events?user=bob&tenant=acme'`);
  console.log(`curl -X POST -H 'Authorization: Bearer alice' -H 'x-tenant-id: acme' -H 'content-type: application/json' -d '{"tuple":"tenant:acme#editor@user:bob"}' ${u}/api/admin/revoke`);
}
