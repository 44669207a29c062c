import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';

import { bearer, resolvers, schema, startApp } from './fixtures/nestjs-app.js';
import type { Platform } from './fixtures/nestjs-app.js';

describe.each<[Platform]>([['express'], ['fastify']])('PermissionGuard on %s', (platform) => {
  let engine: Engine;
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    engine = await Engine.create({ schema });
    await engine.createTenant('acme');
    await engine.createTenant('globex');
    await engine.write({
      tenant: 'acme',
      tuples: ['document:1#owner@user:alice', 'document:2#owner@user:carol', 'tenant:acme#admin@user:bob', 'tenant:acme#member@user:dave'],
      attributes: ['document:3$public|boolean:true'],
    });
    await engine.write({ tenant: 'globex', tuples: ['document:1#owner@user:erin'] });
    app = await startApp(platform, { pdp: new EmbeddedPdp(engine), ...resolvers });
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
    await engine.close();
  });

  it('lets the owner view her document', async () => {
    const res = await http.get('/documents/1').set('x-tenant-id', 'acme').set('authorization', bearer('alice'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: '1', tenant: 'acme', subject: 'alice' });
  });

  it('answers 403 with a JSON reason when the subject may not view the document', async () => {
    const res = await http.get('/documents/1').set('x-tenant-id', 'acme').set('authorization', bearer('carol'));
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'permission "view" on document:1 denied', reason: 'denied' });
  });

  it('answers 401 when the request carries no subject', async () => {
    const res = await http.get('/documents/1').set('x-tenant-id', 'acme');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, reason: 'unauthenticated' });
  });

  it('denies the owner of document 1 in acme when she asks in globex', async () => {
    const res = await http.get('/documents/1').set('x-tenant-id', 'globex').set('authorization', bearer('alice'));
    expect(res.status).toBe(403);
  });

  it('answers 400 for a malformed tenant id', async () => {
    const res = await http.get('/documents/1').set('x-tenant-id', 'no such/tenant').set('authorization', bearer('alice'));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, reason: 'invalid_tenant' });
  });

  it('answers 400 for a resource id the check cannot take', async () => {
    const res = await http.get('/documents/a%20b').set('x-tenant-id', 'acme').set('authorization', bearer('alice'));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ reason: 'invalid_request' });
  });

  it('takes the tenant from the subdomain', async () => {
    const ok = await http.get('/documents/1').set('host', 'globex.example.test').set('authorization', bearer('erin'));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tenant: 'globex' });
    const denied = await http.get('/documents/1').set('host', 'acme.example.test').set('authorization', bearer('erin'));
    expect(denied.status).toBe(403);
  });

  it('takes the tenant from a JWT claim', async () => {
    const ok = await http.get('/documents/1').set('authorization', bearer('erin', 'globex'));
    expect(ok.body).toMatchObject({ tenant: 'globex', subject: 'erin' });
    expect((await http.get('/documents/1').set('authorization', bearer('erin', 'acme'))).status).toBe(403);
  });

  it('lets a tenant admin edit any document (a role in the tenant)', async () => {
    const res = await http.patch('/documents/2').set('x-tenant-id', 'acme').set('authorization', bearer('bob'));
    expect(res.status).toBe(200);
    expect((await http.patch('/documents/2').set('x-tenant-id', 'acme').set('authorization', bearer('dave'))).status).toBe(403);
  });

  it('requires every @Permission() on a handler', async () => {
    const admin = await http.delete('/documents/2').set('x-tenant-id', 'acme').set('authorization', bearer('bob'));
    expect(admin.status).toBe(403);
    expect(admin.body).toMatchObject({ message: 'permission "delete" on document:2 denied' });
    const owner = await http.delete('/documents/2').set('x-tenant-id', 'acme').set('authorization', bearer('carol'));
    expect(owner.status).toBe(200);
  });

  it('requires one permission of an @AnyPermission() group', async () => {
    const owner = await http.post('/documents/2/archive').set('x-tenant-id', 'acme').set('authorization', bearer('carol'));
    expect(owner.status).toBe(201);
    const member = await http.post('/documents/1/archive').set('x-tenant-id', 'acme').set('authorization', bearer('dave'));
    expect(member.status).toBe(201);
    const stranger = await http.post('/documents/1/archive').set('x-tenant-id', 'acme').set('authorization', bearer('zoe'));
    expect(stranger.status).toBe(403);
    expect(stranger.body.message).toMatch(/^permission any of "delete" on document:1, "create" on document denied$/);
  });

  it('applies a controller-level @Permission() to its handlers', async () => {
    expect((await http.post('/drafts').set('x-tenant-id', 'acme').set('authorization', bearer('dave'))).status).toBe(201);
    expect((await http.post('/drafts').set('x-tenant-id', 'acme').set('authorization', bearer('alice'))).status).toBe(403);
  });

  it('reads resource ids from the body and from the query', async () => {
    const body = await http.post('/documents/share').set('x-tenant-id', 'acme').set('authorization', bearer('alice')).send({ document: '1' });
    expect(body.status).toBe(201);
    const notOwner = await http.post('/documents/share').set('x-tenant-id', 'acme').set('authorization', bearer('carol')).send({ document: '1' });
    expect(notOwner.status).toBe(403);
    expect((await http.get('/documents?doc=3').set('x-tenant-id', 'acme').set('authorization', bearer('zoe'))).status).toBe(200);
    const missing = await http.get('/documents').set('x-tenant-id', 'acme').set('authorization', bearer('zoe'));
    expect(missing.status).toBe(400);
  });

  it('lets anyone through a @Public() route without binding a gate', async () => {
    const res = await http.get('/health').set('x-tenant-id', 'bad tenant!');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, bound: false });
  });

  it('binds req.gate on routes without requirements when there is a subject', async () => {
    expect((await http.get('/me')).body).toEqual({ anonymous: true });
    const res = await http.get('/me').set('x-tenant-id', 'acme').set('authorization', bearer('dave'));
    expect(res.body).toEqual({ tenant: 'acme', subject: 'dave', canCreate: true });
  });

  it('sees a new grant and a revocation at once through the decision cache', async () => {
    const ask = async (): Promise<number> =>
      (await http.get('/documents/1').set('x-tenant-id', 'acme').set('authorization', bearer('frank'))).status;
    expect(await ask()).toBe(403);
    expect(await ask()).toBe(403);
    await engine.write({ tenant: 'acme', tuples: ['document:1#viewer@user:frank'] });
    expect(await ask()).toBe(200);
    expect(await ask()).toBe(200);
    await engine.delete({ tenant: 'acme', tuples: ['document:1#viewer@user:frank'] });
    expect(await ask()).toBe(403);
  });

  describe('permit-fe-sdk endpoint', () => {
    it('answers GET ?action&resource for the authenticated user, ignoring ?user=', async () => {
      const carol = await http
        .get('/permit-check?user=alice&action=edit&resource=document:1')
        .set('x-tenant-id', 'acme')
        .set('authorization', bearer('carol'));
      expect(carol.status).toBe(200);
      expect(carol.body).toEqual({ permitted: false });
      const alice = await http.get('/permit-check?user=carol&action=edit&resource=document:1').set('x-tenant-id', 'acme').set('authorization', bearer('alice'));
      expect(alice.body).toEqual({ permitted: true });
    });

    it('answers a single POST and a bulk POST', async () => {
      const single = await http
        .post('/permit-check?user=x')
        .set('x-tenant-id', 'acme')
        .set('authorization', bearer('dave'))
        .send({ action: 'create', resource: 'document', userAttributes: {}, resourceAttributes: {} });
      expect(single.status).toBe(200);
      expect(single.body).toEqual({ permitted: true });
      const bulk = await http
        .post('/permit-check?user=x')
        .set('x-tenant-id', 'acme')
        .set('authorization', bearer('alice'))
        .send({
          resourcesAndActions: [
            { action: 'view', resource: 'document:1', userAttributes: {}, resourceAttributes: {} },
            { action: 'delete', resource: 'document:2', userAttributes: {}, resourceAttributes: {} },
            { action: 'view', resource: 'document:3', userAttributes: {}, resourceAttributes: {} },
          ],
        });
      expect(bulk.status).toBe(200);
      expect(bulk.body).toEqual({ permittedList: [true, false, true] });
    });

    it('answers 401 without a subject and 400 for a malformed item', async () => {
      expect((await http.get('/permit-check?action=view&resource=document:1').set('x-tenant-id', 'acme')).status).toBe(401);
      const bad = await http.post('/permit-check').set('x-tenant-id', 'acme').set('authorization', bearer('alice')).send({ action: 'view', resource: 'doc ument' });
      expect(bad.status).toBe(400);
    });
  });
});
