import { parseTuple } from '@gatehouse/core';
import type { StoreChange } from '@gatehouse/engine';
import { afterEach, expect, it } from '@jest/globals';
import { PostgresStore } from '@gatehouse/store-postgres';
import type { PostgresStoreOptions } from '@gatehouse/store-postgres';

import { PG_URL, REDIS_URL, describeWith, dropSchema, postgresMissing, redisMissing, uniqueName } from './helpers/services.js';

/** Resolves when `predicate` holds, checking after every delivered change. */
function until(seen: StoreChange[], predicate: (seen: StoreChange[]) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const tick = (): void => {
      if (predicate(seen)) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
}

const opened: PostgresStore[] = [];
const schemas: string[] = [];

async function pair(extra: Partial<PostgresStoreOptions> = {}): Promise<[PostgresStore, PostgresStore]> {
  const schema = uniqueName('repl');
  schemas.push(schema);
  const make = (): PostgresStore =>
    new PostgresStore({ connectionString: PG_URL, schema, pollIntervalMs: 0, ...extra });
  const a = make();
  const b = make();
  opened.push(a, b);
  await Promise.all([a.open(), b.open()]);
  return [a, b];
}

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  for (const s of schemas.splice(0)) await dropSchema(s);
});

for (const relay of ['postgres', 'redis'] as const) {
  describeWith(relay === 'redis' ? [postgresMissing, redisMissing] : [postgresMissing], `PostgresStore change feed over ${relay}`, () => {
    const options = (): Partial<PostgresStoreOptions> =>
      relay === 'redis' ? { relay, redis: { url: REDIS_URL, keyPrefix: `${uniqueName('rk')}:` } } : { relay };

    it('delivers another process\'s commits to subscribers, in commit order, with their rows', async () => {
      const [a, b] = await pair(options());
      const seen: StoreChange[] = [];
      b.subscribe((c) => seen.push(c));
      const one = await a.commit({ tenant: 't1', createTuples: [parseTuple('doc:1#owner@user:alice')] });
      const two = await a.createTenant('acme', 'Acme');
      const three = await a.commit({ tenant: 'acme', createTuples: [parseTuple('doc:9#owner@user:bob')] });
      await until(seen, (s) => s.length === 3);
      expect(seen.map((c) => c.snapToken)).toEqual([one.snapToken, two.snapToken, three.snapToken]);
      expect(seen[0]).toEqual({ kind: 'data', tenant: 't1', snapToken: one.snapToken, changes: one.changes });
      expect(seen[1]).toMatchObject({ kind: 'tenant', operation: 'create', record: { id: 'acme', name: 'Acme' } });
    });

    it('interleaves its own and another process\'s commits in commit order under concurrent writes', async () => {
      const [a, b] = await pair(options());
      const seenA: StoreChange[] = [];
      const seenB: StoreChange[] = [];
      a.subscribe((c) => seenA.push(c));
      b.subscribe((c) => seenB.push(c));
      const writes = [];
      for (let i = 0; i < 20; i++) {
        const s = i % 2 === 0 ? a : b;
        writes.push(s.commit({ tenant: 't1', createTuples: [parseTuple(`doc:${String(i)}#owner@user:u${String(i)}`)] }));
      }
      const tokens = (await Promise.all(writes)).map((w) => w.snapToken).sort((x, y) => Number(BigInt(x) - BigInt(y)));
      await until(seenA, (s) => s.length === 20);
      await until(seenB, (s) => s.length === 20);
      expect(seenA.map((c) => c.snapToken)).toEqual(tokens);
      expect(seenB.map((c) => c.snapToken)).toEqual(tokens);
    });

    it('catches up from its last applied commit after its relay connection drops', async () => {
      const [a, b] = await pair(options());
      const seen: StoreChange[] = [];
      b.subscribe((c) => seen.push(c));
      await a.commit({ tenant: 't1', createTuples: [parseTuple('doc:1#owner@user:alice')] });
      await until(seen, (s) => s.length === 1);
      (b.changeRelay as unknown as { dropConnection(): void }).dropConnection();
      // Written while B's listener is away: its notices are lost, the rows are not.
      const missed = await a.commit({ tenant: 't1', createTuples: [parseTuple('doc:2#owner@user:bob')] });
      await until(seen, (s) => s.length === 2);
      expect(seen[1]?.snapToken).toBe(missed.snapToken);
    });
  });
}

describeWith([postgresMissing], 'PostgresStore poll', () => {
  it('finds commits whose notice never arrived (relay down) by polling the head token', async () => {
    const schema = uniqueName('poll');
    schemas.push(schema);
    const a = new PostgresStore({ connectionString: PG_URL, schema, pollIntervalMs: 0 });
    const b = new PostgresStore({ connectionString: PG_URL, schema, pollIntervalMs: 20 });
    opened.push(a, b);
    await a.open();
    await b.open();
    await b.changeRelay.close();
    const seen: StoreChange[] = [];
    b.subscribe((c) => seen.push(c));
    const w = await a.commit({ tenant: 't1', createTuples: [parseTuple('doc:1#owner@user:alice')] });
    await until(seen, (s) => s.length === 1);
    expect(seen[0]?.snapToken).toBe(w.snapToken);
  });
});
