import { Engine, MemoryStore } from '@gatehouse/engine';
import type { Store } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';

const SCHEMA = 'entity user {}\nentity document { relation owner @user attribute public boolean permission view = owner or public }';

/**
 * A store the engine must treat as durable (it is not a MemoryStore instance): every engine on it keeps its own
 * in-memory view, loads it at start and applies commits of other engines from the change feed, as engines on one
 * PostgreSQL database do.
 */
function shared(inner: MemoryStore): Store {
  return {
    open: () => inner.open(),
    headSnapToken: () => inner.headSnapToken(),
    createTenant: (id, name) => inner.createTenant(id, name),
    deleteTenant: (id) => inner.deleteTenant(id),
    getTenant: (id) => inner.getTenant(id),
    listTenants: (o) => inner.listTenants(o),
    writeSchema: (t, s) => inner.writeSchema(t, s),
    readSchema: (t, v) => inner.readSchema(t, v),
    listSchemas: (t, o) => inner.listSchemas(t, o),
    commit: (w) => inner.commit(w),
    readTuples: (t, f, o) => inner.readTuples(t, f, o),
    readAttributes: (t, f, o) => inner.readAttributes(t, f, o),
    loadTenant: (t, o) => inner.loadTenant(t, o),
    changesSince: (s, o) => inner.changesSince(s, o),
    subscribe: (l) => inner.subscribe(l),
    close: () => Promise.resolve(),
  };
}

const until = async (fn: () => Promise<boolean>): Promise<boolean> => {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
};

describe('Engine over a durable store', () => {
  it('loads existing tenants, schemas and data into its view at start', async () => {
    const inner = new MemoryStore();
    const first = await Engine.create({ schema: SCHEMA, store: shared(inner) });
    await first.createTenant('acme');
    await first.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'], attributes: ['document:2$public|boolean:true'] });
    const second = await Engine.create({ schema: SCHEMA, store: shared(inner) });
    const view = (id: string, user = 'alice'): Promise<boolean> =>
      second.check({ tenant: 'acme', subject: { type: 'user', id: user }, action: 'view', resource: { type: 'document', id } }).then((d) => d.allowed);
    expect(await view('1')).toBe(true);
    expect(await view('2', 'zoe')).toBe(true);
    expect((await second.listSchemas('t1')).schemas).toHaveLength(1);
    await first.close();
    await second.close();
  });

  it('applies commits of another engine in commit order, and waits for a snap token it has not seen', async () => {
    const inner = new MemoryStore();
    const a = await Engine.create({ schema: SCHEMA, store: shared(inner) });
    const b = await Engine.create({ store: shared(inner) });
    const seen: string[] = [];
    b.watch((e) => seen.push(`${e.kind}:${e.snapToken}`));
    const w1 = await a.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const w2 = await a.delete({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const w3 = await a.write({ tenant: 't1', tuples: ['document:1#owner@user:bob'] });
    const check = (user: string): Promise<boolean> =>
      b
        .check({ tenant: 't1', subject: { type: 'user', id: user }, action: 'view', resource: { type: 'document', id: '1' }, consistency: { atLeastAsFresh: w3.snapToken } })
        .then((d) => d.allowed);
    expect(await check('bob')).toBe(true);
    expect(await check('alice')).toBe(false);
    expect(await until(() => Promise.resolve(seen.length >= 3))).toBe(true);
    expect(seen).toEqual([`data:${w1.snapToken}`, `data:${w2.snapToken}`, `data:${w3.snapToken}`]);
    await a.close();
    await b.close();
  });
});
