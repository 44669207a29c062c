// The admin routes in the app (@gatehouse/admin/express and /nest), over the embedded engine and over a remote PDP:
// the actor is the request's subject and the tenant the request's tenant, never the body's.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminService } from '@gatehouse/admin';
import type { AdminBackend } from '@gatehouse/admin';
import { adminRouter } from '@gatehouse/admin/express';
import { GatehouseAdminModule } from '@gatehouse/admin/nest';
import { RemoteAdmin } from '@gatehouse/admin/remote';
import { fromHeader } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { ADMIN_SCHEMA, GLOBEX_KEY, KEY, startAdminServer } from './fixtures/admin/harness.js';
import type { AdminHarness } from './fixtures/admin/harness.js';

interface App {
  url: string;
  close(): Promise<void>;
}

async function expressApp(backend: AdminBackend): Promise<App> {
  const app = express();
  app.use('/admin', adminRouter({ backend, tenant: fromHeader('x-tenant-id'), subject: (req) => (typeof req.headers['x-user'] === 'string' ? req.headers['x-user'] : undefined) }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/admin`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function nestApp(backend: AdminBackend, platform: 'express' | 'fastify'): Promise<App> {
  @Module({
    imports: [
      GatehouseAdminModule.forRoot({
        backend,
        path: 'admin',
        tenant: fromHeader('x-tenant-id'),
        subject: (req) => (typeof req.headers['x-user'] === 'string' ? req.headers['x-user'] : undefined),
      }),
    ],
  })
  class AppModule {}
  Logger.overrideLogger(false);
  const app: INestApplication = await NestFactory.create(AppModule, platform === 'express' ? new ExpressAdapter() : new FastifyAdapter());
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${String(port)}/admin`, close: () => app.close() };
}

async function call(app: App, path: string, user: string | undefined, tenant: string, body: unknown = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.url}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': tenant, ...(user === undefined ? {} : { 'x-user': user }) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** The behaviours every surface must share. */
function sharedBehaviour(name: string, make: () => Promise<{ app: App; done: () => Promise<void> }>): void {
  describe(name, () => {
    let app: App;
    let done: () => Promise<void>;
    beforeEach(async () => {
      ({ app, done } = await make());
    });
    afterEach(async () => {
      await app.close();
      await done();
    });

    it('acts for the request’s subject: what alice and carol may do differs', async () => {
      const alice = await call(app, 'roles/list', 'alice', 'acme');
      expect(alice.status).toBe(200);
      expect(alice.body.viewer).toBe('alice');
      expect(alice.body.roles.every((r: { assignable: boolean }) => r.assignable)).toBe(true);
      const carol = await call(app, 'roles/list', 'carol', 'acme');
      expect(carol.body.roles.filter((r: { assignable: boolean }) => r.assignable).map((r: { name: string }) => r.name)).toEqual(['viewer']);
      const denied = await call(app, 'members/roles/assign', 'carol', 'acme', { user_id: 'carol', role: 'admin' });
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual(expect.objectContaining({ statusCode: 403, error: 'Forbidden', reason: 'forbidden', permission: 'assign_admin' }));
    });

    it('never takes the actor or the accepting user from the body', async () => {
      const forged = await call(app, 'members/roles/assign', 'carol', 'acme', { actor: 'alice', user_id: 'carol', role: 'admin' });
      expect(forged.status).toBe(400);
      expect(forged.body.reason).toBe('invalid_request');
      const inv = await call(app, 'members/invite', 'alice', 'acme', { email: 'dave@example.com', roles: ['viewer'] });
      expect(inv.status).toBe(200);
      const forgedAccept = await call(app, 'invitations/accept', 'dave', 'acme', { token: inv.body.token, user_id: 'mallory' });
      expect(forgedAccept.status).toBe(400);
      const ok = await call(app, 'invitations/accept', 'dave', 'acme', { token: inv.body.token });
      expect(ok.status).toBe(200);
      expect(ok.body.member).toEqual(expect.objectContaining({ id: 'dave', roles: ['viewer'] }));
      expect((await call(app, 'invitations/accept', 'erin', 'acme', { token: inv.body.token })).status).toBe(410);
    });

    it('answers 401 without a subject and 400 without a tenant', async () => {
      const anon = await call(app, 'members/list', undefined, 'acme');
      expect(anon.status).toBe(401);
      expect(anon.body.reason).toBe('unauthenticated');
      const res = await fetch(`${app.url}/members/list`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'alice' }, body: '{}' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { reason: string }).reason).toBe('missing_tenant');
      const userset = await call(app, 'members/list', 'tenant:acme#admin', 'acme');
      expect(userset.status).toBe(400);
    });

    it('refuses another tenant: alice administers acme, not globex', async () => {
      const r = await call(app, 'members/list', 'alice', 'globex');
      expect(r.status).toBe(403);
      expect(r.body.permission).toBe('view_members');
      const g = await call(app, 'members/roles/assign', 'alice', 'globex', { user_id: 'alice', role: 'admin' });
      expect(g.status).toBe(403);
    });

    it('refuses bodies that are not JSON, which a cross-site form could send with the user’s cookies', async () => {
      for (const [type, body] of [
        ['application/x-www-form-urlencoded', 'user_id=alice'],
        ['text/plain', '{"user_id":"alice"}'],
        ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="user_id"\r\n\r\nalice\r\n--x--\r\n'],
      ] as const) {
        const res = await fetch(`${app.url}/members/remove`, { method: 'POST', headers: { 'content-type': type, 'x-tenant-id': 'acme', 'x-user': 'alice' }, body });
        expect([type, res.status]).toEqual([type, 415]);
      }
      expect((await call(app, 'members/list', 'alice', 'acme')).body.members.map((m: { id: string }) => m.id)).toContain('alice');
    });

    it('answers lock-out with 409 and unknown members with 404', async () => {
      expect((await call(app, 'members/remove', 'alice', 'acme', { user_id: 'alice' })).status).toBe(409);
      const missing = await call(app, 'members/remove', 'alice', 'acme', { user_id: 'ghost' });
      expect(missing.status).toBe(404);
      expect(missing.body.reason).toBe('not_found');
    });

    it('records the request’s subject as the actor in the audit trail', async () => {
      await call(app, 'members/roles/assign', 'carol', 'acme', { user_id: 'erin', role: 'viewer' });
      const trail = await call(app, 'audit/list', 'alice', 'acme', { filter: { target: 'user:erin' } });
      expect(trail.status).toBe(200);
      expect(trail.body.entries.map((e: { actor: string; action: string }) => [e.actor, e.action])).toEqual([['carol', 'member.role.assign']]);
    });
  });
}

async function embedded(): Promise<{ backend: AdminService; done: () => Promise<void> }> {
  const engine = await Engine.create({ schema: ADMIN_SCHEMA });
  await engine.createTenant('acme');
  await engine.createTenant('globex');
  await engine.write({ tenant: 'acme', tuples: ['tenant:acme#admin@user:alice', 'tenant:acme#editor@user:carol'] });
  await engine.write({ tenant: 'globex', tuples: ['tenant:globex#admin@user:gina'] });
  return { backend: new AdminService({ engine, pdp: new EmbeddedPdp(engine) }), done: () => engine.close() };
}

async function remote(key = KEY): Promise<{ backend: RemoteAdmin; done: () => Promise<void>; h: AdminHarness }> {
  const h = await startAdminServer();
  return { backend: new RemoteAdmin({ url: h.url, apiKey: key }), done: () => h.close(), h };
}

sharedBehaviour('Express router over the embedded engine', async () => {
  const { backend, done } = await embedded();
  return { app: await expressApp(backend), done };
});

sharedBehaviour('Express router over a remote PDP', async () => {
  const { backend, done } = await remote();
  return { app: await expressApp(backend), done };
});

sharedBehaviour('Nest module (platform-express) over the embedded engine', async () => {
  const { backend, done } = await embedded();
  return { app: await nestApp(backend, 'express'), done };
});

sharedBehaviour('Nest module (platform-fastify) over a remote PDP', async () => {
  const { backend, done } = await remote();
  return { app: await nestApp(backend, 'fastify'), done };
});

describe('an app whose PDP key is scoped to one tenant', () => {
  let r: Awaited<ReturnType<typeof remote>>;
  let app: App;
  beforeAll(async () => {
    r = await remote(GLOBEX_KEY);
    app = await expressApp(r.backend);
  });
  afterAll(async () => {
    await app.close();
    await r.done();
  });

  it('keeps its scope through the adapter: acme is refused even for acme’s admin, globex works', async () => {
    const acme = await call(app, 'members/list', 'alice', 'acme');
    expect(acme.status).toBe(403);
    expect((await call(app, 'members/roles/assign', 'alice', 'acme', { user_id: 'alice', role: 'viewer' })).status).toBe(403);
    expect((await call(app, 'members/list', 'gina', 'globex')).status).toBe(200);
    const trail = await r.h.post('acme', 'audit/list', {});
    expect(trail.body.entries.filter((e: { action: string }) => e.action.startsWith('member.'))).toEqual([]);
  });
});

describe('the Nest admin module inside an app using GatehouseModule', () => {
  it('resolves tenant and subject with the module’s resolvers when given none', async () => {
    const { GatehouseModule } = await import('@gatehouse/nestjs');
    const { backend, done } = await embedded();
    const guardEngine = await Engine.create({ schema: ADMIN_SCHEMA });
    @Module({
      imports: [
        GatehouseModule.forRoot({
          pdp: new EmbeddedPdp(guardEngine),
          tenant: fromHeader('x-tenant-id'),
          subject: (req: { headers: Record<string, unknown> }) => (typeof req.headers['x-user'] === 'string' ? req.headers['x-user'] : undefined),
        }),
        GatehouseAdminModule.forRoot({ backend }),
      ],
    })
    class AppModule {}
    Logger.overrideLogger(false);
    const nest = await NestFactory.create(AppModule, new ExpressAdapter());
    await nest.listen(0, '127.0.0.1');
    const a: App = { url: `http://127.0.0.1:${String((nest.getHttpServer().address() as AddressInfo).port)}/admin`, close: () => nest.close() };
    try {
      expect((await call(a, 'roles/list', 'carol', 'acme')).body.viewer).toBe('carol');
      expect((await call(a, 'members/list', 'alice', 'globex')).status).toBe(403);
      expect((await call(a, 'members/list', undefined, 'acme')).status).toBe(401);
      const noTenant = await fetch(`${a.url}/members/list`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'alice' }, body: '{}' });
      expect(noTenant.status).toBe(400);
    } finally {
      await a.close();
      await guardEngine.close();
      await done();
    }
  });
});

describe('an app whose remote PDP is misconfigured or down', () => {
  it('answers 503, not a client error, for a refused API key and for an unreachable PDP', async () => {
    const r = await remote('wrong-key-0123456789');
    const app = await expressApp(r.backend);
    const down = await expressApp(new RemoteAdmin({ url: 'http://127.0.0.1:9', apiKey: KEY, timeoutMs: 2000 }));
    try {
      const refused = await call(app, 'members/list', 'alice', 'acme');
      expect(refused.status).toBe(503);
      expect(refused.body.reason).toBe('unavailable');
      expect((await call(down, 'roles/list', 'alice', 'acme')).status).toBe(503);
    } finally {
      await app.close();
      await down.close();
      await r.done();
    }
  });
});

describe('RemoteAdmin against a server that answers nonsense', () => {
  it('throws PdpProtocolError for an answer without the expected fields (the app answers 503)', async () => {
    const { createServer } = await import('node:http');
    const { PdpProtocolError } = await import('@gatehouse/core');
    const fake = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"members":"everyone","continuous_token":""}');
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const backend = new RemoteAdmin({ url: `http://127.0.0.1:${String((fake.address() as AddressInfo).port)}`, apiKey: KEY });
    const app = await expressApp(backend);
    try {
      await expect(backend.listMembers({ tenant: 'acme', actor: { userId: 'alice' } })).rejects.toBeInstanceOf(PdpProtocolError);
      await expect(backend.assignRole({ tenant: 'acme', actor: { userId: 'alice' }, userId: 'bob', role: 'admin' })).rejects.toBeInstanceOf(PdpProtocolError);
      expect((await call(app, 'members/list', 'alice', 'acme')).status).toBe(503);
    } finally {
      await app.close();
      await new Promise<void>((resolve) => fake.close(() => resolve()));
    }
  });
});

describe('the Express router on malformed bodies', () => {
  it('answers JSON 400 for broken JSON and 413 for a body over the limit', async () => {
    const { backend, done } = await embedded();
    const app = await expressApp(backend);
    try {
      const headers = { 'content-type': 'application/json', 'x-tenant-id': 'acme', 'x-user': 'alice' };
      const broken = await fetch(`${app.url}/members/list`, { method: 'POST', headers, body: '{"page_size":' });
      expect(broken.status).toBe(400);
      expect(((await broken.json()) as { reason: string }).reason).toBe('invalid_request');
      const big = await fetch(`${app.url}/members/list`, { method: 'POST', headers, body: JSON.stringify({ query: 'x'.repeat(70_000) }) });
      expect(big.status).toBe(413);
      expect(((await big.json()) as { reason: string }).reason).toBe('body_too_large');
    } finally {
      await app.close();
      await done();
    }
  });
});

describe('the admin routes read req.gate when given no resolvers', () => {
  it('uses the tenant and subject an earlier middleware bound', async () => {
    const { backend, done } = await embedded();
    const app = express();
    app.use((req, _res, next) => {
      (req as unknown as { gate: unknown }).gate = { tenant: String(req.headers['x-tenant-id']), subject: { type: 'user', id: String(req.headers['x-user']) } };
      next();
    });
    app.use('/admin', adminRouter({ backend }));
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const a: App = { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/admin`, close: () => new Promise<void>((res) => server.close(() => res())) };
    try {
      expect((await call(a, 'roles/list', 'carol', 'acme')).body.viewer).toBe('carol');
      expect((await call(a, 'members/list', 'alice', 'globex')).status).toBe(403);
    } finally {
      await a.close();
      await done();
    }
  });
});

describe('what an app on a remote PDP loads', () => {
  it('never imports the engine, and only the postgres entry imports pg', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = join(process.cwd(), 'packages/admin/src');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect([f, imports.filter((i) => i?.startsWith('@gatehouse/engine'))]).toEqual([f, []]);
      if (!f.startsWith('postgres')) expect([f, imports.filter((i) => i === 'pg')]).toEqual([f, []]);
    }
    const pkg = JSON.parse(readFileSync(join(process.cwd(), 'packages/admin/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toEqual(['@gatehouse/core']);
  });
});
