// Lookup pages resume (issue 14 item 3). The review: `lookup-entity` with `page_size: 1` over 100,000 documents cost
// the whole answer for every page, so walking the pages burned hours of CPU. Now a continuation token says where the
// walk stands and which snapshot it reads: a page costs the work of that page, the pages of one walk are
// consistent (each id exactly once, as at the walk's first page, whatever is written meanwhile), and a token that
// was altered or made for another question is refused with 400. Work is measured in evaluation steps
// (engine.stats().lastRequestSteps, the unit of the step budget), never in time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Engine } from '@gatehouse/engine';
import { KEY, start } from '../fixtures/server/helpers.js';
import type { Running } from '../fixtures/server/helpers.js';

const SCHEMA = `
entity user {}
entity group { relation member @user }
entity doc {
  relation owner @user
  relation viewer @user @group#member
  attribute public boolean
  permission edit = owner or viewer
  permission view = edit or public
}`;

const pad = (i: number): string => String(i).padStart(5, '0');

/** `n` documents: alice owns every 10th, group g1 (alice, carol) views every 7th, every 13th is public, bob owns 3. */
async function fill(engine: Engine, tenant: string, n: number): Promise<void> {
  await engine.createTenant(tenant);
  const tuples = ['group:g1#member@user:alice', 'group:g1#member@user:carol'];
  const attributes: { entity: { type: string; id: string }; attribute: string; value: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    const id = `d${pad(i)}`;
    if (i % 10 === 0) tuples.push(`doc:${id}#owner@user:alice`);
    if (i % 7 === 0) tuples.push(`doc:${id}#viewer@group:g1#member`);
    if (i % 10 === 5) tuples.push(`doc:${id}#owner@user:u${pad(i)}`);
    if ([n >> 2, n >> 1, n - 2].includes(i)) tuples.push(`doc:${id}#owner@user:bob`);
    attributes.push({ entity: { type: 'doc', id }, attribute: 'public', value: i % 13 === 0 });
  }
  for (let i = 0; i < tuples.length; i += 1000) await engine.write({ tenant, tuples: tuples.slice(i, i + 1000) });
  for (let i = 0; i < attributes.length; i += 1000) await engine.write({ tenant, attributes: attributes.slice(i, i + 1000) });
}

interface EntityPage {
  entity_ids: string[];
  continuous_token: string;
}
interface SubjectPage {
  subject_ids: string[];
  continuous_token: string;
}

describe('lookup pages', () => {
  let engine: Engine;
  let s: Running;

  beforeAll(async () => {
    engine = await Engine.create({ schema: SCHEMA });
    await fill(engine, 'small', 100);
    await fill(engine, 'big', 10_000);
    await fill(engine, 'walk', 400);
    s = await start({ engine, data: undefined, apiKeys: [KEY] });
  });
  afterAll(async () => {
    await s.server.close();
  });

  const entityPage = async (tenant: string, user: string, permission: string, token: string, size = 1): Promise<EntityPage> => {
    const r = await s.call('POST', `/v1/tenants/${tenant}/permissions/lookup-entity`, { entity_type: 'doc', permission, subject: { type: 'user', id: user }, page_size: size, continuous_token: token });
    expect(r.status).toBe(200);
    return r.body as EntityPage;
  };
  const subjectPage = async (tenant: string, doc: string, token: string, size = 1): Promise<SubjectPage> => {
    const r = await s.call('POST', `/v1/tenants/${tenant}/permissions/lookup-subject`, { entity: { type: 'doc', id: doc }, permission: 'view', subject_reference: { type: 'user' }, page_size: size, continuous_token: token });
    expect(r.status).toBe(200);
    return r.body as SubjectPage;
  };
  /** The answer by checking every document (the oracle). */
  const allowedDocs = async (tenant: string, user: string, permission: string, n: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const d = await engine.check({ tenant, subject: { type: 'user', id: user }, action: permission, resource: { type: 'doc', id: `d${pad(i)}` } });
      if (d.allowed) out.push(`d${pad(i)}`);
    }
    return out;
  };

  async function walkEntities(tenant: string, user: string, permission: string, between?: (page: number) => Promise<void>): Promise<string[]> {
    const ids: string[] = [];
    let token = '';
    for (let page = 0; page < 1000; page++) {
      const body = await entityPage(tenant, user, permission, token);
      expect(body.entity_ids.length).toBeLessThanOrEqual(1);
      ids.push(...body.entity_ids);
      token = body.continuous_token;
      if (token === '') return ids;
      await between?.(page);
    }
    throw new Error('the walk did not end');
  }

  it('walks lookup-entity with page_size 1: each id exactly once, in order, the same as the whole answer', async () => {
    // view: attribute grants (walks the type's ids); edit: tuples only, dense (alice) and sparse (bob: 3 of 400).
    for (const [user, permission] of [['alice', 'view'], ['alice', 'edit'], ['bob', 'edit'], ['carol', 'edit'], ['nobody', 'edit']] as const) {
      const expected = await allowedDocs('walk', user, permission, 400);
      const walked = await walkEntities('walk', user, permission);
      expect([user, permission, walked]).toEqual([user, permission, expected]);
      const whole = await entityPage('walk', user, permission, '', 1000);
      expect(whole.entity_ids).toEqual(expected);
      expect(whole.continuous_token).toBe('');
    }
  });

  it('walks lookup-subject with page_size 1: each subject exactly once, the same as the whole answer', async () => {
    for (const doc of ['d00000', 'd00005', 'd00013', 'd00100']) {
      const ids: string[] = [];
      let token = '';
      do {
        const body = await subjectPage('walk', doc, token);
        ids.push(...body.subject_ids);
        token = body.continuous_token;
      } while (token !== '');
      const whole = await subjectPage('walk', doc, '', 1000);
      expect(ids).toEqual(whole.subject_ids);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('keeps one walk consistent under concurrent writes: the answer as at its first page', async () => {
    await fill(engine, 'busy', 400);
    const expected = await allowedDocs('busy', 'alice', 'edit', 400);
    let n = 0;
    const walked = await walkEntities('busy', 'alice', 'edit', async (page) => {
      // Between pages: grant new documents before and after the walk's position, revoke ones not yet returned.
      n++;
      await engine.write({ tenant: 'busy', tuples: [`doc:d${pad(page * 7)}x#owner@user:alice`, `doc:a${String(n)}#owner@user:alice`, `doc:z${String(n)}#owner@user:alice`] });
      await engine.delete({ tenant: 'busy', tuples: [`doc:d${pad(390 - page * 10)}#owner@user:alice`] });
    });
    expect(walked).toEqual(expected);
    // A new walk sees the new state.
    const fresh = await entityPage('busy', 'alice', 'edit', '', 1000);
    expect(fresh.entity_ids).not.toEqual(expected);
    expect(fresh.entity_ids).toContain('a1');
  });

  it('refuses a token that was altered, made up, or issued for another question with 400', async () => {
    const first = await entityPage('walk', 'alice', 'view', '');
    const token = first.continuous_token;
    expect(token).not.toBe('');
    const flip = (t: string, at: number): string => t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
    const bad = [flip(token, 5), flip(token, token.length - 2), token.slice(0, -1), `${token}A`, 'garbage', 'p1.', 'p1.e30.AAAA', '0', 'd00000'];
    for (const t of bad) {
      const r = await s.call('POST', '/v1/tenants/walk/permissions/lookup-entity', { entity_type: 'doc', permission: 'view', subject: { type: 'user', id: 'alice' }, page_size: 1, continuous_token: t });
      expect([t, r.status]).toEqual([t, 400]);
      expect((r.body as { details: { reason: string }[] }).details[0]?.reason).toBe('GH_ERR_INVALID_REQUEST');
    }
    // The same token for another subject, permission, tenant or kind of lookup.
    const other = [
      ['/v1/tenants/walk/permissions/lookup-entity', { entity_type: 'doc', permission: 'view', subject: { type: 'user', id: 'carol' }, page_size: 1, continuous_token: token }],
      ['/v1/tenants/walk/permissions/lookup-entity', { entity_type: 'doc', permission: 'edit', subject: { type: 'user', id: 'alice' }, page_size: 1, continuous_token: token }],
      ['/v1/tenants/small/permissions/lookup-entity', { entity_type: 'doc', permission: 'view', subject: { type: 'user', id: 'alice' }, page_size: 1, continuous_token: token }],
      ['/v1/tenants/walk/permissions/lookup-subject', { entity: { type: 'doc', id: 'd00000' }, permission: 'view', subject_reference: { type: 'user' }, page_size: 1, continuous_token: token }],
    ] as const;
    for (const [path, body] of other) expect((await s.call('POST', path, body)).status).toBe(400);
    // The untouched token still works.
    expect((await entityPage('walk', 'alice', 'view', token)).entity_ids).toHaveLength(1);
  });

  it('costs a page the same work at 10,000 documents as at 100: it does not scale with the tenant', async () => {
    const cost = async (tenant: string, user: string, permission: string, pages: number): Promise<number[]> => {
      const steps: number[] = [];
      let token = '';
      for (let p = 0; p < pages && (p === 0 || token !== ''); p++) {
        const body = await entityPage(tenant, user, permission, token);
        steps.push(engine.stats().lastRequestSteps);
        token = body.continuous_token;
      }
      return steps;
    };
    for (const [user, permission] of [['alice', 'view'], ['alice', 'edit'], ['bob', 'edit']] as const) {
      const small = Math.max(...(await cost('small', user, permission, 3)));
      const big = Math.max(...(await cost('big', user, permission, 3)));
      expect([user, permission, big <= 2 * small + 50]).toEqual([user, permission, true]);
    }
    // lookup-subject on a public document: every user qualifies, the first page checks one.
    const subjectCost = async (tenant: string): Promise<number> => {
      await subjectPage(tenant, 'd00000', '');
      return engine.stats().lastRequestSteps;
    };
    expect(await subjectCost('big')).toBeLessThanOrEqual(2 * (await subjectCost('small')) + 50);
    // The whole answer, by contrast, grows with the tenant.
    await entityPage('small', 'alice', 'view', '', 1000);
    const wholeSmall = engine.stats().lastRequestSteps;
    await entityPage('big', 'alice', 'view', '', 1000);
    expect(engine.stats().lastRequestSteps).toBeGreaterThan(10 * wholeSmall);
  });
});
