import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Gatehouse } from '@gatehouse/core';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { createApp } from '../examples/nestjs-app/src/create-app.js';
import { DocumentStore } from '../examples/nestjs-app/src/document.store.js';
import { POLICY_SETUP } from '../examples/nestjs-app/src/policy.module.js';
import type { PolicySetup } from '../examples/nestjs-app/src/policy-setup.js';

// GET /documents filters the rows with req.gate.plan('view', 'document'); this checks it against one check per
// document, on a separate client with no cache, for users with every kind of standing — and after writes.
describe('the NestJS example list route (a query plan over the in-memory rows)', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let gate: Gatehouse;
  let docs: DocumentStore;
  const as = (user: string, tenant: string) => ({ authorization: `Bearer ${user}`, 'x-tenant-id': tenant });
  // alice: admin (acme); bob: editor+viewer (acme), viewer (globex); carol: viewer (acme); dave: viewer of one
  // document (acme), admin (globex); zoe: no standing anywhere.
  const users = ['alice', 'bob', 'carol', 'dave', 'zoe'];
  const tenants = ['acme', 'globex'];

  beforeAll(async () => {
    app = await createApp();
    await app.init();
    http = request(app.getHttpServer());
    const setup = app.get<PolicySetup>(POLICY_SETUP);
    gate = new Gatehouse({ pdp: setup.pdp, cache: false });
    docs = app.get(DocumentStore);
  });

  afterAll(async () => {
    await app.close();
  });

  const listed = async (user: string, tenant: string): Promise<string[]> => {
    const res = await http.get('/documents').set(as(user, tenant));
    expect(res.status).toBe(200);
    return (res.body as { id: string }[]).map((d) => d.id).sort();
  };
  const checked = async (user: string, tenant: string): Promise<string[]> => {
    const ids = docs.list(tenant).map((d) => d.id);
    const allowed = await Promise.all(ids.map((id) => gate.can(user, 'view', `document:${id}`, { tenant })));
    return ids.filter((_, i) => allowed[i]).sort();
  };
  const expectListsAgreeWithChecks = async (): Promise<void> => {
    for (const tenant of tenants) {
      for (const user of users) {
        const [list, checks] = await Promise.all([listed(user, tenant), checked(user, tenant)]);
        expect({ user, tenant, list }).toEqual({ user, tenant, list: checks });
      }
    }
  };

  it('returns exactly the documents each user may view, in each tenant', async () => {
    expect(await listed('alice', 'acme')).toEqual(['handbook', 'notes', 'roadmap']);
    expect(await listed('dave', 'acme')).toEqual(['handbook', 'notes']);
    expect(await listed('zoe', 'acme')).toEqual(['handbook']);
    expect(await listed('bob', 'globex')).toEqual(['plan']);
    expect(await listed('alice', 'globex')).toEqual([]);
    await expectListsAgreeWithChecks();
  });

  it('lists nothing to an anonymous request (401) or to a request without a tenant', async () => {
    expect((await http.get('/documents').set('x-tenant-id', 'acme')).status).toBe(401);
    // no tenant: the route has no bound gate (req.gate is unset), so it refuses rather than guess one
    const noTenant = await http.get('/documents').set('authorization', 'Bearer alice');
    expect(noTenant.status).toBe(401);
    expect(Array.isArray(noTenant.body)).toBe(false);
  });

  it('follows sharing, the public attribute kept in the row, and deletion at once', async () => {
    expect((await http.post('/documents').set(as('bob', 'acme')).send({ id: 'memo', title: 'Memo' })).status).toBe(201);
    expect(await listed('bob', 'acme')).toContain('memo');
    expect(await listed('zoe', 'acme')).not.toContain('memo');
    expect((await http.post('/documents/memo/viewers').set(as('bob', 'acme')).send({ user: 'zoe' })).status).toBe(204);
    expect(await listed('zoe', 'acme')).toContain('memo');
    await expectListsAgreeWithChecks();

    expect((await http.patch('/documents/handbook').set(as('alice', 'acme')).send({ public: false })).body).toMatchObject({ public: false });
    expect(await listed('zoe', 'acme')).toEqual(['memo']);
    expect((await http.patch('/documents/plan').set(as('dave', 'globex')).send({ public: true })).status).toBe(200);
    expect(await listed('zoe', 'globex')).toEqual(['plan']);
    await expectListsAgreeWithChecks();

    expect((await http.delete('/documents/memo').set(as('alice', 'acme'))).status).toBe(204);
    expect(await listed('zoe', 'acme')).toEqual([]);
    await expectListsAgreeWithChecks();
  });
});
