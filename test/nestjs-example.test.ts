import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { createApp } from '../examples/nestjs-app/src/create-app.js';

describe('the NestJS example app (embedded PDP)', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  const as = (user: string, tenant = 'acme') => ({ authorization: `Bearer ${user}`, 'x-tenant-id': tenant });

  beforeAll(async () => {
    app = await createApp();
    await app.init();
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers the three curl commands it prints as it says', async () => {
    expect((await http.get('/documents/roadmap').set(as('carol'))).status).toBe(200);
    const denied = await http.delete('/documents/roadmap').set(as('carol'));
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'permission "delete" on document:roadmap denied', reason: 'denied' });
    const other = await http.get('/documents/plan').set('host', 'globex.localhost').set('authorization', 'Bearer dave');
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ id: 'plan' });
  });

  it('answers 401 without a user, 400 without a tenant, and serves /health to anyone', async () => {
    expect((await http.get('/documents/roadmap').set('x-tenant-id', 'acme')).status).toBe(401);
    expect((await http.get('/documents/roadmap').set('authorization', 'Bearer carol')).body).toMatchObject({ reason: 'missing_tenant' });
    expect((await http.get('/health')).body).toEqual({ ok: true });
  });

  it('lists only the documents the user may view', async () => {
    const dave = await http.get('/documents').set(as('dave'));
    expect(dave.body.map((d: { id: string }) => d.id).sort()).toEqual(['handbook', 'notes']);
    const bob = await http.get('/documents').set(as('bob', 'globex'));
    expect(bob.body.map((d: { id: string }) => d.id)).toEqual(['plan']);
  });

  it('keeps tenants apart: an admin of acme is nobody in globex', async () => {
    expect((await http.get('/documents/plan').set(as('alice', 'globex'))).status).toBe(403);
    expect((await http.get('/documents/roadmap').set(as('dave'))).status).toBe(403);
  });

  it('makes the creator the owner, and honours sharing, the public attribute and deletion at once', async () => {
    expect((await http.post('/documents').set(as('carol')).send({ id: 'memo', title: 'Memo' })).status).toBe(403);
    const created = await http.post('/documents').set(as('bob')).send({ id: 'memo', title: 'Memo', body: 'hi' });
    expect(created.status).toBe(201);
    expect((await http.get('/documents/memo').set(as('dave'))).status).toBe(403);
    expect((await http.post('/documents/memo/viewers').set(as('bob')).send({ user: 'dave' })).status).toBe(204);
    expect((await http.get('/documents/memo').set(as('dave'))).status).toBe(200);
    expect((await http.get('/documents/memo').set(as('zoe'))).status).toBe(403);
    expect((await http.patch('/documents/memo').set(as('bob')).send({ public: true })).body).toMatchObject({ public: true });
    expect((await http.get('/documents/memo').set(as('zoe'))).status).toBe(200);
    expect((await http.delete('/documents/memo').set(as('carol'))).status).toBe(403);
    expect((await http.delete('/documents/memo').set(as('alice'))).status).toBe(204);
    expect((await http.get('/documents/memo').set(as('dave'))).status).toBe(403);
  });

  it('serves the permit-fe-sdk endpoint for the logged-in user', async () => {
    const res = await http
      .post('/permit-check?user=alice')
      .set(as('carol'))
      .send({ resourcesAndActions: [{ action: 'view', resource: 'document:roadmap' }, { action: 'delete', resource: 'document:roadmap' }] });
    expect(res.body).toEqual({ permittedList: [true, false] });
  });
});
