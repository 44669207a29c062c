import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { Gatehouse } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { fromHeader, gatehouse, permitCheckHandler } from '@gatehouse/express';

const express4Name = 'express4';
const express4 = (await import(express4Name)).default as typeof express;

const schema = `
entity user {}
entity tenant {
  relation admin @user
  relation member @user
}
entity document {
  relation owner @user
  attribute public boolean
  permission view = owner or public or tenant.admin
  permission edit = owner or tenant.admin
  permission create = tenant.admin
}
`;

let engine: Engine;
let client: Gatehouse;

beforeAll(async () => {
  engine = await Engine.create({ schema });
  await engine.createTenant('acme');
  await engine.write({
    tenant: 'acme',
    tuples: ['document:my_file.doc#owner@user:alice', 'document:2#owner@user:bob', 'tenant:acme#admin@user:carol'],
  });
  client = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
});

afterAll(async () => {
  await client.close();
  await engine.close();
});

const URL = '/api/permit-check';

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
])('permitCheckHandler() on %s', (_name, framework) => {
  /** Behind gatehouse(): the handler answers for req.gate. Without a body parser: the handler reads the body. */
  function viaGate(): express.Express {
    const a = framework();
    a.use(gatehouse({ client, tenant: fromHeader('x-tenant-id'), subject: (req) => req.get('authorization')?.replace(/^Bearer /, '') }));
    a.all(URL, permitCheckHandler());
    return a;
  }

  /** Standalone with its own client, tenant and subject, behind express.json(). */
  function standalone(): express.Express {
    const a = framework();
    a.use(framework.json());
    a.all(URL, permitCheckHandler({ client, tenant: fromHeader('x-tenant-id'), subject: (req) => req.get('x-user') }));
    return a;
  }

  it('answers GET ?user&action&resource with { permitted } for the authenticated subject, never ?user', async () => {
    const a = viaGate();
    const auth = { authorization: 'Bearer alice', 'x-tenant-id': 'acme' };
    await request(a).get(`${URL}?user=alice&action=edit&resource=document:my_file.doc`).set(auth).expect(200, { permitted: true });
    await request(a).get(`${URL}?user=alice&action=edit&resource=document:2`).set(auth).expect(200, { permitted: false });
    // bob claims to be alice in ?user=: he is answered as bob.
    await request(a)
      .get(`${URL}?user=alice&action=edit&resource=document:my_file.doc`)
      .set({ authorization: 'Bearer bob', 'x-tenant-id': 'acme' })
      .expect(200, { permitted: false });
  });

  it('answers 401 when the request has no authenticated subject, whatever ?user says', async () => {
    const res = await request(viaGate()).get(`${URL}?user=alice&action=edit&resource=document:2`).set('x-tenant-id', 'acme').expect(401);
    expect(res.body.reason).toBe('unauthenticated');
  });

  it('answers a single POST with { permitted }, resource attributes taking part in that check only', async () => {
    for (const a of [viaGate(), standalone()]) {
      const headers = { authorization: 'Bearer zoe', 'x-user': 'zoe', 'x-tenant-id': 'acme' };
      await request(a).post(`${URL}?user=zoe`).set(headers).send({ action: 'view', resource: 'document:9', userAttributes: {}, resourceAttributes: {} }).expect(200, { permitted: false });
      await request(a)
        .post(`${URL}?user=zoe`)
        .set(headers)
        .send({ action: 'view', resource: 'document:9', userAttributes: {}, resourceAttributes: { public: true } })
        .expect(200, { permitted: true });
      const stored = await engine.readAttributes({ tenant: 'acme', filter: { entity: { type: 'document', ids: ['9'] } } });
      expect(stored.attributes).toEqual([]);
    }
  });

  it('answers a bulk POST with a positional { permittedList }, type-level and type:key resources alike', async () => {
    const res = await request(standalone())
      .post(`${URL}?user=nobody`)
      .set({ 'x-user': 'carol', 'x-tenant-id': 'acme' })
      .send({
        resourcesAndActions: [
          { action: 'create', resource: 'document', userAttributes: {}, resourceAttributes: {} },
          { action: 'edit', resource: 'document:2', userAttributes: {}, resourceAttributes: {} },
          { action: 'nope', resource: 'no such thing!', userAttributes: {}, resourceAttributes: {} },
        ],
      })
      .expect(200);
    expect(res.body).toEqual({ permittedList: [true, true, false] });
    const alice = await request(standalone())
      .post(URL)
      .set({ 'x-user': 'alice', 'x-tenant-id': 'acme' })
      .send({ resourcesAndActions: [{ action: 'create', resource: 'document' }, { action: 'edit', resource: 'document:my_file.doc' }] })
      .expect(200);
    expect(alice.body).toEqual({ permittedList: [false, true] });
  });

  it('checks in the request tenant only', async () => {
    await request(standalone()).get(`${URL}?action=edit&resource=document:2`).set({ 'x-user': 'bob', 'x-tenant-id': 'acme' }).expect(200, { permitted: true });
    const missing = await request(standalone()).get(`${URL}?action=edit&resource=document:2`).set({ 'x-user': 'bob' }).expect(400);
    expect(missing.body.reason).toBe('missing_tenant');
    const bad = await request(standalone()).get(`${URL}?action=edit&resource=document:2`).set({ 'x-user': 'bob', 'x-tenant-id': 'a b' }).expect(400);
    expect(bad.body.reason).toBe('invalid_tenant');
  });

  it('answers at most 100 bulk items (the client batch size) and a malformed item false (same contract as Nest)', async () => {
    const headers = { 'x-user': 'alice', 'x-tenant-id': 'acme' };
    const item = { action: 'edit', resource: 'document:my_file.doc' };
    const over = await request(standalone()).post(URL).set(headers).send({ resourcesAndActions: Array(101).fill(item) }).expect(400);
    expect(over.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('at most 100'), reason: 'invalid_request' });
    await request(standalone()).post(URL).set(headers).send({ resourcesAndActions: Array(100).fill(item) }).expect(200);
    await request(standalone())
      .post(URL)
      .set(headers)
      .send({ resourcesAndActions: [item, 42, { action: 'edit', resource: 'document:my_file.doc', resourceAttributes: [1] }] })
      .expect(200, { permittedList: [true, false, false] });
  });

  it('answers 400 JSON for malformed input and 405 for other methods', async () => {
    const headers = { 'x-user': 'alice', 'x-tenant-id': 'acme' };
    await request(standalone()).get(`${URL}?action=edit`).set(headers).expect(400);
    await request(standalone()).post(URL).set(headers).send({ resourcesAndActions: 'all' }).expect(400);
    const json = await request(viaGate()).post(URL).set({ authorization: 'Bearer alice', 'x-tenant-id': 'acme', 'content-type': 'application/json' }).send('{"action":').expect(400);
    expect(json.body.reason).toBe('invalid_request');
    const res = await request(standalone()).post(URL).set(headers).send({ action: 'view', resource: 'document:1', resourceAttributes: { nested: { a: 1 } } }).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('resourceAttributes.nested'), reason: 'invalid_request' });
    await request(standalone()).put(URL).set(headers).expect(405);
  });
});
