// Red-team probes of query plans (POST /v1/tenants/{t}/permissions/plan, Engine.plan, the Prisma and Drizzle
// adapters): a plan for one tenant never carries another tenant's ids, whoever asks; a subject id is an id, never a
// userset; an attribute named `id` is not mistaken for the row's id column; a budget-busting plan is 422 while the
// server keeps answering; an adapter given a plan naming an attribute it cannot map (even an Object.prototype name)
// refuses it rather than dropping the condition.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Condition, QueryPlan } from '@gatehouse/core';
import { accessibleWhere as drizzleWhere } from '@gatehouse/drizzle';
import { Engine } from '@gatehouse/engine';
import { accessibleWhere as prismaWhere } from '@gatehouse/prisma';
import { boolean, pgTable, text } from 'drizzle-orm/pg-core';
import { start } from '../fixtures/server/helpers.js';
import type { Running } from '../fixtures/server/helpers.js';

const ADMIN = 'admin-key-0123456789';
const ACME = 'acme-only-key-0123456789';

const SCHEMA = `
entity user {}
entity folder {
  relation viewer @user
  permission view = viewer
}
entity doc {
  relation owner @user
  relation parent @folder
  attribute public boolean
  attribute xs integer[]
  permission view = owner or public or parent.view
  permission cube = big(xs)
}
rule big(xs integer[]) { xs.all(x, xs.all(y, xs.all(z, x + y + z > 0))) }`;

/** Every id an id-set condition of the plan names. */
function ids(c: Condition | undefined): string[] {
  if (c === undefined) return [];
  if ('and' in c) return c.and.flatMap(ids);
  if ('or' in c) return c.or.flatMap(ids);
  if ('not' in c) return ids(c.not);
  return c.field === 'id' && 'in' in c ? c.in.map(String) : [];
}

const planBody = (id: string, permission = 'view'): object => ({ entity_type: 'doc', permission, subject: { type: 'user', id } });

describe('plans over HTTP stay in their tenant', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start({ schema: SCHEMA, data: { relationships: [] }, apiKeys: [ADMIN, { key: ACME, tenants: ['acme'] }] });
    for (const t of ['acme', 'globex']) {
      expect((await s.call('POST', '/v1/tenants/create', { id: t }, { key: ADMIN })).status).toBe(200);
      expect((await s.call('POST', `/v1/tenants/${t}/schemas/write`, { schema: SCHEMA }, { key: ADMIN })).status).toBe(200);
    }
    const write = async (t: string, tuples: string[]): Promise<void> => {
      expect((await s.call('POST', `/v1/tenants/${t}/data/write`, { tuples }, { key: ADMIN })).status).toBe(200);
    };
    await write('acme', ['doc:a1#owner@user:alice', 'folder:af#viewer@user:alice', 'doc:a2#parent@folder:af']);
    // globex grants the same subject other documents, by the same paths, and one id acme also knows by name.
    await write('globex', ['doc:g1#owner@user:alice', 'doc:a9#owner@user:alice', 'folder:gf#viewer@user:alice', 'doc:g2#parent@folder:gf', 'folder:af#viewer@user:mallory']);
  });
  afterAll(async () => {
    await s.server.close();
  });

  it('a key scoped to acme cannot plan in globex (403), and its acme plan names only acme’s ids', async () => {
    expect((await s.call('POST', '/v1/tenants/globex/permissions/plan', planBody('alice'), { key: ACME })).status).toBe(403);
    const r = await s.call('POST', '/v1/tenants/acme/permissions/plan', planBody('alice'), { key: ACME });
    expect(r.status).toBe(200);
    expect(ids((r.body as QueryPlan & { condition?: Condition }).condition).sort()).toEqual(['a1', 'a2']);
  });

  it('an unscoped key planning for acme gets acme’s ids only, though globex grants the same subject elsewhere', async () => {
    const acme = await s.call('POST', '/v1/tenants/acme/permissions/plan', planBody('alice'), { key: ADMIN });
    const globex = await s.call('POST', '/v1/tenants/globex/permissions/plan', planBody('alice'), { key: ADMIN });
    expect(ids(acme.body.condition).sort()).toEqual(['a1', 'a2']);
    expect(ids(globex.body.condition).sort()).toEqual(['a9', 'g1', 'g2']);
    // mallory views folder af in globex only: in acme she gets the public condition and no ids.
    const mallory = await s.call('POST', '/v1/tenants/acme/permissions/plan', planBody('mallory'), { key: ADMIN });
    expect(ids(mallory.body.condition)).toEqual([]);
  });

  it('refuses a subject id written as a userset or with a relation smuggled into the id (400), never planning for a userset', async () => {
    for (const id of ['folder:af#viewer', 'alice#owner', 'user:alice#x', '']) {
      const r = await s.call('POST', '/v1/tenants/acme/permissions/plan', planBody(id), { key: ADMIN });
      expect(r.status).toBe(400);
    }
    const typed = await s.call('POST', '/v1/tenants/acme/permissions/plan', { entity_type: 'doc', permission: 'view', subject: { type: 'user:alice', id: 'x' } }, { key: ADMIN });
    expect(typed.status).toBe(400);
  });

  it('answers a budget-busting plan with 422 GH_ERR_BUDGET_EXCEEDED while /healthz answers', async () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
    const xs = { '@type': 'type.googleapis.com/base.v1.IntegerArrayValue', data: thousand };
    // A plan reads the planned type's attributes from the row, so the list is stored (one document is enough).
    const w = await s.call('POST', '/v1/tenants/acme/data/write', { attributes: [{ entity: { type: 'doc', id: 'big' }, attribute: 'xs', value: xs }] }, { key: ACME });
    expect(w.status).toBe(200);
    const body = planBody('mallory', 'cube');
    const [plan, health] = await Promise.all([
      s.call('POST', '/v1/tenants/acme/permissions/plan', body, { key: ACME }),
      s.call('GET', '/healthz', undefined, { key: null }),
    ]);
    expect(health.status).toBe(200);
    expect(plan.status).toBe(422);
    expect(plan.body.details[0].reason).toBe('GH_ERR_BUDGET_EXCEEDED');
  });
});

describe('an attribute named id', () => {
  it('is planned from stored data, never compared as the row’s id column', async () => {
    const engine = await Engine.create({ schema: `entity user {}\nentity doc { relation owner @user attribute id string permission view = owner or secret(id) }\nrule secret(id string) { id == 'd7' }` });
    try {
      // The attribute id of doc:d9 is "d7"; the row whose id is d7 has no such attribute.
      await engine.write({ tenant: 't1', tuples: ['doc:d1#owner@user:alice'], attributes: [{ entity: { type: 'doc', id: 'd9' }, attribute: 'id', value: 'd7' }] });
      const plan = await engine.plan({ tenant: 't1', subject: { type: 'user', id: 'bob' }, permission: 'view', entityType: 'doc' });
      expect(plan).toEqual(expect.objectContaining({ kind: 'conditional', condition: { field: 'id', in: ['d9'] } }));
      expect((await engine.check({ tenant: 't1', subject: { type: 'user', id: 'bob' }, action: 'view', resource: { type: 'doc', id: 'd7' } })).allowed).toBe(false);
    } finally {
      await engine.close();
    }
  });
});

describe('the ORM adapters never drop a condition they cannot map', () => {
  const documents = pgTable('documents', { id: text('id').primaryKey(), title: text('title'), isPublic: boolean('is_public') });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'secret'])('refuses a plan comparing %s when the mapping has no such field (InvalidRequestError, not a wider filter)', (field) => {
    const plan = { kind: 'conditional', condition: { or: [{ field: 'id', in: ['1'] }, { field, eq: true }] } } as QueryPlan;
    expect(() => prismaWhere(plan, { id: 'id', fields: { public: 'isPublic' } })).toThrow(expect.objectContaining({ code: 'GH_ERR_INVALID_REQUEST' }));
    expect(() => drizzleWhere(plan, { id: documents.id, fields: { public: documents.isPublic } })).toThrow(expect.objectContaining({ code: 'GH_ERR_INVALID_REQUEST' }));
  });

  it('refuses a plan from a hostile PDP whose field names are SQL or whose ids are not ids', () => {
    for (const condition of [{ field: 'title; drop table documents; --', eq: 'x' }, { field: 'id', in: ["1' or '1'='1"] }, { field: 'id', in: [{ toString: () => '1' }] }]) {
      const plan = { kind: 'conditional', condition } as unknown as QueryPlan;
      expect(() => drizzleWhere(plan, { id: documents.id, fields: { title: documents.title } })).toThrow(expect.objectContaining({ code: 'GH_ERR_INVALID_REQUEST' }));
      expect(() => prismaWhere(plan, { id: 'id', fields: { title: 'title' } })).toThrow(expect.objectContaining({ code: 'GH_ERR_INVALID_REQUEST' }));
    }
  });
});
