/**
 * The tenant-admin example: an Express app on the embedded engine. Sign-in is a sealed cookie (pick a user
 * and a tenant); `@gatehouse/express` binds each request to that user and tenant; `@gatehouse/admin/express`
 * mounts the member, invitation, role and audit routes under /api/admin (actor and tenant from the request,
 * never from the body); the pages embed `<gatehouse-members>` and `<gatehouse-audit-log>` from
 * `@gatehouse/elements`. The documents page shows what the user's roles allow and follows the engine's change
 * feed, so a role change shows without a reload.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { AdminService, MemoryAdminStore } from '@gatehouse/admin';
import { adminRouter } from '@gatehouse/admin/express';
import { Gatehouse, fromPathParam } from '@gatehouse/core';
import type { ChangeEvent } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { authorize, gatehouse } from '@gatehouse/express';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';

import { acceptPage, auditPage, documentsPage, loginPage, membersPage } from './src/pages.js';
import type { Nav } from './src/pages.js';
import { tenants, users } from './src/seed.js';
import { Sessions } from './src/session.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The policy: roles, delegation and documents. */
export const schema = readFileSync(join(here, 'schema.perm'), 'utf8');

/** Options of {@link startServer}. */
export interface ServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** Secret of the session cookies. @defaultValue random per process */
  readonly sessionSecret?: string | undefined;
  /** The custom-elements bundle to serve. @defaultValue `@gatehouse/elements/custom-elements` as resolved */
  readonly elementsBundle?: string | undefined;
}

/** A running example. */
export interface RunningServer {
  readonly url: string;
  readonly engine: Engine;
  readonly admin: AdminService;
  close(): Promise<void>;
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
  });
  next();
}

/**
 * Cross-site request forgery guard for the cookie session: a state-changing request that a browser marks as
 * coming from another origin is refused (SameSite=Strict cookies are the first line; this is the second).
 */
function sameOrigin(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD') {
    next();
    return;
  }
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const own = `${req.protocol}://${req.headers.host ?? ''}`;
  if ((origin !== undefined && origin !== own) || (typeof site === 'string' && site !== 'same-origin' && site !== 'none')) {
    res.status(403).json({ statusCode: 403, error: 'Forbidden', message: 'cross-site request refused', reason: 'forbidden' });
    return;
  }
  next();
}

function elementsBundlePath(): string {
  return createRequire(import.meta.url).resolve('@gatehouse/elements/custom-elements');
}

/**
 * Starts the example on `host:port` (port 0 picks a free one).
 * @returns its URL, the engine, the admin service and `close()`.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const engine = await Engine.create({ schema });
  const store = new MemoryAdminStore();
  const now = new Date();
  for (const [tenant, data] of Object.entries(tenants)) {
    await engine.createTenant(tenant, { name: data.name });
    await engine.write({ tenant, tuples: [...data.roles] });
    for (const tuple of data.roles) {
      const userId = tuple.slice(tuple.indexOf('@user:') + 6);
      const user = users.find((u) => u.id === userId);
      if (user !== undefined) {
        await store.putProfile({ tenant, userId, email: user.email, name: user.name, invitedBy: null, createdAt: now, updatedAt: now });
      }
    }
  }
  const pdp = new EmbeddedPdp(engine);
  const gate = new Gatehouse({ pdp });
  const admin = new AdminService({ engine, pdp, store });
  const sessions = new Sessions(options.sessionSecret);
  const documents = new Map(Object.entries(tenants).map(([t, data]) => [t, new Map(data.documents.map((d) => [d.id, { ...d }]))]));

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders);
  app.use(sameOrigin);

  const session = (req: Request): { user: string; tenant: string } | undefined => {
    const s = sessions.read(req);
    return s !== undefined && users.some((u) => u.id === s.user) && Object.hasOwn(tenants, s.tenant) ? s : undefined;
  };

  // ---- pages -------------------------------------------------------------------------------------------
  app.get('/login', (_req, res) => {
    res.type('html').send(loginPage(users, Object.entries(tenants).map(([id, t]) => ({ id, name: t.name }))));
  });
  app.post('/login', express.urlencoded({ extended: false, limit: '2kb' }), (req, res) => {
    const body = req.body as { user?: unknown; tenant?: unknown } | undefined;
    const user = typeof body?.user === 'string' ? body.user : '';
    const tenant = typeof body?.tenant === 'string' ? body.tenant : '';
    if (!users.some((u) => u.id === user) || !Object.hasOwn(tenants, tenant)) {
      res.status(400).type('html').send(loginPage(users, Object.entries(tenants).map(([id, t]) => ({ id, name: t.name })), 'Pick a user and a tenant.'));
      return;
    }
    sessions.start(res, { user, tenant });
    res.redirect(303, '/');
  });
  app.post('/logout', (_req, res) => {
    sessions.end(res);
    res.redirect(303, '/login');
  });

  async function nav(req: Request, current: Nav['current']): Promise<Nav | undefined> {
    const s = session(req);
    const user = users.find((u) => u.id === s?.user);
    if (s === undefined || user === undefined) return undefined;
    const on = { type: 'tenant', id: s.tenant };
    const [viewMembers, viewAudit] = await Promise.all([
      gate.can(s.user, 'view_members', on, { tenant: s.tenant }),
      gate.can(s.user, 'view_audit', on, { tenant: s.tenant }),
    ]);
    return { user, tenant: s.tenant, tenantName: tenants[s.tenant]?.name ?? s.tenant, viewMembers, viewAudit, current };
  }
  const page = (current: Nav['current'], render: (n: Nav) => string) => async (req: Request, res: Response): Promise<void> => {
    const n = await nav(req, current);
    if (n === undefined) {
      res.redirect(303, '/login');
      return;
    }
    res.set('cache-control', 'no-store').type('html').send(render(n));
  };
  app.get('/', page('documents', documentsPage));
  app.get('/members', page('members', membersPage));
  app.get('/audit', page('audit', auditPage));
  app.get('/accept', page('accept', acceptPage));

  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get('/assets/gatehouse-elements.js', (_req, res) => {
    res.type('text/javascript').sendFile(options.elementsBundle ?? elementsBundlePath());
  });
  app.use('/assets', express.static(join(here, 'public'), { index: false }));

  // ---- API: every request is bound to the session's user and tenant ------------------------------------
  app.use(express.json({ limit: '16kb' }));
  app.use('/api', gatehouse({
    client: gate,
    tenant: (req) => session(req)?.tenant,
    subject: (req) => session(req)?.user,
    missingTenant: 'reject',
  }));
  app.use('/api/admin', adminRouter({ backend: admin }));

  // What the navigation offers the user, as of now.
  app.get('/api/me', async (req: Request, res: Response) => {
    const n = await nav(req, 'documents');
    if (n === undefined) {
      res.status(401).json({ statusCode: 401, error: 'Unauthorized', message: 'sign in first', reason: 'unauthenticated' });
      return;
    }
    res.set('cache-control', 'no-store').json({ user: n.user.id, tenant: n.tenant, viewMembers: n.viewMembers, viewAudit: n.viewAudit });
  });

  app.get('/api/documents', async (req: Request, res: Response) => {
    const g = req.gate;
    if (g === undefined || session(req) === undefined) {
      res.status(401).json({ statusCode: 401, error: 'Unauthorized', message: 'sign in first', reason: 'unauthenticated' });
      return;
    }
    const docs = [...(documents.get(g.tenant)?.values() ?? [])];
    const rows = await Promise.all(docs.map(async (d) => {
      const [view, edit] = await Promise.all([g.can('view', `document:${d.id}`), g.can('edit', `document:${d.id}`)]);
      return view ? { id: d.id, title: d.title, canEdit: edit } : undefined;
    }));
    res.set('cache-control', 'no-store').json({ tenant: g.tenant, documents: rows.filter((r) => r !== undefined) });
  });

  app.post('/api/documents/:id', authorize('edit', { type: 'document', id: fromPathParam('id') }), (req: Request, res: Response) => {
    const doc = documents.get(req.gate?.tenant ?? '')?.get(String(req.params.id));
    const title = (req.body as { title?: unknown } | undefined)?.title;
    if (doc === undefined) {
      res.status(404).json({ statusCode: 404, error: 'Not Found', message: 'no such document', reason: 'not_found' });
      return;
    }
    if (typeof title !== 'string' || title.trim() === '' || title.length > 200) {
      res.status(400).json({ statusCode: 400, error: 'Bad Request', message: 'title: 1 to 200 characters', reason: 'invalid_request' });
      return;
    }
    doc.title = title.trim();
    res.json({ id: doc.id, title: doc.title });
  });

  // The engine's change feed, per tenant, as server-sent events: pages reload what they show on a change.
  const streams = new Set<Response>();
  app.get('/api/events', (req: Request, res: Response) => {
    const tenant = req.gate?.tenant;
    if (tenant === undefined || session(req) === undefined) {
      res.status(401).json({ statusCode: 401, error: 'Unauthorized', message: 'sign in first', reason: 'unauthenticated' });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    streams.add(res);
    const unsubscribe = pdp.subscribe((event: ChangeEvent) => {
      if (event.tenant === tenant || event.tenant === '*') res.write(`event: change\ndata: ${JSON.stringify({ snapToken: event.snapToken })}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${String(port)}`,
    engine,
    admin,
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
  const running = await startServer({ port: Number(process.env.PORT ?? 3004), host: '127.0.0.1', sessionSecret: process.env.SESSION_SECRET });
  const u = running.url;
  console.log(`Tenant admin example listening on ${u}`);
  console.log(`open ${u}/login and sign in as alice in Acme Corp (admin), carol (acme viewer, globex editor), dave (no roles yet) or erin (globex admin)`);
  console.log(`alice: ${u}/members to invite dave as viewer (the invitation link is shown on the page); dave: open that link to accept`);
  console.log(`alice: ${u}/audit for the audit log`);
}
