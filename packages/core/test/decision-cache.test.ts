import { describe, expect, it } from '@jest/globals';
import { DecisionCache, Gatehouse, PdpUnavailableError } from '@gatehouse/core';

import { TablePdp } from './fixtures/table-pdp.js';

function setup(cache: ConstructorParameters<typeof Gatehouse>[0]['cache'] = {}): { pdp: TablePdp; gate: Gatehouse } {
  const pdp = new TablePdp();
  pdp.grant('t1', 'user:alice', 'read', 'document:1');
  pdp.grant('acme', 'user:alice', 'read', 'document:1');
  return { pdp, gate: new Gatehouse({ pdp, cache }) };
}

const sleep = async (ms: number): Promise<void> => await new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(1);
}

describe('DecisionCache', () => {
  it('serves a repeated check from the cache as a frozen decision marked cached', async () => {
    const { pdp, gate } = setup();
    const first = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    expect(first).toMatchObject({ allowed: true, reason: 'allowed' });
    expect(first.cached).toBe(false);
    const second = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    expect(second).toMatchObject({ allowed: true, reason: 'allowed', cached: true });
    expect(Object.isFrozen(second)).toBe(true);
    expect(pdp.calls.items).toBe(1);
    expect(gate.stats).toMatchObject({ hits: 1, misses: 1 });
  });

  it('returns the very same decision object on every hit (nothing allocated but the promise)', async () => {
    const { gate } = setup();
    await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    const a = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    const b = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    expect(a).toBe(b);
  });

  it('returns the entry\'s own resolved promise on a hit', async () => {
    const { gate } = setup();
    const input = { subject: 'alice', action: 'read', resource: 'document:1' };
    await gate.check(input);
    expect(gate.check(input)).toBe(gate.check(input));
  });

  it('invalidate() ends one tenant\'s decisions, or every tenant\'s with "*"', async () => {
    const pdp = new TablePdp();
    const cache = new DecisionCache(pdp);
    const request = (tenant: string) => ({ tenant, subject: { type: 'user', id: 'alice' }, action: 'read', resource: { type: 'document', id: '1' } });
    await cache.check(request('a'));
    await cache.check(request('b'));
    cache.invalidate('a');
    expect((await cache.check(request('a'))).cached).toBe(false);
    expect((await cache.check(request('b'))).cached).toBe(true);
    cache.invalidate('*');
    expect((await cache.check(request('a'))).cached).toBe(false);
    expect((await cache.check(request('b'))).cached).toBe(false);
    cache.close();
  });

  it('caches denials too', async () => {
    const { pdp, gate } = setup();
    expect(await gate.can('bob', 'read', 'document:1')).toBe(false);
    expect(await gate.can('bob', 'read', 'document:1')).toBe(false);
    expect(pdp.calls.items).toBe(1);
  });

  it('never serves a decision of one tenant to another', async () => {
    const { pdp, gate } = setup();
    expect(await gate.can('alice', 'read', 'document:1', { tenant: 'acme' })).toBe(true);
    expect(await gate.can('alice', 'read', 'document:1', { tenant: 'globex' })).toBe(false);
    expect(pdp.calls.items).toBe(2);
  });

  it('keys by the context: a different context is a miss, the same context (any key order) a hit', async () => {
    const { pdp, gate } = setup();
    const base = { subject: 'alice', action: 'read', resource: 'document:1' };
    await gate.check({ ...base, context: { data: { ip: '1.2.3.4', day: 'mon' } } });
    await gate.check({ ...base, context: { data: { day: 'mon', ip: '1.2.3.4' } } });
    expect(pdp.calls.items).toBe(1);
    await gate.check({ ...base, context: { data: { ip: '5.6.7.8', day: 'mon' } } });
    await gate.check(base);
    expect(pdp.calls.items).toBe(3);
  });

  it('keys subjects and resources with attributes by their attributes', async () => {
    const { pdp, gate } = setup();
    await gate.check({ subject: { type: 'user', id: 'alice', attributes: { age: 30 } }, action: 'read', resource: 'document:1' });
    await gate.check({ subject: { type: 'user', id: 'alice', attributes: { age: 12 } }, action: 'read', resource: 'document:1' });
    await gate.check({ subject: 'alice', action: 'read', resource: { type: 'document', id: '1', attributes: { public: true } } });
    expect(pdp.calls.items).toBe(3);
  });

  it('ends a tenant\'s decisions on its change event and keeps other tenants\' decisions', async () => {
    const { pdp, gate } = setup();
    await gate.can('alice', 'read', 'document:1', { tenant: 'acme' });
    await gate.can('alice', 'read', 'document:1');
    pdp.revoke('acme', 'user:alice', 'read', 'document:1');
    expect(await gate.can('alice', 'read', 'document:1', { tenant: 'acme' })).toBe(false);
    expect(await gate.can('alice', 'read', 'document:1')).toBe(true);
    expect(gate.stats.hits).toBe(1);
  });

  it('ends every tenant\'s decisions on a change event for tenant "*"', async () => {
    const { pdp, gate } = setup();
    await gate.can('alice', 'read', 'document:1', { tenant: 'acme' });
    await gate.can('alice', 'read', 'document:1');
    pdp.emit({ tenant: '*', kind: 'schema' });
    await gate.can('alice', 'read', 'document:1', { tenant: 'acme' });
    await gate.can('alice', 'read', 'document:1');
    expect(pdp.calls.items).toBe(4);
  });

  it('does not store a decision when the tenant changed while it was computed (no stale fill)', async () => {
    const { pdp, gate } = setup();
    pdp.delayMs = 20;
    const pending = gate.can('alice', 'read', 'document:1');
    await until(() => pdp.calls.items === 1);
    pdp.revoke('t1', 'user:alice', 'read', 'document:1');
    expect(await pending).toBe(true);
    pdp.delayMs = 0;
    expect(await gate.can('alice', 'read', 'document:1')).toBe(false);
    expect(pdp.calls.items).toBe(2);
  });

  it('does not let a check issued after a change join a call started before it', async () => {
    const { pdp, gate } = setup();
    pdp.delayMs = 20;
    const before = gate.can('alice', 'read', 'document:1');
    await until(() => pdp.calls.items === 1);
    pdp.revoke('t1', 'user:alice', 'read', 'document:1');
    const after = gate.can('alice', 'read', 'document:1');
    expect(await before).toBe(true);
    expect(await after).toBe(false);
  });

  it('shares one PDP evaluation among identical concurrent misses (singleflight)', async () => {
    const { pdp, gate } = setup({ coalesce: false });
    const answers = await Promise.all(Array.from({ length: 10 }, async () => await gate.can('alice', 'read', 'document:1')));
    expect(answers.every(Boolean)).toBe(true);
    expect(pdp.calls.check).toBe(1);
    expect(gate.stats.coalesced).toBe(9);
  });

  it('sends the distinct misses of one tick as one bulk check per tenant', async () => {
    const { pdp, gate } = setup();
    const docs = Array.from({ length: 30 }, (_, i) => `document:${String(i)}`);
    await Promise.all([
      ...docs.map(async (d) => await gate.can('alice', 'read', d)),
      ...docs.map(async (d) => await gate.can('alice', 'read', d, { tenant: 'acme' })),
    ]);
    expect(pdp.calls.checkMany).toBe(2);
    expect(pdp.calls.check).toBe(0);
    expect(pdp.calls.items).toBe(60);
  });

  it('splits a tick\'s misses into bulk checks of at most batchLimit', async () => {
    const { pdp, gate } = setup({ batchLimit: 100 });
    await Promise.all(Array.from({ length: 250 }, async (_, i) => await gate.can('alice', 'read', `document:${String(i)}`)));
    expect(pdp.calls.checkMany).toBe(3);
  });

  it('groups coalesced misses by context and consistency', async () => {
    const { pdp, gate } = setup();
    await Promise.all([
      gate.can('alice', 'read', 'document:1', { context: { data: { a: 1 } } }),
      gate.can('alice', 'read', 'document:2', { context: { data: { a: 1 } } }),
      gate.can('alice', 'read', 'document:3', { context: { data: { a: 2 } } }),
      gate.can('alice', 'read', 'document:4', { consistency: { atLeastAsFresh: '9' } }),
    ]);
    expect(pdp.calls.checkMany).toBe(1);
    expect(pdp.calls.check).toBe(2);
  });

  it('isolates an item that fails evaluation inside a bulk check from its neighbours', async () => {
    const { pdp, gate } = setup();
    const { EvaluationError } = await import('@gatehouse/core');
    pdp.inspect = (r) => {
      if (r.resource.id === 'bad' && pdp.calls.check > 0) throw new EvaluationError('rule read a missing key');
      if (r.resource.id === 'bad') throw new EvaluationError('rule read a missing key');
    };
    const [good, bad] = await Promise.all([
      gate.check({ subject: 'alice', action: 'read', resource: 'document:1' }),
      gate.check({ subject: 'alice', action: 'read', resource: 'document:bad' }),
    ]);
    expect(good).toMatchObject({ allowed: true, reason: 'allowed' });
    expect(bad).toMatchObject({ allowed: false, reason: 'evaluation_error' });
  });

  it('never serves an entry older than atLeastAsFresh, and serves one that is fresh enough', async () => {
    const { pdp, gate } = setup();
    const first = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    const token = first.snapToken ?? '';
    expect(token).toMatch(/^\d+$/);
    const fresh = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1', consistency: { atLeastAsFresh: token } });
    expect(fresh.cached).toBe(true);
    const newer = String(BigInt(token) + 1n);
    const demanded = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1', consistency: { atLeastAsFresh: newer } });
    expect(demanded.cached).toBe(false);
    expect(pdp.calls.items).toBe(2);
  });

  it('treats a snap token that is not a decimal integer as unknown freshness (a miss)', async () => {
    const { pdp, gate } = setup();
    await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    const d = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1', consistency: { atLeastAsFresh: 'MTIzOjEy' } });
    expect(d.cached).toBe(false);
    expect(pdp.calls.items).toBe(2);
  });

  it('compares snap tokens as integers, not as text', async () => {
    const pdp = new TablePdp();
    pdp.snap = 10;
    const gate = new Gatehouse({ pdp });
    await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    const d = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1', consistency: { atLeastAsFresh: '9' } });
    expect(d.cached).toBe(true);
  });

  it('uses the PDP\'s compareSnapTokens when it has one', async () => {
    const pdp = new TablePdp();
    const seen: string[] = [];
    Object.assign(pdp, { compareSnapTokens: (a: string, b: string) => { seen.push(`${a}/${b}`); return 1; } });
    const gate = new Gatehouse({ pdp });
    await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    const d = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1', consistency: { atLeastAsFresh: 'opaque' } });
    expect(d.cached).toBe(true);
    expect(seen).toContain('1/opaque');
  });

  it('expires entries after ttlMs', async () => {
    const { pdp, gate } = setup({ ttlMs: 20 });
    await gate.can('alice', 'read', 'document:1');
    await sleep(40);
    await gate.can('alice', 'read', 'document:1');
    expect(pdp.calls.items).toBe(2);
  });

  it('evicts the least recently used entry beyond maxEntries and counts it (recency kept at 250 ms resolution)', async () => {
    const { pdp, gate } = setup({ maxEntries: 2, coalesce: false });
    await gate.can('alice', 'read', 'document:1');
    await gate.can('alice', 'read', 'document:2');
    await sleep(300);
    await gate.can('alice', 'read', 'document:1');
    await gate.can('alice', 'read', 'document:3');
    expect(gate.stats.evictions).toBe(1);
    await gate.can('alice', 'read', 'document:1');
    expect(pdp.calls.items).toBe(3);
    await gate.can('alice', 'read', 'document:2');
    expect(pdp.calls.items).toBe(4);
  });

  it('serves an expired decision within maxStaleMs when the PDP fails (stale-if-error)', async () => {
    const { pdp, gate } = setup({ ttlMs: 10, maxStaleMs: 60_000 });
    await gate.can('alice', 'read', 'document:1');
    await sleep(30);
    pdp.failWith = new PdpUnavailableError('down');
    const d = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    expect(d).toMatchObject({ allowed: true, cached: true });
    expect(gate.stats.staleServed).toBe(1);
  });

  it('serves a denial with reason pdp_unavailable when the PDP is down and no entry is fresh', async () => {
    const { pdp, gate } = setup({ ttlMs: 10, maxStaleMs: 5 });
    await gate.can('alice', 'read', 'document:1');
    await sleep(40);
    pdp.failWith = new PdpUnavailableError('down');
    const d = await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' });
    expect(d).toEqual({ allowed: false, reason: 'pdp_unavailable' });
  });

  it('never serves a stale decision of an older generation, even when the PDP fails', async () => {
    const { pdp, gate } = setup({ ttlMs: 10, maxStaleMs: 60_000 });
    await gate.can('alice', 'read', 'document:1');
    pdp.revoke('t1', 'user:alice', 'read', 'document:1');
    pdp.failWith = new PdpUnavailableError('down');
    expect(await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' })).toMatchObject({ allowed: false, reason: 'pdp_unavailable' });
  });

  it('forgets tenants it holds nothing for (evicted, failed), so tenant ids seen once do not pile up', async () => {
    const pdp = new TablePdp();
    const cache = new DecisionCache(pdp, { maxEntries: 2, coalesce: false });
    const request = (tenant: string) => ({ tenant, subject: { type: 'user', id: 'alice' }, action: 'read', resource: { type: 'document', id: '1' } });
    for (let i = 0; i < 20; i++) await cache.check(request(`tenant-${String(i)}`));
    expect(cache.tenantCount).toBe(2);
    pdp.failWith = new PdpUnavailableError('down');
    for (let i = 0; i < 20; i++) await expect(cache.check(request(`other-${String(i)}`))).rejects.toBeInstanceOf(PdpUnavailableError);
    expect(cache.tenantCount).toBe(2);
    cache.clear();
    expect(cache.tenantCount).toBe(0);
    cache.close();
  });

  it('can be used alone in front of a Pdp', async () => {
    const pdp = new TablePdp();
    pdp.grant('t1', 'user:alice', 'read', 'document:1');
    const cache = new DecisionCache(pdp);
    const request = { tenant: 't1', subject: { type: 'user', id: 'alice' }, action: 'read', resource: { type: 'document', id: '1' } };
    expect((await cache.check(request)).allowed).toBe(true);
    expect((await cache.check(request)).cached).toBe(true);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, size: 1 });
    cache.close();
    expect(pdp.listenerCount).toBe(0);
  });

  it('rejects out-of-range options with the option named', () => {
    expect(() => new DecisionCache(new TablePdp(), { maxEntries: 0 })).toThrow(/options\.maxEntries/);
    expect(() => new DecisionCache(new TablePdp(), { ttlMs: -1 })).toThrow(/options\.ttlMs/);
  });
});
