// How an engine on a durable store follows it: commits applied as the store delivers them, gaps read back,
// history that is gone answered by a reload and a reset, and snap tokens the view has not reached yet.
import { Gatehouse, InvalidRequestError, PdpUnavailableError } from '@gatehouse/core';
import type { ChangeEvent } from '@gatehouse/core';
import { EmbeddedPdp, Engine, HistoryGoneError, MemoryStore, SnapTokenAheadError } from '@gatehouse/engine';
import type { EngineChange, Store } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';

const SCHEMA = 'entity user {}\nentity document { relation owner @user attribute public boolean permission view = owner or public }';

interface Shared {
  readonly store: Store;
  /** Calls of changesSince so far. */
  readonly reads: () => number;
  /** Whether the store's deliveries reach this engine (false: as if every notice were lost). */
  deliver: boolean;
}

/**
 * A durable store over a shared MemoryStore (the engine keeps its own view, as on PostgreSQL), counting
 * changesSince calls and able to lose deliveries.
 */
function shared(inner: MemoryStore): Shared {
  let reads = 0;
  const s: Shared = {
    deliver: true,
    reads: () => reads,
    store: {
      open: () => inner.open(),
      headSnapToken: () => inner.headSnapToken(),
      createTenant: (id, name) => inner.createTenant(id, name),
      deleteTenant: (id) => inner.deleteTenant(id),
      getTenant: (id) => inner.getTenant(id),
      listTenants: (o) => inner.listTenants(o),
      writeSchema: (t, x) => inner.writeSchema(t, x),
      readSchema: (t, v) => inner.readSchema(t, v),
      listSchemas: (t, o) => inner.listSchemas(t, o),
      commit: (w) => inner.commit(w),
      readTuples: (t, f, o) => inner.readTuples(t, f, o),
      readAttributes: (t, f, o) => inner.readAttributes(t, f, o),
      loadTenant: (t, o) => inner.loadTenant(t, o),
      changesSince: (token, o) => {
        reads++;
        return inner.changesSince(token, o);
      },
      subscribe: (l) =>
        inner.subscribe((c, previous) => {
          if (s.deliver) l(c, previous);
        }),
      close: () => Promise.resolve(),
    },
  };
  return s;
}

const until = async (fn: () => boolean | Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 500; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not reached');
};

const canView = (engine: Engine, user: string, id: string, token?: string): Promise<boolean> =>
  engine
    .check({
      tenant: 't1',
      subject: { type: 'user', id: user },
      action: 'view',
      resource: { type: 'document', id },
      ...(token === undefined ? {} : { consistency: { atLeastAsFresh: token } }),
    })
    .then((d) => d.allowed);

describe('Engine following a durable store', () => {
  it('applies each delivered commit as delivered, without reading it back from the store', async () => {
    const inner = new MemoryStore();
    const a = await Engine.create({ schema: SCHEMA, store: shared(inner).store });
    const bStore = shared(inner);
    const b = await Engine.create({ store: bStore.store });
    const seen: string[] = [];
    b.watch((e) => seen.push(`${e.kind}:${e.snapToken}`));
    const readsAfterStart = bStore.reads();
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) tokens.push((await a.write({ tenant: 't1', tuples: [`document:${String(i)}#owner@user:alice`] })).snapToken);
    // Delivered synchronously by the store; B answers from its view with no token and no wait.
    expect(seen).toEqual(tokens.map((t) => `data:${t}`));
    expect(b.headSnapToken('t1')).toBe(tokens[4]);
    expect(b.checkSync({ tenant: 't1', subject: { type: 'user', id: 'alice' }, action: 'view', resource: { type: 'document', id: '4' } }).allowed).toBe(true);
    expect(bStore.reads()).toBe(readsAfterStart);
    await a.close();
    await b.close();
  });

  it('reads the missing commits back from the store when a delivery does not follow on from its view', async () => {
    const inner = new MemoryStore();
    const a = await Engine.create({ schema: SCHEMA, store: shared(inner).store });
    const bStore = shared(inner);
    const b = await Engine.create({ store: bStore.store });
    const seen: string[] = [];
    b.watch((e) => seen.push(e.snapToken));
    bStore.deliver = false;
    const w1 = await a.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const w2 = await a.delete({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    bStore.deliver = true;
    const readsBefore = bStore.reads();
    const w3 = await a.write({ tenant: 't1', tuples: ['document:1#owner@user:bob'] });
    await until(() => b.headSnapToken('t1') === w3.snapToken);
    expect(bStore.reads()).toBeGreaterThan(readsBefore);
    // Every commit once, in commit order, the gap included.
    expect(seen).toEqual([w1.snapToken, w2.snapToken, w3.snapToken]);
    expect(await canView(b, 'bob', '1')).toBe(true);
    expect(await canView(b, 'alice', '1')).toBe(false);
    await a.close();
    await b.close();
  });

  it('answers a check carrying a token its notice has not brought yet from the store, never from the older view', async () => {
    const inner = new MemoryStore();
    const a = await Engine.create({ schema: SCHEMA, store: shared(inner).store });
    const bStore = shared(inner);
    const b = await Engine.create({ store: bStore.store });
    bStore.deliver = false; // every notice lost
    const granted = await a.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    expect(await canView(b, 'alice', '1')).toBe(false); // no token: whatever the view has
    expect(await canView(b, 'alice', '1', granted.snapToken)).toBe(true);
    const revoked = await a.delete({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const ids = await b.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject: { type: 'user', id: 'alice' }, snapToken: revoked.snapToken });
    expect(ids.ids).toEqual([]);
    await a.close();
    await b.close();
  });

  it('waits for a token that is committed while the check waits', async () => {
    const inner = new MemoryStore();
    const a = await Engine.create({ schema: SCHEMA, store: shared(inner).store });
    const b = await Engine.create({ store: shared(inner).store, freshnessTimeoutMs: 60_000 });
    const next = String(Number(await inner.headSnapToken()) + 1);
    const pending = canView(b, 'alice', '1', next);
    await a.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    expect(await pending).toBe(true);
    await a.close();
    await b.close();
  });

  it('rejects with SnapTokenAheadError when the view does not reach the token before the deadline', async () => {
    const inner = new MemoryStore();
    const a = await Engine.create({ schema: SCHEMA, store: shared(inner).store });
    const b = await Engine.create({ store: shared(inner).store, freshnessTimeoutMs: 30 });
    await a.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const ahead = String(Number(await inner.headSnapToken()) + 100);
    const err = await canView(b, 'alice', '1', ahead).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SnapTokenAheadError);
    expect(err).toBeInstanceOf(PdpUnavailableError);
    expect(err).toMatchObject({ code: 'GH_ERR_PDP_UNAVAILABLE', snapToken: ahead, head: b.headSnapToken('t1'), tenant: 't1' });
    expect((err as SnapTokenAheadError).waitedMs).toBeGreaterThan(0);
    await a.close();
    await b.close();
  });

  it('fails a check with the store\'s error at once when catching up fails, rather than wait for the deadline', async () => {
    const inner = new MemoryStore();
    const a = await Engine.create({ schema: SCHEMA, store: shared(inner).store });
    const bStore = shared(inner);
    const b = await Engine.create({ store: bStore.store, freshnessTimeoutMs: 60_000 });
    bStore.deliver = false;
    const { snapToken } = await a.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const down = new Error('database down');
    (bStore.store as { changesSince: Store['changesSince'] }).changesSince = () => Promise.reject(down);
    await expect(canView(b, 'alice', '1', snapToken)).rejects.toBe(down);
    await a.close();
    await b.close();
  });

  it('rejects a check still waiting for its token when the engine closes, rather than answer from its view', async () => {
    const inner = new MemoryStore();
    const a = await Engine.create({ schema: SCHEMA, store: shared(inner).store });
    const b = await Engine.create({ store: shared(inner).store, freshnessTimeoutMs: 60_000 });
    const ahead = String(Number(await inner.headSnapToken()) + 1);
    const pending = canView(b, 'alice', '1', ahead);
    await b.close();
    await expect(pending).rejects.toBeInstanceOf(SnapTokenAheadError);
    await a.close();
  });

  it('reloads its view and emits a reset when the history it needs was collected', async () => {
    const inner = new MemoryStore();
    const a = await Engine.create({ schema: SCHEMA, store: shared(inner).store });
    const bStore = shared(inner);
    const b = await Engine.create({ store: bStore.store });
    await a.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const before = b.headSnapToken('t1');
    const changes: EngineChange[] = [];
    b.watch((e) => changes.push(e));
    const events: ChangeEvent[] = [];
    const pdp = new EmbeddedPdp(b);
    pdp.subscribe((e) => events.push(e));
    const gate = new Gatehouse({ pdp, cache: { ttlMs: 600_000 } });
    const ask = { tenant: 't1', subject: 'alice', action: 'view', resource: 'document:1' } as const;
    expect((await gate.check(ask)).allowed).toBe(true);
    expect((await gate.check(ask)).cached).toBe(true);

    bStore.deliver = false;
    await a.delete({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    await a.write({ tenant: 't1', tuples: ['document:2#owner@user:alice'] });
    inner.compact(); // the deletion's history is gone
    await expect(inner.changesSince(before)).rejects.toBeInstanceOf(HistoryGoneError);
    bStore.deliver = true;
    const last = await a.write({ tenant: 't1', attributes: ['document:3$public|boolean:true'] });

    await until(() => changes.some((e) => e.kind === 'reset'));
    await until(() => b.headSnapToken('t1') === last.snapToken);
    expect(changes.find((e) => e.kind === 'reset')).toMatchObject({ tenant: '*', kind: 'reset' });
    expect(events.some((e) => e.tenant === '*' && e.kind === 'reset')).toBe(true);
    expect(await canView(b, 'alice', '1')).toBe(false);
    expect(await canView(b, 'alice', '2')).toBe(true);
    expect(await canView(b, 'zoe', '3')).toBe(true);
    // The client's cached grant was dropped with the reset.
    const again = await gate.check(ask);
    expect(again).toMatchObject({ allowed: false, cached: false });
    // A watcher resuming from before the collected history gets a reset for its tenant, not a partial list.
    expect(await b.changesSince('t1', before)).toEqual([{ tenant: 't1', snapToken: last.snapToken, kind: 'reset', changes: [] }]);
    await gate.close();
    await a.close();
  });
});

describe('Engine on the memory store, asked for a token from the future', () => {
  it('rejects at once with InvalidRequestError (a token it never issued) instead of answering from its state', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    const { snapToken } = await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    expect(await canView(engine, 'alice', '1', snapToken)).toBe(true);
    const ahead = String(Number(snapToken) + 1);
    const err = await canView(engine, 'alice', '1', ahead).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err).not.toBeInstanceOf(SnapTokenAheadError);
    expect((err as Error).message).toContain(`snap token "${ahead}"`);
    const subject = { type: 'user', id: 'alice' };
    await expect(engine.subjectPermissions({ tenant: 't1', entity: { type: 'document', id: '1' }, subject, snapToken: ahead })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject, snapToken: ahead })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(engine.checkMany([{ tenant: 't1', subject, action: 'view', resource: { type: 'document', id: '1' }, consistency: { atLeastAsFresh: ahead } }])).rejects.toBeInstanceOf(InvalidRequestError);
    // Through a client: a denial with reason invalid_request, never a stale allow.
    const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine), cache: false });
    const d = await gate.check({ tenant: 't1', subject: 'alice', action: 'view', resource: 'document:1', consistency: { atLeastAsFresh: ahead } });
    expect(d).toMatchObject({ allowed: false, reason: 'invalid_request' });
    await gate.close();
  });

  it('rejects a bad freshnessTimeoutMs naming the option', async () => {
    await expect(Engine.create({ freshnessTimeoutMs: -1 })).rejects.toThrow(/freshnessTimeoutMs/);
  });
});
