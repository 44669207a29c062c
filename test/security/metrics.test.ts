// `/metrics` covers every tenant, so a tenant-scoped key gets 403; an unscoped key or the metrics key reads it. The
// store gauges are tallies kept from the change feed: right after writes, deletes, tenant and schema changes, and a
// scrape never reads the store (issue 14 item 6).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { serveOptions } from '@gatehouse/pdp-server';
import { KEY, start } from '../fixtures/server/helpers.js';
import type { Running } from '../fixtures/server/helpers.js';

const ADMIN = KEY;
const ACME = 'acme-key-0123456789';
const SCRAPER = 'scraper-key-0123456789';

function gauge(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (m === null) throw new Error(`no gauge ${name} in /metrics`);
  return Number(m[1]);
}

describe('/metrics', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start({ apiKeys: [ADMIN, { key: ACME, tenants: ['acme'] }], metricsKey: SCRAPER });
  });
  afterAll(async () => {
    await s.server.close();
  });

  const scrape = async (key: string | null = ADMIN): Promise<{ status: number; text: string; body: unknown }> => {
    const r = await s.call('GET', '/metrics', undefined, { key });
    return { status: r.status, text: typeof r.body === 'string' ? r.body : '', body: r.body };
  };

  it('refuses a tenant-scoped key with 403 and says why; no counts leak', async () => {
    const r = await scrape(ACME);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ details: [{ reason: 'GH_ERR_FORBIDDEN' }] });
    expect(JSON.stringify(r.body)).toMatch(/tenant-scoped/);
    expect(JSON.stringify(r.body)).not.toMatch(/gatehouse_store/);
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('wrong-key')).status).toBe(401);
  });

  it('an unscoped key and the metrics key read it', async () => {
    for (const key of [ADMIN, SCRAPER]) {
      const r = await scrape(key);
      expect(r.status).toBe(200);
      expect(r.text).toMatch(/^gatehouse_store_tuples \d+$/m);
    }
  });

  it('the metrics key reads /metrics and nothing else', async () => {
    for (const [method, path, body] of [
      ['POST', '/v1/tenants/list', {}],
      ['POST', '/v1/tenants/acme/permissions/check', { entity: { type: 'document', id: 'a1' }, permission: 'edit', subject: { type: 'user', id: 'zed' } }],
      ['GET', '/v1/watch', undefined],
      ['POST', '/v1/tenants/create', { id: 'by-scraper' }],
    ] as const) {
      const r = await s.call(method, path, body, { key: SCRAPER });
      expect([path, r.status]).toEqual([path, 403]);
    }
  });

  it('keeps the store gauges right after writes, deletes, tenant and schema changes — without reading the store on a scrape', async () => {
    const engine = s.server.engine;
    const before = (await scrape()).text;
    const base = {
      tenants: gauge(before, 'gatehouse_store_tenants'),
      tuples: gauge(before, 'gatehouse_store_tuples'),
      attributes: gauge(before, 'gatehouse_store_attributes'),
      schemas: gauge(before, 'gatehouse_store_schema_versions'),
    };
    // docs-data.yaml: t1 holds 10 tuples and 2 attributes, acme 2 tuples; only t1 has a schema of its own.
    expect(base).toEqual({ tenants: 2, tuples: 12, attributes: 2, schemas: 1 });

    // From here on, a scrape that counted the store would call one of these.
    const reads = (['readRelationships', 'readAttributes', 'listTenants', 'listSchemas'] as const).map((name) => ({ name, spy: jest.spyOn(engine, name) }));
    try {
      const T = '/v1/tenants/t1';
      const expectNow = async (want: typeof base): Promise<void> => {
        const text = (await scrape()).text;
        expect({
          tenants: gauge(text, 'gatehouse_store_tenants'),
          tuples: gauge(text, 'gatehouse_store_tuples'),
          attributes: gauge(text, 'gatehouse_store_attributes'),
          schemas: gauge(text, 'gatehouse_store_schema_versions'),
        }).toEqual(want);
        expect(gauge(text, 'gatehouse_store_head_snap_token')).toBe(Number(engine.headSnapToken('t1')));
      };
      expect((await s.call('POST', `${T}/data/write`, { tuples: ['document:m1#owner@user:mia', 'document:m2#owner@user:mia'], attributes: ['document:m1$is_public|boolean:true'] })).status).toBe(200);
      await expectNow({ ...base, tuples: 14, attributes: 3 });
      // Writing a live tuple again changes nothing; overwriting an attribute replaces it.
      expect((await s.call('POST', `${T}/data/write`, { tuples: ['document:m1#owner@user:mia'], attributes: ['document:m1$is_public|boolean:false'] })).status).toBe(200);
      await expectNow({ ...base, tuples: 14, attributes: 3 });
      expect((await s.call('POST', `${T}/data/delete`, { tuples: ['document:m2#owner@user:mia'] })).status).toBe(200);
      await expectNow({ ...base, tuples: 13, attributes: 3 });
      // A filter delete removes every match; deleting what is not there changes nothing.
      expect((await s.call('POST', `${T}/data/delete`, { tuple_filter: { subject: { type: 'user', ids: ['mia'] } } })).status).toBe(200);
      await expectNow({ ...base, tuples: 12, attributes: 3 });
      expect((await s.call('POST', `${T}/data/delete`, { tuples: ['document:nope#owner@user:nobody'] })).status).toBe(200);
      await expectNow({ ...base, tuples: 12, attributes: 3 });

      expect((await s.call('POST', '/v1/tenants/create', { id: 'gauge-co' })).status).toBe(200);
      expect((await s.call('POST', '/v1/tenants/gauge-co/schemas/write', { schema: 'entity user {}\nentity doc { relation owner @user }' })).status).toBe(200);
      expect((await s.call('POST', '/v1/tenants/gauge-co/data/write', { tuples: ['doc:1#owner@user:a', 'doc:2#owner@user:a', 'doc:3#owner@user:b'] })).status).toBe(200);
      await expectNow({ tenants: 3, tuples: 15, attributes: 3, schemas: 2 });
      // Deleting a tenant takes everything it held off the gauges.
      expect((await s.call('DELETE', '/v1/tenants/gauge-co')).status).toBe(200);
      await expectNow({ ...base, tuples: 12, attributes: 3 });
      // A schema write to the default tenant counts once (its change is announced to every tenant as '*').
      expect((await s.call('POST', `${T}/schemas/write`, { schema: (await engine.readSchema('t1')).source })).status).toBe(200);
      await expectNow({ ...base, tuples: 12, attributes: 3, schemas: 2 });

      for (const { name, spy } of reads) expect([name, spy.mock.calls.length]).toEqual([name, 0]);
    } finally {
      for (const { spy } of reads) spy.mockRestore();
    }
  });
});

describe('--metrics-key', () => {
  it('comes from the flag or GATEHOUSE_METRICS_KEY', async () => {
    expect((await serveOptions({ 'metrics-key': 'm1', dev: true }, {})).metricsKey).toBe('m1');
    expect((await serveOptions({ dev: true }, { GATEHOUSE_METRICS_KEY: 'm2' })).metricsKey).toBe('m2');
  });

  it('refuses a metrics key that is also an API key', async () => {
    await expect(start({ apiKeys: [ADMIN], metricsKey: ADMIN })).rejects.toThrow(/also an API key/);
  });
});
