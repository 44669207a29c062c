// One tenant's request cannot freeze every tenant (issue 14 item 2). The review's probe: a key scoped to acme wrote
// `rule big(xs integer[]) { xs.all(x, xs.all(y, xs.all(z, x + y + z > 0))) }` and checked it with a contextual
// 1,000-integer list: no answer in 40 s and /healthz frozen for ~100 s. Now every evaluation runs under a step budget
// and such a request is answered 422 GH_ERR_BUDGET_EXCEEDED. (Each call of the helper gives up after 10 s, so a
// request that ran unbounded fails this test.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Gatehouse } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';
import { Engine } from '@gatehouse/engine';
import { start } from '../fixtures/server/helpers.js';
import type { Running } from '../fixtures/server/helpers.js';

const ADMIN = 'admin-key-0123456789';
const ACME = 'acme-key-0123456789';

const SCHEMA = `
entity user {}
entity group { relation member @user @group#member }
entity doc {
  relation viewer @user @group#member
  attribute xs integer[]
  attribute public boolean
  permission view = viewer or public
  permission cube = big(xs)
}
rule big(xs integer[]) { xs.all(x, xs.all(y, xs.all(z, x + y + z > 0))) }`;

const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
const xs = (n: number[]) => ({ entity: { type: 'doc', id: '1' }, attribute: 'xs', value: { '@type': 'type.googleapis.com/base.v1.IntegerArrayValue', data: n } });
const cubeCheck = (n: number[]) => ({ entity: { type: 'doc', id: '1' }, permission: 'cube', subject: { type: 'user', id: 'mallory' }, context: { attributes: [xs(n)] } });

interface ErrorBody {
  code: number;
  message: string;
  details: { reason: string }[];
}

describe('the step budget over HTTP, with the default budget', () => {
  let s: Running;

  beforeAll(async () => {
    s = await start({ apiKeys: [ADMIN, { key: ACME, tenants: ['acme'] }] });
    const w = await s.call('POST', '/v1/tenants/acme/schemas/write', { schema: SCHEMA }, { key: ACME });
    expect(w.status).toBe(200);
  });
  afterAll(async () => {
    await s.server.close();
  });

  it('answers the review\'s cubic rule over 1,000 contextual integers with 422 GH_ERR_BUDGET_EXCEEDED while /healthz answers', async () => {
    const [check, health] = await Promise.all([
      s.call('POST', '/v1/tenants/acme/permissions/check', cubeCheck(thousand), { key: ACME }),
      s.call('GET', '/healthz', undefined, { key: null }),
    ]);
    expect(health.status).toBe(200);
    expect(check.status).toBe(422);
    const body = check.body as ErrorBody;
    expect(body.details[0]?.reason).toBe('GH_ERR_BUDGET_EXCEEDED');
    expect(body.message).toContain('GH_ERR_BUDGET_EXCEEDED');
    expect(body.message).toMatch(/step budget of \d+ steps/);
    expect((await s.call('GET', '/healthz', undefined, { key: null })).status).toBe(200);
    // The same rule over a short list is answered.
    const small = await s.call('POST', '/v1/tenants/acme/permissions/check', cubeCheck([1, 2, 3]), { key: ACME });
    expect(small.status).toBe(200);
    expect((small.body as { can: string }).can).toBe('CHECK_RESULT_ALLOWED');
  });

  it('keeps /healthz answering between ten concurrent budget-busting checks', async () => {
    const busting = Array.from({ length: 10 }, () => s.call('POST', '/v1/tenants/acme/permissions/check', cubeCheck(thousand), { key: ACME }));
    const health = await s.call('GET', '/healthz', undefined, { key: null });
    expect(health.status).toBe(200);
    for (const r of await Promise.all(busting)) expect(r.status).toBe(422);
  });

  it('is a denial with reason budget_exceeded through a RemotePdp client', async () => {
    const gate = new Gatehouse({ pdp: new RemotePdp({ url: s.url, apiKey: ACME, watch: false, timeoutMs: 10_000 }) });
    const decision = await gate.check({
      tenant: 'acme',
      subject: 'user:mallory',
      action: 'cube',
      resource: 'doc:1',
      context: { attributes: [{ entity: { type: 'doc', id: '1' }, attribute: 'xs', value: thousand }] },
    });
    expect(decision).toMatchObject({ allowed: false, reason: 'budget_exceeded' });
    await gate.close();
  });

  it('answers Permit\'s /user-permissions with 422 rather than retrying each permission on a fresh budget', async () => {
    const stored = { entity: { type: 'doc', id: '2' }, attribute: 'xs', value: { '@type': 'type.googleapis.com/base.v1.IntegerArrayValue', data: thousand } };
    expect((await s.call('POST', '/v1/tenants/acme/data/write', { attributes: [stored] }, { key: ACME })).status).toBe(200);
    const r = await s.call('POST', '/user-permissions', { user: { key: 'mallory' }, tenants: ['acme'], resources: ['doc:2'] }, { key: ACME });
    expect(r.status).toBe(422);
    expect((r.body as ErrorBody).details[0]?.reason).toBe('GH_ERR_BUDGET_EXCEEDED');
  });

  it('refuses contextual data over the size limits with 400 before evaluating', async () => {
    const tooLong = Array.from({ length: 10_001 }, (_, i) => i);
    const r = await s.call('POST', '/v1/tenants/acme/permissions/check', cubeCheck(tooLong), { key: ACME });
    expect(r.status).toBe(400);
    expect((r.body as ErrorBody).message).toContain('maxListLength');
  });
});

describe('the step budget over HTTP: graphs and lookups', () => {
  let s: Running;
  let engine: Engine;
  // A server whose engine has a small budget, so the wide and deep graphs stay small: the mechanism is the same
  // budget the defaults set (docs/budgets.md).
  beforeAll(async () => {
    engine = await Engine.create({ schema: SCHEMA, budget: { maxSteps: 5000 } });
    await engine.createTenant('acme');
    const tuples: string[] = [];
    for (let g = 0; g < 150; g++) {
      tuples.push(`doc:wide#viewer@group:g${String(g)}#member`);
      for (let m = 0; m < 150; m++) tuples.push(`group:g${String(g)}#member@user:u${String(g)}-${String(m)}`);
    }
    // A chain of groups, each with 150 members of its own to read on the way down.
    tuples.push('doc:deep#viewer@group:c0#member');
    for (let i = 0; i < 60; i++) {
      tuples.push(`group:c${String(i)}#member@group:c${String(i + 1)}#member`);
      for (let m = 0; m < 150; m++) tuples.push(`group:c${String(i)}#member@user:c${String(i)}-${String(m)}`);
    }
    for (let i = 0; i < tuples.length; i += 1000) await engine.write({ tenant: 'acme', tuples: tuples.slice(i, i + 1000) });
    const attributes = Array.from({ length: 4000 }, (_, i) => ({ entity: { type: 'doc', id: `d${String(i)}` }, attribute: 'public', value: false }));
    for (let i = 0; i < attributes.length; i += 1000) await engine.write({ tenant: 'acme', attributes: attributes.slice(i, i + 1000) });
    s = await start({ engine, data: undefined, apiKeys: [ADMIN, { key: ACME, tenants: ['acme'] }] });
  });
  afterAll(async () => {
    await s.server.close();
  });

  const outsider = { type: 'user', id: 'nobody' };
  const expectBudget = (r: { status: number; body: unknown }): void => {
    expect(r.status).toBe(422);
    expect((r.body as ErrorBody).details[0]?.reason).toBe('GH_ERR_BUDGET_EXCEEDED');
  };

  it('answers a wide graph walk with 422', async () => {
    expectBudget(await s.call('POST', '/v1/tenants/acme/permissions/check', { entity: { type: 'doc', id: 'wide' }, permission: 'view', subject: outsider }, { key: ACME }));
    expectBudget(await s.call('POST', '/v1/tenants/acme/permissions/expand', { entity: { type: 'doc', id: 'wide' }, permission: 'view' }, { key: ACME }));
    expectBudget(await s.call('POST', '/v1/tenants/acme/permissions/subject-permission', { entity: { type: 'doc', id: 'wide' }, subject: outsider }, { key: ACME }));
    expect((await s.call('GET', '/healthz', undefined, { key: null })).status).toBe(200);
  });

  it('answers a deep graph walk with 422 before the depth limit is reached', async () => {
    expectBudget(await s.call('POST', '/v1/tenants/acme/permissions/check', { metadata: { depth: 100 }, entity: { type: 'doc', id: 'deep' }, permission: 'view', subject: outsider }, { key: ACME }));
  });

  it('answers a lookup page whose one candidate costs more than the budget with 422, and ends other pages early', async () => {
    // Every user's check on doc:wide walks member rows of groups the user is not in: more than the budget.
    expectBudget(await s.call('POST', '/v1/tenants/acme/permissions/lookup-subject', { entity: { type: 'doc', id: 'wide' }, permission: 'view', subject_reference: { type: 'user' }, page_size: 1000 }, { key: ACME }));
    // 4,000 cheap candidates: the page ends on its budget with what it found and a token to go on.
    const r = await s.call('POST', '/v1/tenants/acme/permissions/lookup-entity', { entity_type: 'doc', permission: 'view', subject: outsider, page_size: 1000 }, { key: ACME });
    expect(r.status).toBe(200);
    const page = r.body as { entity_ids: string[]; continuous_token: string };
    expect(page.entity_ids).toEqual([]);
    expect(page.continuous_token).not.toBe('');
    expect(engine.stats().lastRequestSteps).toBeLessThanOrEqual(5000);
    expect((await s.call('GET', '/healthz', undefined, { key: null })).status).toBe(200);
  });
});
