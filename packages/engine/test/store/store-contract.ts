/**
 * The behaviour every `Store` must have. Reused by `@gatehouse/store-postgres`:
 * `storeContract('PostgresStore', async () => new PostgresStore({ … }))` from a test file.
 * `makeStore` returns a fresh, empty store (only the default tenant `t1`); the suite opens and closes it.
 */
import { ConflictError, NotFoundError, parseAttribute, parseTuple } from '@gatehouse/core';
import type { Tuple } from '@gatehouse/core';
import type { Store, StoreChange } from '@gatehouse/engine';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

const t = (s: string): Tuple => parseTuple(s);
const strings = (tuples: readonly Tuple[]): string[] =>
  tuples.map((x) => `${x.entity.type}:${x.entity.id}#${x.relation}@${x.subject.type}:${x.subject.id}${x.subject.relation ? `#${x.subject.relation}` : ''}`).sort();

export function storeContract(name: string, makeStore: () => Store | Promise<Store>): void {
  describe(`${name} (Store contract)`, () => {
    let store: Store;
    let tenant: string;
    let n = 0;

    beforeEach(async () => {
      store = await makeStore();
      await store.open();
      // Unique tenant ids keep the suite independent of whatever a durable store already holds.
      tenant = `contract-${String(Date.now())}-${String(n++)}`;
      await store.createTenant(tenant, 'Contract');
    });

    afterEach(async () => {
      await store.deleteTenant(tenant).catch(() => undefined);
      await store.close();
    });

    it('has the default tenant t1 after open, and open is idempotent', async () => {
      await store.open();
      expect((await store.getTenant('t1'))?.id).toBe('t1');
    });

    it('creates a tenant with its name and rejects a second one with the same id as a ConflictError', async () => {
      const rec = await store.getTenant(tenant);
      expect(rec).toMatchObject({ id: tenant, name: 'Contract' });
      expect(Number.isNaN(Date.parse(rec?.createdAt ?? ''))).toBe(false);
      await expect(store.createTenant(tenant, 'again')).rejects.toBeInstanceOf(ConflictError);
    });

    it('deletes a tenant with its data, and answers NotFoundError for an unknown one', async () => {
      await store.commit({ tenant, createTuples: [t('document:1#owner@user:alice')] });
      await store.deleteTenant(tenant);
      expect(await store.getTenant(tenant)).toBeUndefined();
      await expect(store.deleteTenant(tenant)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.readTuples(tenant, {})).rejects.toBeInstanceOf(NotFoundError);
    });

    it('lists tenants ordered by id, page by page', async () => {
      const ids = [`${tenant}-b`, `${tenant}-a`, `${tenant}-c`];
      for (const id of ids) await store.createTenant(id, id);
      try {
        const seen: string[] = [];
        let token = '';
        do {
          const page = await store.listTenants({ pageSize: 2, continuousToken: token });
          expect(page.tenants.length).toBeLessThanOrEqual(2);
          seen.push(...page.tenants.map((x) => x.id));
          token = page.continuousToken;
        } while (token !== '');
        expect(seen).toEqual([...seen].sort());
        expect(seen).toEqual(expect.arrayContaining([...ids, tenant, 't1']));
      } finally {
        for (const id of ids) await store.deleteTenant(id);
      }
    });

    it('stores schema versions per tenant: head, newest first, each readable by version', async () => {
      expect(await store.readSchema(tenant)).toBeUndefined();
      const a = await store.writeSchema(tenant, 'entity user {}');
      const b = await store.writeSchema(tenant, 'entity user {}\nentity team {}');
      expect(BigInt(b.snapToken) > BigInt(a.snapToken)).toBe(true);
      expect((await store.readSchema(tenant))?.source).toBe('entity user {}\nentity team {}');
      expect((await store.readSchema(tenant, a.schema.version))?.source).toBe('entity user {}');
      expect(await store.readSchema(tenant, 'no-such-version')).toBeUndefined();
      const list = await store.listSchemas(tenant);
      expect(list.head).toBe(b.schema.version);
      expect(list.schemas.map((s) => s.version)).toEqual([b.schema.version, a.schema.version]);
    });

    it('commits tuples with increasing snap tokens and treats an existing tuple as a no-op', async () => {
      const first = await store.commit({ tenant, createTuples: [t('document:1#owner@user:alice'), t('document:1#viewer@team:eng#member')] });
      expect(first.changes).toHaveLength(2);
      const again = await store.commit({ tenant, createTuples: [t('document:1#owner@user:alice')] });
      expect(again.changes).toEqual([]);
      expect(BigInt(again.snapToken) > BigInt(first.snapToken)).toBe(true);
      const { tuples } = await store.readTuples(tenant, {});
      expect(strings(tuples)).toEqual(['document:1#owner@user:alice', 'document:1#viewer@team:eng#member']);
    });

    it('reads exactly the state committed up to a snap token', async () => {
      const a = await store.commit({ tenant, createTuples: [t('document:1#owner@user:alice')] });
      const b = await store.commit({ tenant, createTuples: [t('document:2#owner@user:bob')] });
      const c = await store.commit({ tenant, deleteTuples: [t('document:1#owner@user:alice')] });
      expect(strings((await store.readTuples(tenant, {}, { snapToken: a.snapToken })).tuples)).toEqual(['document:1#owner@user:alice']);
      expect(strings((await store.readTuples(tenant, {}, { snapToken: b.snapToken })).tuples)).toEqual(['document:1#owner@user:alice', 'document:2#owner@user:bob']);
      expect(strings((await store.readTuples(tenant, {}, { snapToken: c.snapToken })).tuples)).toEqual(['document:2#owner@user:bob']);
      expect(strings((await store.readTuples(tenant, {})).tuples)).toEqual(['document:2#owner@user:bob']);
    });

    it('deletes by filter where every empty field is a wildcard, subject relation included', async () => {
      await store.commit({
        tenant,
        createTuples: [t('document:1#viewer@user:alice'), t('document:1#viewer@team:eng#member'), t('document:2#viewer@user:alice'), t('document:1#owner@user:alice')],
      });
      const res = await store.commit({ tenant, tupleFilter: { entity: { type: 'document', ids: ['1'] }, relation: 'viewer' } });
      expect(res.changes.map((c) => c.operation)).toEqual(['delete', 'delete']);
      expect(strings((await store.readTuples(tenant, {})).tuples)).toEqual(['document:1#owner@user:alice', 'document:2#viewer@user:alice']);
      await store.commit({ tenant, tupleFilter: { subject: { type: 'user', ids: ['alice'] } } });
      expect((await store.readTuples(tenant, {})).tuples).toEqual([]);
    });

    it('replaces an attribute on write, reporting a delete of the old value and a create of the new one', async () => {
      const a = await store.commit({ tenant, writeAttributes: [parseAttribute('document:1$public|boolean:false')] });
      const b = await store.commit({ tenant, writeAttributes: [parseAttribute('document:1$public|boolean:true')] });
      expect(b.changes.map((c) => [c.operation, c.attribute?.value])).toEqual([
        ['delete', false],
        ['create', true],
      ]);
      expect((await store.readAttributes(tenant, {})).attributes.map((x) => x.value)).toEqual([true]);
      expect((await store.readAttributes(tenant, {}, { snapToken: a.snapToken })).attributes.map((x) => x.value)).toEqual([false]);
    });

    it('deletes attributes by filter', async () => {
      await store.commit({ tenant, writeAttributes: [parseAttribute('document:1$public|boolean:true'), parseAttribute('document:2$public|boolean:true'), parseAttribute('document:1$level|integer:3')] });
      await store.commit({ tenant, attributeFilter: { entity: { type: 'document', ids: ['1'] }, attributes: ['public'] } });
      const left = (await store.readAttributes(tenant, {})).attributes.map((x) => `${x.entity.id}$${x.attribute}`).sort();
      expect(left).toEqual(['1$level', '2$public']);
    });

    it('pages reads with a continuous token', async () => {
      await store.commit({ tenant, createTuples: Array.from({ length: 5 }, (_, i) => t(`document:${String(i)}#owner@user:alice`)) });
      const seen: Tuple[] = [];
      let token = '';
      do {
        const page = await store.readTuples(tenant, {}, { pageSize: 2, continuousToken: token });
        seen.push(...page.tuples);
        token = page.continuousToken;
      } while (token !== '');
      expect(seen).toHaveLength(5);
    });

    it('never shows one tenant the rows of another', async () => {
      const other = `${tenant}-other`;
      await store.createTenant(other, other);
      try {
        await store.commit({ tenant: other, createTuples: [t('document:1#owner@user:mallory')], writeAttributes: [parseAttribute('document:1$public|boolean:true')] });
        await store.commit({ tenant, tupleFilter: { entity: { type: 'document' } }, attributeFilter: { entity: { type: 'document' } } });
        expect((await store.readTuples(tenant, {})).tuples).toEqual([]);
        expect((await store.readAttributes(tenant, {})).attributes).toEqual([]);
        expect((await store.readTuples(other, {})).tuples).toHaveLength(1);
        expect((await store.readAttributes(other, {})).attributes).toHaveLength(1);
      } finally {
        await store.deleteTenant(other);
      }
    });

    it('reports the changes after a token in commit order, per tenant when asked', async () => {
      const start = await store.headSnapToken();
      const a = await store.commit({ tenant, createTuples: [t('document:1#owner@user:alice')] });
      const b = await store.commit({ tenant, deleteTuples: [t('document:1#owner@user:alice')], writeAttributes: [parseAttribute('document:1$public|boolean:true')] });
      const changes = await store.changesSince(start, { tenant });
      const data = changes.filter((c): c is Extract<StoreChange, { kind: 'data' }> => c.kind === 'data');
      expect(data.map((c) => c.snapToken)).toEqual([a.snapToken, b.snapToken]);
      expect(data[1]?.changes.map((c) => c.operation)).toEqual(['delete', 'create']);
      expect(changes.every((c) => c.tenant === tenant)).toBe(true);
      expect(await store.changesSince(b.snapToken, { tenant })).toEqual([]);
    });

    it('calls subscribers for commits in commit order until they unsubscribe', async () => {
      const seen: string[] = [];
      const stop = store.subscribe((c) => {
        if (c.tenant === tenant) seen.push(c.snapToken);
      });
      const a = await store.commit({ tenant, createTuples: [t('document:1#owner@user:alice')] });
      const b = await store.commit({ tenant, createTuples: [t('document:2#owner@user:alice')] });
      for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      stop();
      await store.commit({ tenant, createTuples: [t('document:3#owner@user:alice')] });
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual([a.snapToken, b.snapToken]);
    });

    it('streams the live rows of a tenant to load a view', async () => {
      await store.commit({ tenant, createTuples: [t('document:1#owner@user:alice'), t('document:2#owner@user:bob')], writeAttributes: [parseAttribute('document:1$public|boolean:true')] });
      await store.commit({ tenant, deleteTuples: [t('document:2#owner@user:bob')] });
      const rows: string[] = [];
      for await (const row of store.loadTenant(tenant)) rows.push(row.kind === 'tuple' ? strings([row.tuple])[0] ?? '' : `${row.attribute.entity.id}$${row.attribute.attribute}`);
      expect(rows.sort()).toEqual(['1$public', 'document:1#owner@user:alice']);
    });
  });
}
