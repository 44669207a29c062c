// Red-team probes: request subjects are opaque ids on the surfaces subject-forgery.test.ts and the adapters'
// behaviour table do not reach — the CASL abilities handler, req.gate.plan (query plans) and the tenant-admin
// routers (Express, Nest on fastify). In the policy below the userset tenant:acme#admin owns document 1, so a
// subject id parsed as a userset would see and edit it; alice (the tenant's admin) shows what a real grant looks like.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import request from 'supertest';
import { AdminService } from '@gatehouse/admin';
import { adminRouter } from '@gatehouse/admin/express';
import { GatehouseAdminModule } from '@gatehouse/admin/nest';
import { abilitiesHandler } from '@gatehouse/casl/express';
import { fromHeader, Gatehouse } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { gatehouse } from '@gatehouse/express';

const SCHEMA = `
entity user {}
entity tenant {
  relation admin @user
  relation editor @user
  permission manage_members = admin
  permission view_members = admin
  permission view_audit = admin
  permission assign_admin = admin
  permission assign_editor = admin
}
entity document {
  relation owner @user @tenant#admin
  permission view = owner
  permission edit = owner
}`;

/** Ids a user might pick at sign-up, each shaped like a subject that holds more than a user. */
const FORGED = ['tenant:acme#admin', 'document:1#owner', 'user:alice', 'alice#...', '*', 'user:*', 'tenant:acme#admin@user:mallory', 'tenant:acme'];

let engine: Engine;
let client: Gatehouse;

beforeAll(async () => {
  engine = await Engine.create({ schema: SCHEMA });
  await engine.createTenant('acme');
  await engine.write({ tenant: 'acme', tuples: ['document:1#owner@tenant:acme#admin', 'tenant:acme#admin@user:alice'] });
  client = new Gatehouse({ pdp: new EmbeddedPdp(engine), cache: false });
});
afterAll(async () => {
  await client.close();
  await engine.close();
});

const user = (req: { headers: Record<string, unknown> }): string | undefined => (typeof req.headers['x-user'] === 'string' ? req.headers['x-user'] : undefined);

describe('the CASL abilities handler', () => {
  it.each(FORGED)('gives %s no ability on document 1 (400, or rules that grant nothing)', async (id) => {
    const definition = (await engine.readSchema('acme')).definition as Record<string, unknown>;
    const app = express();
    app.get('/abilities', abilitiesHandler({ client, tenant: fromHeader('x-tenant-id'), subject: user, resources: ['document'], schema: definition }));
    const res = await request(app).get('/abilities').set({ 'x-tenant-id': 'acme', 'x-user': id });
    if (res.status === 200) {
      expect(JSON.stringify(res.body)).not.toMatch(/"1"/);
    } else {
      expect(res.status).toBe(400);
    }
    // alice, the tenant's admin, does get document 1: the probe can see a grant when there is one.
    const alice = await request(app).get('/abilities').set({ 'x-tenant-id': 'acme', 'x-user': 'alice' });
    expect(alice.status).toBe(200);
    expect(JSON.stringify(alice.body)).toMatch(/"1"/);
  });
});

describe('req.gate.plan', () => {
  it.each(FORGED)('plans nothing on document 1 for %s (400, or a plan without it)', async (id) => {
    const app = express();
    app.use(gatehouse({ client, tenant: fromHeader('x-tenant-id'), subject: user }));
    app.get('/documents', async (req, res) => {
      res.json(await req.gate?.plan('view', 'document'));
    });
    const res = await request(app).get('/documents').set({ 'x-tenant-id': 'acme', 'x-user': id });
    if (res.status === 200) {
      expect(JSON.stringify(res.body)).not.toMatch(/"1"/);
      expect(res.body.kind).not.toBe('always');
    } else {
      expect(res.status).toBe(400);
    }
    const alice = await request(app).get('/documents').set({ 'x-tenant-id': 'acme', 'x-user': 'alice' });
    expect(JSON.stringify(alice.body)).toMatch(/"1"/);
  });
});

describe('the tenant-admin routers', () => {
  let nest: INestApplication;
  let nestUrl = '';
  let expressApp: express.Express;
  let backend: AdminService;

  beforeAll(async () => {
    backend = new AdminService({ engine, pdp: new EmbeddedPdp(engine) });
    expressApp = express();
    expressApp.use(express.json());
    expressApp.use('/admin', adminRouter({ backend, tenant: fromHeader('x-tenant-id'), subject: user }));
    @Module({ imports: [GatehouseAdminModule.forRoot({ backend, path: 'admin', tenant: fromHeader('x-tenant-id'), subject: user })] })
    class AppModule {}
    Logger.overrideLogger(false);
    nest = await NestFactory.create(AppModule, new FastifyAdapter());
    await nest.listen(0, '127.0.0.1');
    nestUrl = `http://127.0.0.1:${String((nest.getHttpServer().address() as { port: number }).port)}/admin`;
  });
  afterAll(async () => {
    await nest.close();
  });

  async function viaNest(path: string, id: string, body: unknown): Promise<number> {
    const res = await fetch(`${nestUrl}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tenant-id': 'acme', 'x-user': id }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    return res.status;
  }

  it.each(FORGED)('never let %s list members or grant admin, on Express or Nest (fastify)', async (id) => {
    for (const [path, body] of [
      ['members/list', {}],
      ['members/roles/assign', { user_id: 'mallory', role: 'admin' }],
    ] as const) {
      const viaExpress = await request(expressApp).post(`/admin/${path}`).set({ 'x-tenant-id': 'acme', 'x-user': id }).send(body);
      expect([400, 403]).toContain(viaExpress.status);
      expect([400, 403]).toContain(await viaNest(path, id, body));
    }
    const held = await engine.readRelationships({ tenant: 'acme', filter: { entity: { type: 'tenant', ids: ['acme'] }, subject: { type: 'user', ids: ['mallory'] } } });
    expect(held.tuples).toEqual([]);
    // alice, who administers acme, may list members on both: the probe sees an allowed call as 200.
    expect((await request(expressApp).post('/admin/members/list').set({ 'x-tenant-id': 'acme', 'x-user': 'alice' }).send({})).status).toBe(200);
    expect(await viaNest('members/list', 'alice', {})).toBe(200);
  });
});
