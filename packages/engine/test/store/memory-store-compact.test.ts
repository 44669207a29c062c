import { parseAttribute, parseTuple } from '@gatehouse/core';
import { Engine, HistoryGoneError, MemoryStore } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';

describe('MemoryStore.compact', () => {
  it('drops expired history and keeps every read from the kept token on exact', async () => {
    const store = new MemoryStore();
    const engine = await Engine.create({
      store,
      schema: 'entity user {}\nentity document { relation owner @user attribute public boolean permission view = owner or public }',
    });
    await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice', 'document:2#owner@user:bob'], attributes: ['document:3$public|boolean:true'] });
    await engine.delete({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const kept = await engine.write({ tenant: 't1', attributes: ['document:3$public|boolean:false'] });
    await engine.write({ tenant: 't1', tuples: ['document:4#owner@user:carol'] });
    await engine.delete({ tenant: 't1', tuples: ['document:4#owner@user:carol'] });
    const before = await store.readTuples('t1', {}, { snapToken: kept.snapToken });
    const head = await store.readTuples('t1', {});

    const { removed } = store.compact(kept.snapToken);
    // alice's tuple and the replaced attribute value expired at or before the kept token; carol's after it.
    expect(removed).toBe(2);
    expect(await store.readTuples('t1', {}, { snapToken: kept.snapToken })).toEqual(before);
    expect(await store.readTuples('t1', {})).toEqual(head);
    expect((await store.readAttributes('t1', {})).attributes.map((a) => a.value)).toEqual([false]);
    const view = (user: string, id: string): Promise<boolean> =>
      engine.check({ tenant: 't1', subject: { type: 'user', id: user }, action: 'view', resource: { type: 'document', id } }).then((d) => d.allowed);
    expect(await view('bob', '2')).toBe(true);
    expect(await view('alice', '1')).toBe(false);
    expect(await view('zoe', '3')).toBe(false);

    expect(store.compact().removed).toBe(1);
    await store.commit({ tenant: 't1', createTuples: [parseTuple('document:1#owner@user:alice')], writeAttributes: [parseAttribute('document:3$public|boolean:true')] });
    expect(await view('alice', '1')).toBe(true);
    expect(await view('zoe', '3')).toBe(true);
  });

  it('rejects changesSince a token older than what it kept with HistoryGoneError, and answers from there on', async () => {
    const store = new MemoryStore();
    const engine = await Engine.create({ store, schema: 'entity user {}\nentity document { relation owner @user }' });
    const first = await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const kept = await engine.delete({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const last = await engine.write({ tenant: 't1', tuples: ['document:2#owner@user:bob'] });
    expect((await store.changesSince(first.snapToken)).map((c) => c.snapToken)).toEqual([kept.snapToken, last.snapToken]);
    store.compact(kept.snapToken);
    const err = await store.changesSince(first.snapToken, { tenant: 't1' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HistoryGoneError);
    expect(err).toMatchObject({ code: 'GH_ERR_STORE', snapToken: first.snapToken, horizon: kept.snapToken, tenant: 't1' });
    expect((await store.changesSince(kept.snapToken)).map((c) => c.snapToken)).toEqual([last.snapToken]);
    // The engine's own feed turns it into a reset for a watcher resuming from the lost history.
    expect(await engine.changesSince('t1', first.snapToken)).toEqual([{ tenant: 't1', snapToken: last.snapToken, kind: 'reset', changes: [] }]);
  });
});
