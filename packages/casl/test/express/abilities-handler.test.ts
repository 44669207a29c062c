import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createMongoAbility, subject } from '@casl/ability';
import { unpackRules } from '@casl/ability/extra';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { abilitiesHandler } from '@gatehouse/casl/express';
import { Gatehouse } from '@gatehouse/core';
import type { BoundGate } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';
import express from 'express';
import express4 from 'express4';
import request from 'supertest';

import { startFixture } from '../fixtures/policy.js';
import type { Fixture } from '../fixtures/policy.js';

type AppFactory = () => express.Express;

describe.each([
  ['express 5', express as unknown as AppFactory],
  ['express 4', express4 as unknown as AppFactory],
])('abilitiesHandler on %s', (_name, makeApp) => {
  let f: Fixture;
  let app: express.Express;

  beforeAll(async () => {
    f = await startFixture();
    app = makeApp();
    // Fake authentication: what @gatehouse/express's gatehouse() middleware leaves on the request.
    app.use((req, _res, next) => {
      const user = req.headers.authorization?.replace(/^Bearer /, '');
      const tenant = req.headers['x-tenant-id'];
      if (user !== undefined && typeof tenant === 'string') (req as { gate?: BoundGate }).gate = f.gate.bind(tenant, user);
      next();
    });
    app.get(
      '/abilities',
      abilitiesHandler({ resources: ['document'], snapToken: (req) => f.engine.headSnapToken(req.gate?.tenant ?? 't1') }),
    );
    app.get('/bad', abilitiesHandler({ resources: ['not a type'] }));
  });
  afterAll(async () => {
    await f.close();
  });

  const as = (user: string, tenant = 'acme') => ({ authorization: `Bearer ${user}`, 'x-tenant-id': tenant });

  it('serves the request subject packed rules with an ETag', async () => {
    const res = await request(app).get('/abilities').set(as('bob')).expect(200);
    expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(res.headers['cache-control']).toBe('private, no-cache');
    const ability = createMongoAbility(unpackRules(res.body.rules));
    expect(ability.can('edit', subject('document', { id: '1' }))).toBe(true);
    expect(ability.can('edit', subject('document', { id: '2' }))).toBe(false);
    expect(res.body.snapToken).toBe(f.engine.headSnapToken('acme'));
    expect(typeof res.body.expiresAt).toBe('number');
  });

  it('answers 304 with no body when If-None-Match still matches', async () => {
    const first = await request(app).get('/abilities').set(as('bob')).expect(200);
    const res = await request(app).get('/abilities').set(as('bob')).set('if-none-match', first.headers.etag!).expect(304);
    expect(res.text).toBe('');
  });

  it('answers 200 with new rules after a revoke changes what the subject may do', async () => {
    const first = await request(app).get('/abilities').set(as('bob')).expect(200);
    await f.engine.delete({ tenant: 'acme', tuples: ['document:3#owner@user:bob'] });
    try {
      const res = await request(app).get('/abilities').set(as('bob')).set('if-none-match', first.headers.etag!).expect(200);
      expect(res.headers.etag).not.toBe(first.headers.etag);
      const ability = createMongoAbility(unpackRules(res.body.rules));
      expect(ability.can('edit', subject('document', { id: '3' }))).toBe(false);
    } finally {
      await f.engine.write({ tenant: 'acme', tuples: ['document:3#owner@user:bob'] });
    }
  });

  it('serves each tenant its own rules', async () => {
    const res = await request(app).get('/abilities').set(as('carol', 'globex')).expect(200);
    const ability = createMongoAbility(unpackRules(res.body.rules));
    expect(ability.can('edit', subject('document', { id: '1' }))).toBe(true);
    const acme = await request(app).get('/abilities').set(as('carol', 'acme')).expect(200);
    expect(createMongoAbility(unpackRules(acme.body.rules)).can('edit', subject('document', { id: '1' }))).toBe(false);
  });

  it('answers 401 as JSON when req.gate is not set', async () => {
    const res = await request(app).get('/abilities').expect(401);
    expect(res.body).toMatchObject({ error: 'Unauthorized', reason: 'unauthenticated' });
  });

  it('answers 503 as JSON when the PDP is unreachable', async () => {
    // A real remote PDP client pointed at a port nothing listens on.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const pdp = new RemotePdp({ url: `http://127.0.0.1:${String(port)}`, retries: 0, watch: false, timeoutMs: 2000 });
    const down = new Gatehouse({ pdp });
    const downApp = makeApp();
    downApp.use((req, _res, next) => {
      (req as { gate?: BoundGate }).gate = down.bind('acme', 'bob');
      next();
    });
    downApp.get('/abilities', abilitiesHandler({ resources: ['document'] }));
    try {
      const res = await request(downApp).get('/abilities').expect(503);
      expect(res.body).toMatchObject({ error: 'Service Unavailable', reason: 'pdp_unavailable' });
    } finally {
      await down.close();
      await pdp.close();
    }
  });

  it('answers 400 as JSON for a bad resource', async () => {
    const res = await request(app).get('/bad').set(as('bob')).expect(400);
    expect(res.body).toMatchObject({ error: 'Bad Request', reason: 'invalid_request' });
  });
});

describe('abilitiesHandler with adapter options (binds the request itself, docs/adapters.md)', () => {
  let f: Fixture;
  let app: express.Express;

  beforeAll(async () => {
    f = await startFixture();
    app = express();
    app.get(
      '/abilities',
      abilitiesHandler({
        resources: ['document'],
        client: f.gate,
        tenant: (req) => req.headers['x-tenant-id'] as string | undefined,
        subject: (req) => req.headers.authorization?.replace(/^Bearer /, ''),
      }),
    );
  });
  afterAll(async () => {
    await f.close();
  });

  it('answers the table: 200 bound, 401 anonymous, 400 invalid_subject, 400 missing_tenant', async () => {
    await request(app).get('/abilities').set({ authorization: 'Bearer bob', 'x-tenant-id': 'acme' }).expect(200);
    const anonymous = await request(app).get('/abilities').set({ 'x-tenant-id': 'acme' }).expect(401);
    expect(anonymous.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String), reason: 'unauthenticated' });
    const forged = await request(app).get('/abilities').set({ authorization: 'Bearer tenant:acme#admin', 'x-tenant-id': 'acme' }).expect(400);
    expect(forged.body).toMatchObject({ statusCode: 400, reason: 'invalid_subject' });
    const noTenant = await request(app).get('/abilities').set({ authorization: 'Bearer bob' }).expect(400);
    expect(noTenant.body).toMatchObject({ statusCode: 400, reason: 'missing_tenant' });
  });

  it('refuses malformed adapter options when the handler is made', () => {
    expect(() => abilitiesHandler({ resources: ['document'], client: f.gate, subject: 'bob' as never })).toThrow(/options.subject/);
  });
});
