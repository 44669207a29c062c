/**
 * Issue 14 item 1: a subject string from a request was parsed as `type:id#relation`, so an authenticated id such as
 * `tenant:acme#admin` became the userset "admins of acme" and held everything granted through it (200 on view,
 * PATCH and DELETE in both examples). A subject from a request is an opaque id of `subjectType`: these probes
 * attack both examples as a user of an identity provider that lets users pick their id would, and a property
 * checks, through each adapter and a recording PDP, that the PDP is only ever asked about `user:<that id>`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import type { ExecutionContext, INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import express from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { Gatehouse } from '@gatehouse/core';
import type { CheckRequest, Decision, Pdp } from '@gatehouse/core';
import { adapterConfig } from '@gatehouse/core/adapter';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { gatehouse } from '@gatehouse/express';
import { fromParam, Permission, PermissionGuard } from '@gatehouse/nestjs';

import { createApp as createExpressApp } from '../../examples/express-app/src/app.js';
import { applySeed, readSeed } from '../../examples/express-app/src/seed.js';
import { createApp as createNestApp } from '../../examples/nestjs-app/src/create-app.js';

/** Ids an identity provider might let a user choose, each shaped like a subject that holds more than a user. */
const FORGED = [
  'tenant:acme#admin',
  'document:roadmap#owner',
  'document:1#owner',
  'tenant:acme#member',
  'user:alice',
  'alice#...',
  '*',
  'user:*',
  'tenant:acme#admin@user:mallory',
];

/** The routes of both examples that a forged subject must never get through. */
const ATTACKS = [
  ['GET', '/documents/roadmap'],
  ['PATCH', '/documents/roadmap'],
  ['DELETE', '/documents/roadmap'],
  ['GET', '/documents/roadmap/permissions'],
] as const;

async function attack(server: Parameters<typeof request>[0], method: string, path: string, id: string): Promise<number> {
  const call = method === 'GET' ? request(server).get(path) : method === 'PATCH' ? request(server).patch(path).send({ title: 'pwned' }) : request(server).delete(path);
  const res = await call.set({ 'x-tenant-id': 'acme', authorization: `Bearer ${id}` });
  return res.status;
}

describe('forged subjects against the express example', () => {
  const root = new URL('../../examples/express-app/', import.meta.url);
  let engine: Engine;
  let gate: Gatehouse;
  let app: express.Express;

  beforeAll(async () => {
    engine = await Engine.create({ schema: await readFile(new URL('schema.perm', root), 'utf8') });
    const documents = await applySeed(engine, await readSeed(new URL('seed.yaml', root)));
    gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
    app = createExpressApp({ engine, gate, documents });
  });

  afterAll(async () => {
    await gate.close();
    await engine.close();
  });

  it.each(FORGED)('never answers 200 to %s on view, PATCH, DELETE or permissions', async (id) => {
    const through = [];
    for (const [method, path] of ATTACKS) {
      const status = await attack(app, method, path, id);
      if (status !== 400 && status !== 403) through.push({ method, path, status });
    }
    expect(through).toEqual([]);
    // The roadmap is still there and unchanged for its owner.
    const roadmap = await request(app).get('/documents/roadmap').set({ 'x-tenant-id': 'acme', authorization: 'Bearer alice' }).expect(200);
    expect(roadmap.body.title).not.toBe('pwned');
  });

  it('answers 400 invalid_subject for an id that is not one, and 403 for a valid id that merely looks like a subject', async () => {
    const bad = await request(app).get('/documents/roadmap').set({ 'x-tenant-id': 'acme', authorization: 'Bearer tenant:acme#admin' }).expect(400);
    expect(bad.body).toMatchObject({ statusCode: 400, reason: 'invalid_subject' });
    // `user:alice` is a valid id: the user whose id is "user:alice", not alice.
    await request(app).get('/documents/roadmap').set({ 'x-tenant-id': 'acme', authorization: 'Bearer user:alice' }).expect(403);
  });

  it('answers 400 (not 500) to a share whose user is not a user id', async () => {
    const owner = { 'x-tenant-id': 'acme', authorization: 'Bearer alice' };
    for (const user of ['tenant:acme#admin', 'bad id', '*', 42]) {
      const res = await request(app).post('/documents/roadmap/share').set(owner).send({ user });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, reason: 'invalid_request' });
    }
  });
});

describe('forged subjects against the NestJS example', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createNestApp();
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it.each(FORGED)('never answers 200 to %s on view, PATCH, DELETE or permissions', async (id) => {
    const through = [];
    for (const [method, path] of ATTACKS) {
      const status = await attack(app.getHttpServer() as Parameters<typeof request>[0], method, path, id);
      if (status !== 400 && status !== 403 && status !== 404) through.push({ method, path, status });
    }
    expect(through).toEqual([]);
  });

  it('answers 400 invalid_subject for an id that is not one, and 400 to a share whose user is not a user id', async () => {
    const http = request(app.getHttpServer() as Parameters<typeof request>[0]);
    const bad = await http.delete('/documents/roadmap').set({ 'x-tenant-id': 'acme', authorization: 'Bearer document:roadmap#owner' }).expect(400);
    expect(bad.body).toMatchObject({ statusCode: 400, reason: 'invalid_subject' });
    await http.post('/documents/roadmap/viewers').set({ 'x-tenant-id': 'acme', authorization: 'Bearer alice' }).send({ user: 'tenant:acme#admin' }).expect(400);
  });
});

/** A PDP that records what it is asked and allows everything: whatever reaches it would be let through. */
class RecordingPdp implements Pdp {
  public readonly asked: CheckRequest[] = [];
  public async check(req: CheckRequest): Promise<Decision> {
    this.asked.push(req);
    return await Promise.resolve({ allowed: true });
  }
  public async checkMany(reqs: readonly CheckRequest[]): Promise<Decision[]> {
    return await Promise.all(reqs.map(async (r) => await this.check(r)));
  }
  public async subjectPermissions(): Promise<never> {
    return await Promise.reject(new Error('not used'));
  }
  public async lookupResources(): Promise<never> {
    return await Promise.reject(new Error('not used'));
  }
  public async lookupSubjects(): Promise<never> {
    return await Promise.reject(new Error('not used'));
  }
  public subscribe(): () => void {
    return () => undefined;
  }
}

const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[a-z]{1,8}:[a-z0-9]{1,8}(#[a-z.]{1,8})?$/),
  fc.constantFrom(...FORGED),
);

describe('the PDP is asked about user:<the resolved string> or the request is refused', () => {
  it('through @gatehouse/express', async () => {
    const pdp = new RecordingPdp();
    let current = '';
    const gate = gatehouse({ client: new Gatehouse({ pdp, cache: false }), tenant: () => 'acme', subject: () => current });
    const app = express();
    app.get('/documents/:id', gate.authorize('view', { type: 'document', id: fromParam('id') }), (_req, res) => { res.json({ ok: true }); });
    await fc.assert(
      fc.asyncProperty(anyString, async (s) => {
        current = s;
        pdp.asked.length = 0;
        const res = await request(app).get('/documents/1');
        if (res.status === 200) {
          expect(pdp.asked.map((r) => r.subject)).toEqual([{ type: 'user', id: s }]);
        } else {
          expect([400, 401]).toContain(res.status);
          expect(pdp.asked).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
    await gate.client.close();
  });

  it('through @gatehouse/nestjs', async () => {
    class Controller {
      @Permission('view', 'document', { id: fromParam('id') })
      public view(): void {}
    }
    const pdp = new RecordingPdp();
    let current = '';
    const client = new Gatehouse({ pdp, cache: false });
    const guard = new PermissionGuard(new Reflector(), adapterConfig({ client, tenant: () => 'acme', subject: () => current }, 'test'));
    const req = { headers: {}, params: { id: '1' } };
    const context = {
      getType: () => 'http',
      getClass: () => Controller,
      getHandler: () => Controller.prototype.view,
      getArgByIndex: () => req,
    } as unknown as ExecutionContext;
    await fc.assert(
      fc.asyncProperty(anyString, async (s) => {
        current = s;
        pdp.asked.length = 0;
        let allowed: boolean;
        try {
          allowed = await guard.canActivate(context);
        } catch (err) {
          expect([400, 401]).toContain((err as { getStatus(): number }).getStatus());
          expect(pdp.asked).toEqual([]);
          return;
        }
        expect(allowed).toBe(true);
        expect(pdp.asked.map((r) => r.subject)).toEqual([{ type: 'user', id: s }]);
      }),
      { numRuns: 500 },
    );
    await client.close();
  });
});
