import { ConflictError, InvalidRequestError, NotFoundError, parseTuple } from '@gatehouse/core';
import type { Tuple } from '@gatehouse/core';
import type { StoreChange } from '@gatehouse/engine';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { PostgresStore, StoreError } from '@gatehouse/store-postgres';

import { PG_URL, describeWith, dropSchema, postgresMissing, sql, uniqueName } from './helpers/services.js';

const t = (s: string): Tuple => parseTuple(s);

describeWith([postgresMissing], 'PostgresStore', () => {
  let schema: string;
  let store: PostgresStore;

  beforeEach(async () => {
    schema = uniqueName('store');
    store = new PostgresStore({ connectionString: PG_URL, schema, pollIntervalMs: 0 });
    await store.open();
  });

  afterEach(async () => {
    await store.close();
    await dropSchema(schema);
  });

  it('creates its tables and the default tenant t1 on open, and opening twice changes nothing', async () => {
    await store.open();
    const again = new PostgresStore({ connectionString: PG_URL, schema });
    await again.open();
    await again.close();
    const tables = await sql<{ table_name: string }>(
      schema,
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [schema],
    );
    expect(tables.map((r) => r.table_name)).toEqual([
      'attributes', 'commit_lock', 'gc_horizon', 'migrations', 'relation_tuples', 'schema_definitions', 'tenants', 'transactions',
    ]);
    expect(await sql(schema, 'SELECT version, name FROM migrations ORDER BY version')).toEqual([
      { version: 1, name: 'tables' },
      { version: 2, name: 'commit lock' },
      { version: 3, name: 'gc horizon' },
    ]);
    expect((await store.getTenant('t1'))?.id).toBe('t1');
    expect(await store.headSnapToken()).toBe('0');
  });

  it('returns increasing decimal snap tokens and reads exactly what was committed up to a token', async () => {
    const a = await store.commit({ tenant: 't1', createTuples: [t('doc:1#owner@user:alice')] });
    const b = await store.commit({ tenant: 't1', createTuples: [t('doc:1#viewer@user:bob')], deleteTuples: [t('doc:1#owner@user:alice')] });
    expect(BigInt(b.snapToken)).toBeGreaterThan(BigInt(a.snapToken));
    expect(await store.headSnapToken()).toBe(b.snapToken);
    const atA = await store.readTuples('t1', {}, { snapToken: a.snapToken });
    expect(atA.tuples).toEqual([t('doc:1#owner@user:alice')]);
    const atB = await store.readTuples('t1', {}, { snapToken: b.snapToken });
    expect(atB.tuples).toEqual([t('doc:1#viewer@user:bob')]);
    expect((await store.readTuples('t1', {})).tuples).toEqual([t('doc:1#viewer@user:bob')]);
    expect(b.changes).toEqual([
      { operation: 'delete', tuple: t('doc:1#owner@user:alice') },
      { operation: 'create', tuple: t('doc:1#viewer@user:bob') },
    ]);
  });

  it('skips a tuple that is already live and expires rows instead of deleting them', async () => {
    await store.commit({ tenant: 't1', createTuples: [t('doc:1#owner@user:alice')] });
    const again = await store.commit({ tenant: 't1', createTuples: [t('doc:1#owner@user:alice')] });
    expect(again.changes).toEqual([]);
    const del = await store.commit({ tenant: 't1', tupleFilter: { entity: { type: 'doc' } } });
    expect(del.changes).toEqual([{ operation: 'delete', tuple: t('doc:1#owner@user:alice') }]);
    const rows = await sql<{ created_tx_id: string; expired_tx_id: string }>(
      schema,
      'SELECT created_tx_id::text, expired_tx_id::text FROM relation_tuples',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.expired_tx_id).toBe(del.snapToken);
  });

  it('replaces an attribute by expiring the old row, reporting delete then create', async () => {
    const a = await store.commit({
      tenant: 't1',
      writeAttributes: [{ entity: { type: 'doc', id: '1' }, attribute: 'public', value: false }],
    });
    const b = await store.commit({
      tenant: 't1',
      writeAttributes: [{ entity: { type: 'doc', id: '1' }, attribute: 'public', value: true, valueType: 'boolean' }],
    });
    expect(b.changes).toEqual([
      { operation: 'delete', attribute: { entity: { type: 'doc', id: '1' }, attribute: 'public', value: false, valueType: 'boolean' } },
      { operation: 'create', attribute: { entity: { type: 'doc', id: '1' }, attribute: 'public', value: true, valueType: 'boolean' } },
    ]);
    expect((await store.readAttributes('t1', {}, { snapToken: a.snapToken })).attributes[0]?.value).toBe(false);
    expect((await store.readAttributes('t1', {})).attributes[0]?.value).toBe(true);
    const changes = await store.changesSince(a.snapToken);
    expect(changes).toEqual([{ kind: 'data', tenant: 't1', snapToken: b.snapToken, changes: b.changes }]);
  });

  it('keeps tenants apart and deletes everything of a tenant in one transaction', async () => {
    await store.createTenant('acme', 'Acme');
    await expect(store.createTenant('acme', 'Again')).rejects.toBeInstanceOf(ConflictError);
    await store.commit({ tenant: 'acme', createTuples: [t('doc:1#owner@user:alice')] });
    await store.commit({ tenant: 't1', createTuples: [t('doc:2#owner@user:bob')] });
    await store.writeSchema('acme', 'entity user {}');
    expect((await store.readTuples('acme', {})).tuples).toEqual([t('doc:1#owner@user:alice')]);
    expect((await store.readTuples('t1', {})).tuples).toEqual([t('doc:2#owner@user:bob')]);
    await store.deleteTenant('acme');
    await expect(store.readTuples('acme', {})).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.deleteTenant('acme')).rejects.toBeInstanceOf(NotFoundError);
    const left = await sql<{ n: string }>(
      schema,
      `SELECT (SELECT count(*) FROM relation_tuples WHERE tenant_id = 'acme') + (SELECT count(*) FROM schema_definitions WHERE tenant_id = 'acme')
            + (SELECT count(*) FROM transactions WHERE tenant_id = 'acme' AND kind <> 'tenant_delete') AS n`,
    );
    expect(left[0]?.n).toBe('0');
    expect((await store.readTuples('t1', {})).tuples).toHaveLength(1);
  });

  it('versions schemas per tenant and reads a given version', async () => {
    const one = await store.writeSchema('t1', 'entity user {}');
    const two = await store.writeSchema('t1', 'entity user {}\nentity doc {}');
    expect((await store.readSchema('t1'))?.version).toBe(two.schema.version);
    expect((await store.readSchema('t1', one.schema.version))?.source).toBe('entity user {}');
    expect(await store.readSchema('t1', '999999')).toBeUndefined();
    const list = await store.listSchemas('t1', { pageSize: 1 });
    expect(list.head).toBe(two.schema.version);
    expect(list.schemas.map((s) => s.version)).toEqual([two.schema.version]);
    const next = await store.listSchemas('t1', { pageSize: 1, continuousToken: list.continuousToken });
    expect(next.schemas.map((s) => s.version)).toEqual([one.schema.version]);
    expect(next.continuousToken).toBe('');
  });

  it('rejects a malformed snap token with InvalidRequestError', async () => {
    await expect(store.readTuples('t1', {}, { snapToken: 'abc' })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('streams a tenant at a token for loading a view', async () => {
    const a = await store.commit({ tenant: 't1', createTuples: [t('doc:1#owner@user:alice'), t('doc:2#owner@user:bob')] });
    await store.commit({ tenant: 't1', deleteTuples: [t('doc:1#owner@user:alice')] });
    const rows = [];
    for await (const r of store.loadTenant('t1', { snapToken: a.snapToken })) rows.push(r);
    expect(rows).toEqual([
      { kind: 'tuple', tuple: t('doc:1#owner@user:alice'), createdToken: a.snapToken },
      { kind: 'tuple', tuple: t('doc:2#owner@user:bob'), createdToken: a.snapToken },
    ]);
  });

  it('delivers its own commits to subscribers in commit order before commit resolves', async () => {
    const seen: StoreChange[] = [];
    const off = store.subscribe((c) => seen.push(c));
    const a = await store.commit({ tenant: 't1', createTuples: [t('doc:1#owner@user:alice')] });
    expect(seen.map((c) => c.snapToken)).toEqual([a.snapToken]);
    const s = await store.writeSchema('t1', 'entity user {}');
    expect(seen.map((c) => c.kind)).toEqual(['data', 'schema']);
    expect(seen[1]?.snapToken).toBe(s.snapToken);
    off();
  });

  it('pages by row order and finds the newest schema when ids and versions pass a power of ten', async () => {
    let nine = '';
    for (let i = 0; i < 12; i++) {
      await store.commit({ tenant: 't1', createTuples: [t(`doc:${String(i)}#owner@user:u${String(i)}`)] });
      if (i === 7) nine = (await store.writeSchema('t1', 'entity user {}')).schema.version;
    }
    expect(nine).toBe('9');
    const ids: string[] = [];
    let page = '';
    do {
      const r = await store.readTuples('t1', {}, { pageSize: 5, continuousToken: page });
      ids.push(...r.tuples.map((x) => x.entity.id));
      page = r.continuousToken;
    } while (page !== '');
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    const loaded = [];
    for await (const row of store.loadTenant('t1')) loaded.push(row.kind === 'tuple' ? row.tuple.entity.id : '');
    expect(loaded).toEqual(ids);
    // Version 14 is newer than version 9, although "14" < "9" as text.
    const newest = await store.writeSchema('t1', 'entity user {}\nentity doc {}');
    expect((await store.readSchema('t1'))?.version).toBe(newest.schema.version);
    expect((await store.listSchemas('t1')).schemas[0]?.version).toBe(newest.schema.version);
  });

  it('names the option and the value when an option is bad', () => {
    expect(() => new PostgresStore({ connectionString: PG_URL, schema: 'Robert"; DROP TABLE x' })).toThrow(InvalidRequestError);
    expect(() => new PostgresStore({ connectionString: PG_URL, maxRetries: -1 })).toThrow(/options\.maxRetries/);
    expect(() => new PostgresStore({})).toThrow(/connectionString or pool/);
  });

  it('rejects open() with a StoreError when its relay cannot connect, and can be opened again later', async () => {
    const broken = new PostgresStore({
      connectionString: PG_URL,
      schema,
      relay: 'redis',
      redis: { url: 'redis://127.0.0.1:1' },
    });
    try {
      await expect(broken.open()).rejects.toBeInstanceOf(StoreError);
      await expect(broken.open()).rejects.toThrow(/redis relay/);
    } finally {
      await broken.close();
      // ioredis 6 holds a handle for about 2 s after a refused connection, even once disconnected.
      await new Promise((r) => setTimeout(r, 2500));
    }
  });
});
