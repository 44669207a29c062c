import { parseTuple } from '@gatehouse/core';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { PostgresStore } from '@gatehouse/store-postgres';
import { Client } from 'pg';

import { CATALOG } from '../src/internal/tenant-sql.js';
import { PG_URL, describeWith, dropSchema, postgresMissing, uniqueName } from './helpers/services.js';

describeWith([postgresMissing], 'PostgresStore tenant isolation', () => {
  const schema = uniqueName('iso');
  const store = new PostgresStore({ connectionString: PG_URL, schema, pollIntervalMs: 0 });
  const statements: string[] = [];
  const loaded: unknown[] = [];

  beforeAll(async () => {
    const original = Client.prototype.query;
    jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
      if (text !== undefined) statements.push(text);
      return (original as (...a: unknown[]) => unknown).apply(this, args) as never;
    });
    await store.open();
    // Every public method, for two tenants.
    for (const tenant of ['acme', 'globex']) {
      await store.createTenant(tenant, tenant);
      await store.writeSchema(tenant, 'entity user {}');
      await store.commit({
        tenant,
        createTuples: [parseTuple('doc:1#owner@user:alice')],
        writeAttributes: [{ entity: { type: 'doc', id: '1' }, attribute: 'public', value: true }],
      });
      await store.commit({
        tenant,
        deleteTuples: [parseTuple('doc:1#owner@user:alice')],
        tupleFilter: { relation: 'viewer' },
        attributeFilter: { attributes: ['public'] },
      });
      await store.readTuples(tenant, { entity: { type: 'doc' } }, { snapToken: await store.headSnapToken() });
      await store.readAttributes(tenant, {});
      await store.readSchema(tenant);
      await store.listSchemas(tenant);
      await store.getTenant(tenant);
      const rows = [];
      for await (const row of store.loadTenant(tenant)) rows.push(row);
      loaded.push(...rows);
      await store.changesSince('0', { tenant });
    }
    await store.changesSince('0');
    await store.listTenants();
    await store.collectGarbage(0);
    await store.deleteTenant('globex');
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await store.close();
    await dropSchema(schema);
  });

  it('filters every statement on tuples, attributes and schemas by tenant_id = $1', () => {
    const data = statements.filter((s) => /\b(relation_tuples|attributes|schema_definitions)\b/.test(s));
    expect(data.length).toBeGreaterThan(20);
    for (const s of data) {
      if (s.startsWith('CREATE') || s.startsWith('INSERT INTO migrations')) continue; // migrations
      expect(s).toMatch(/tenant_id = \$1\b|^INSERT INTO [a-z_]+ \(tenant_id, /);
    }
  });

  it('spans tenants only in the listed catalog statements, which read ids, never rows of data', () => {
    const catalog = new Set<string>(Object.values(CATALOG));
    const scoped = /\b(?:tenant_id|tenants\.id) = \$1\b|^INSERT INTO (?:[a-z_]+ \(tenant_id, |tenants \(id, )/;
    const spanning = statements.filter(
      (s) => /\b(transactions|tenants)\b/.test(s) && !scoped.test(s) && !/^(CREATE|INSERT INTO migrations)/.test(s),
    );
    expect(spanning.length).toBeGreaterThan(0);
    for (const s of spanning) expect(catalog.has(s)).toBe(true);
  });

  it('never shows one tenant the rows of another', async () => {
    // The collector ran in beforeAll: the feed is read from after it (older history is gone).
    const since = await store.headSnapToken();
    await store.commit({ tenant: 'acme', createTuples: [parseTuple('doc:7#owner@user:eve')] });
    await store.commit({ tenant: 't1', createTuples: [parseTuple('doc:8#owner@user:bob')] });
    expect((await store.readTuples('t1', {})).tuples.map((t) => t.entity.id)).toEqual(['8']);
    expect((await store.readTuples('acme', {})).tuples.map((t) => t.entity.id)).toEqual(['7']);
    const feed = await store.changesSince(since, { tenant: 't1' });
    expect(feed.length).toBeGreaterThan(0);
    expect(feed.every((c) => c.tenant === 't1')).toBe(true);
  });
});
