import { parseTuple } from '@gatehouse/core';
import { afterEach, expect, it } from '@jest/globals';
import { PostgresStore } from '@gatehouse/store-postgres';
import { Client } from 'pg';

import { PG_URL, describeWith, dropSchema, postgresMissing, sql, uniqueName } from './helpers/services.js';

describeWith([postgresMissing], 'PostgresStore under concurrency', () => {
  const opened: PostgresStore[] = [];
  const schemas: string[] = [];
  const make = (schema: string): PostgresStore => {
    const s = new PostgresStore({ connectionString: PG_URL, schema, pollIntervalMs: 0 });
    opened.push(s);
    return s;
  };

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    for (const s of schemas.splice(0)) await dropSchema(s);
  });

  it('migrates once when several servers start at the same moment on an empty database', async () => {
    const schema = uniqueName('mig');
    schemas.push(schema);
    const stores = [make(schema), make(schema), make(schema), make(schema)];
    await Promise.all(stores.map((s) => s.open()));
    expect(await sql(schema, 'SELECT version FROM migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
    expect(await sql(schema, 'SELECT id FROM tenants')).toEqual([{ id: 't1' }]);
  });

  it('loses no update when many writers on one tenant write tuples and overwrite one attribute at once', async () => {
    const schema = uniqueName('conc');
    schemas.push(schema);
    const stores = [make(schema), make(schema), make(schema)];
    await Promise.all(stores.map((s) => s.open()));
    const n = 45;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        stores[i % stores.length]!.commit({
          tenant: 't1',
          createTuples: [parseTuple(`doc:${String(i)}#owner@user:u${String(i)}`)],
          writeAttributes: [{ entity: { type: 'doc', id: 'shared' }, attribute: 'last', value: i }],
        }),
      ),
    );
    const tokens = results.map((r) => BigInt(r.snapToken));
    expect(new Set(tokens).size).toBe(n);
    expect((await stores[0]!.readTuples('t1', {})).tuples).toHaveLength(n);
    // The versions of the attribute form one chain: each expired exactly when the next was created.
    const versions = await sql<{ value: number; created: string; expired: string }>(
      schema,
      "SELECT value, created_tx_id::text AS created, expired_tx_id::text AS expired FROM attributes WHERE tenant_id = 't1' ORDER BY created_tx_id",
    );
    expect(versions).toHaveLength(n);
    for (let i = 0; i + 1 < versions.length; i++) expect(versions[i]!.expired).toBe(versions[i + 1]!.created);
    expect(versions.at(-1)!.expired).toBe('9223372036854775807');
    const last = results.reduce((a, b) => (BigInt(a.snapToken) > BigInt(b.snapToken) ? a : b));
    const winner = last.changes.find((c) => c.operation === 'create' && c.attribute !== undefined)?.attribute?.value;
    expect((await stores[1]!.readAttributes('t1', {})).attributes.map((a) => a.value)).toEqual([winner]);
    // Every commit appears once in the change feed, in token order.
    const feed = await stores[2]!.changesSince('0');
    expect(feed.map((c) => c.snapToken)).toEqual([...tokens].sort((a, b) => (a < b ? -1 : 1)).map(String));
  });

  it('retries a write that hits a serialization failure and then commits it', async () => {
    const schema = uniqueName('retry');
    schemas.push(schema);
    const store = make(schema);
    await store.open();
    const attr = { entity: { type: 'doc', id: '1' }, attribute: 'owner', value: 'alice' };
    await store.commit({ tenant: 't1', writeAttributes: [attr] });
    // Another SERIALIZABLE client (an operator's script, say) holds the live row while the store writes.
    const other = new Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await other.connect();
    try {
      await other.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await other.query(`UPDATE attributes SET value = '"mallory"' WHERE tenant_id = 't1' AND expired_tx_id = 9223372036854775807`);
      const pending = store.commit({ tenant: 't1', writeAttributes: [{ ...attr, value: 'bob' }] });
      // Wait until the store's UPDATE is blocked on the row lock, then commit the other transaction.
      // (Watched from a third connection: inside a transaction pg_stat_activity is a frozen snapshot.)
      const watcher = new Client({ connectionString: PG_URL });
      await watcher.connect();
      try {
        for (;;) {
          const waiting = await watcher.query(
            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query LIKE 'UPDATE attributes a SET expired_tx_id%'",
          );
          if ((waiting.rowCount ?? 0) > 0) break;
          await new Promise((r) => setTimeout(r, 10));
        }
      } finally {
        await watcher.end();
      }
      await other.query('COMMIT');
      const done = await pending;
      expect(store.stats.retries).toBeGreaterThanOrEqual(1);
      expect(done.changes).toEqual([
        { operation: 'delete', attribute: { ...attr, value: 'mallory', valueType: 'string' } },
        { operation: 'create', attribute: { ...attr, value: 'bob', valueType: 'string' } },
      ]);
    } finally {
      await other.end();
    }
    expect((await store.readAttributes('t1', {})).attributes.map((a) => a.value)).toEqual(['bob']);
  });

  it('removes rows expired longer ago than the window and keeps live rows and the head token', async () => {
    const schema = uniqueName('gc');
    schemas.push(schema);
    const store = make(schema);
    await store.open();
    await store.commit({ tenant: 't1', createTuples: [parseTuple('doc:1#owner@user:alice'), parseTuple('doc:2#owner@user:bob')] });
    await store.commit({ tenant: 't1', deleteTuples: [parseTuple('doc:1#owner@user:alice')] });
    const head = await store.commit({ tenant: 't1', createTuples: [parseTuple('doc:3#owner@user:carol')] });
    expect(await store.collectGarbage(3_600_000)).toEqual({ rows: 0, transactions: 0 });
    const removed = await store.collectGarbage(0);
    expect(removed.rows).toBe(1);
    expect(removed.transactions).toBeGreaterThanOrEqual(2);
    expect(await sql(schema, 'SELECT count(*)::int AS n FROM relation_tuples')).toEqual([{ n: 2 }]);
    expect(await store.headSnapToken()).toBe(head.snapToken);
    expect((await store.readTuples('t1', {})).tuples.map((t) => t.entity.id)).toEqual(['2', '3']);
  });
});
