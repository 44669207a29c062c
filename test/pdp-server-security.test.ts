import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ApiKeyring, parseApiKey, parseApiKeyList } from '@gatehouse/pdp-server';
import { createServer } from '@gatehouse/pdp-server';
import { KEY, start } from './fixtures/server/helpers.js';
import type { Running } from './fixtures/server/helpers.js';

const user = (id: string) => ({ type: 'user', id, relation: '' });
const checkBody = { entity: { type: 'document', id: 'd1' }, permission: 'edit', subject: user('alice') };

describe('PDP server: API keys', () => {
  it('parses KEY, KEY:*, KEY:a+b and the comma-separated env list', () => {
    expect(parseApiKey('abc')).toEqual({ key: 'abc' });
    expect(parseApiKey('a:b:*')).toEqual({ key: 'a:b' });
    expect(parseApiKey('abc:acme+globex')).toEqual({ key: 'abc', tenants: ['acme', 'globex'] });
    expect(parseApiKey('abc:acme,globex', true)).toEqual({ key: 'abc', tenants: ['acme', 'globex'] });
    expect(parseApiKeyList('k1, k2:acme+t1 ,k3')).toEqual([{ key: 'k1' }, { key: 'k2', tenants: ['acme', 't1'] }, { key: 'k3' }]);
    expect(() => parseApiKey('abc:bad tenant')).toThrow(/SECRET:\*/);
    expect(() => parseApiKey(':acme')).toThrow(/empty/);
  });

  it('matches keys by content whatever their length, and never a prefix', () => {
    const ring = new ApiKeyring([{ key: 'short' }, { key: 'a-much-longer-key', tenants: ['acme'] }]);
    expect(ring.authenticate('short')?.id).toBe('key#0');
    expect([...(ring.authenticate('a-much-longer-key')?.tenants ?? [])]).toEqual(['acme']);
    expect(ring.authenticate('shor')).toBeUndefined();
    expect(ring.authenticate('shortx')).toBeUndefined();
    expect(ring.authenticate('')).toBeUndefined();
  });

  it('refuses to start without a key unless dev', async () => {
    await expect(createServer({ logLevel: 'silent', schema: 'entity user {}' })).rejects.toThrow(/--dev/);
    const dev = await createServer({ logLevel: 'silent', dev: true, schema: 'entity user {}' });
    await dev.close();
  });
});

describe('PDP server: authentication and tenant scope', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start({ apiKeys: [KEY, 'scoped-key:acme'] });
  });
  afterAll(async () => {
    await s.server.close();
  });

  it('answers 401 without a key, with a wrong key and with a malformed header', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: KEY }, { authorization: `Basic ${KEY}` }]) {
      const r = await s.call('POST', '/v1/tenants/t1/permissions/check', checkBody, { key: null, headers });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ code: 16, message: expect.any(String), details: [expect.objectContaining({ reason: 'GH_ERR_UNAUTHENTICATED' })] });
    }
  });

  it('gives a scoped key its tenants and 403 elsewhere, on every API', async () => {
    const own = await s.call('POST', '/v1/tenants/acme/permissions/check', checkBody, { key: 'scoped-key' });
    expect(own.status).toBe(200);
    const other = await s.call('POST', '/v1/tenants/t1/permissions/check', checkBody, { key: 'scoped-key' });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe(7);
    expect((await s.call('POST', '/v1/tenants/t1/data/write', { tuples: ['document:z#owner@user:z'] }, { key: 'scoped-key' })).status).toBe(403);
    expect((await s.call('DELETE', '/v1/tenants/t1', undefined, { key: 'scoped-key' })).status).toBe(403);
    expect((await s.call('POST', '/v1/tenants/create', { id: 'elsewhere' }, { key: 'scoped-key' })).status).toBe(403);
    const list = await s.call('POST', '/v1/tenants/list', {}, { key: 'scoped-key' });
    expect(list.body.tenants.map((t: any) => t.id)).toEqual(['acme']);
    // Permit endpoints: "default" is t1, outside the scope.
    const permit = await s.call('POST', '/allowed', { user: { key: 'alice' }, action: 'edit', resource: { type: 'document', key: 'd1', tenant: 'default' }, context: {} }, { key: 'scoped-key' });
    expect(permit.status).toBe(403);
    const permitOwn = await s.call('POST', '/allowed', { user: { key: 'root' }, action: 'edit', resource: { type: 'document', tenant: 'acme' }, context: {} }, { key: 'scoped-key' });
    expect(permitOwn.body.allow).toBe(true);
    const bulk = await s.call('POST', '/allowed/bulk', [{ user: 'root', action: 'edit', resource: { type: 'document', tenant: 'acme' } }, { user: 'alice', action: 'edit', resource: { type: 'document', key: 'd1', tenant: 'default' } }], { key: 'scoped-key' });
    expect(bulk.status).toBe(403);
    const all = await s.call('POST', '/allowed/all-tenants', { user: { key: 'root' }, action: 'edit', resource: { type: 'document' }, context: {} }, { key: 'scoped-key' });
    expect(all.body.allowed_tenants.map((t: any) => t.tenant.key)).toEqual(['acme']);
    const watch = await fetch(`${s.url}/v1/tenants/t1/watch`, { headers: { authorization: 'Bearer scoped-key' } });
    expect(watch.status).toBe(403);
    await watch.body?.cancel();
  });

  it('needs no key for /healthz, /readyz and /health', async () => {
    for (const p of ['/healthz', '/readyz', '/health']) expect((await s.call('GET', p, undefined, { key: null })).status).toBe(200);
  });
});

describe('PDP server: limits', () => {
  let s: Running | undefined;
  afterEach(async () => {
    await s?.server.close();
    s = undefined;
  });

  it('rate-limits per API key when asked, never the health endpoints', async () => {
    s = await start({ apiKeys: [KEY, 'other-key'], rateLimit: { max: 3, timeWindowMs: 60_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await s.call('POST', '/v1/tenants/t1/permissions/check', checkBody)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await s.call('POST', '/v1/tenants/t1/permissions/check', checkBody);
    expect(limited.body).toEqual({ code: 8, message: expect.stringMatching(/rate limit/), details: expect.any(Array) });
    expect((await s.call('POST', '/v1/tenants/t1/permissions/check', checkBody, { key: 'other-key' })).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect((await s.call('GET', '/healthz', undefined, { key: null })).status).toBe(200);
      expect((await s.call('GET', '/health')).status).toBe(200);
    }
  });

  it('rate-limits failed authentications per client address, while a good key keeps its own budget', async () => {
    s = await start({ apiKeys: [KEY], rateLimit: { max: 3, timeWindowMs: 60_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await s.call('POST', '/v1/tenants/t1/permissions/check', checkBody, { key: `guess-${String(i)}` })).status);
    statuses.push((await s.call('POST', '/v1/tenants/t1/permissions/check', checkBody, { key: null })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await s.call('POST', '/allowed', { user: { key: 'u' }, action: 'edit', resource: { type: 'document' } }, { key: 'wrong' });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 8, message: expect.stringMatching(/rate limit/) });
    expect((await s.call('POST', '/v1/tenants/t1/permissions/check', checkBody)).status).toBe(200);
    // Unmatched paths are not limited, so they answer 404 to good and bad keys alike (no unthrottled key oracle).
    expect((await s.call('GET', '/no/such/route', undefined, { key: 'wrong' })).status).toBe(404);
    expect((await s.call('GET', '/no/such/route')).status).toBe(404);
    for (let i = 0; i < 5; i++) {
      expect((await s.call('GET', '/healthz', undefined, { key: 'wrong' })).status).toBe(200);
      expect((await s.call('GET', '/readyz', undefined, { key: null })).status).toBe(200);
      expect((await s.call('GET', '/health', undefined, { key: 'wrong' })).status).toBe(200);
    }
  });

  it('names a forbidden __proto__ or constructor.prototype key instead of calling the body invalid JSON', async () => {
    s = await start();
    const bodies = [
      ['{"__proto__":{"admin":true},"tuples":["document:p1#owner@user:mallory"]}', '__proto__'],
      ['{"tuples":["document:p1#owner@user:mallory"],"x":{"\\u005f_proto__":{}}}', '__proto__'],
      ['{"tuples":["document:p1#owner@user:mallory"],"x":{"constructor":{"prototype":{"admin":true}}}}', 'constructor'],
    ] as const;
    for (const [raw, key] of bodies) {
      const r = await s.call('POST', '/v1/tenants/t1/data/write', undefined, { raw });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ code: 3, message: expect.stringContaining(`forbidden key "${key}" in body`), details: [{ reason: 'GH_ERR_INVALID_REQUEST' }] });
    }
    const permit = await s.call('POST', '/allowed', undefined, { raw: '{"user":{"key":"u","__proto__":{}},"action":"edit","resource":{"type":"document"}}' });
    expect(permit.status).toBe(400);
    expect(permit.body.detail).toContain('forbidden key "__proto__"');
    const bad = await s.call('POST', '/v1/tenants/t1/data/write', undefined, { raw: '{"tuples":' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^the body is not valid JSON: /);
    // A "constructor" that is not a prototype carrier is ordinary data.
    expect((await s.call('POST', '/v1/tenants/list', undefined, { raw: '{"constructor":1}' })).status).toBe(200);
    const read = await s.call('POST', '/v1/tenants/t1/data/relationships/read', { filter: { entity: { type: 'document', ids: ['p1'] } } });
    expect(read.body.tuples).toEqual([]);
  });

  it('answers 413 for a body over the limit and 400 for batches over the limit', async () => {
    s = await start({ bodyLimit: 10_000, limits: { maxBatchSize: 3 } });
    const big = await s.call('POST', '/v1/tenants/t1/data/write', { tuples: Array.from({ length: 500 }, (_, i) => `document:big${String(i)}#owner@user:u`) });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe(8);
    const items = Array.from({ length: 4 }, () => checkBody);
    expect((await s.call('POST', '/v1/tenants/t1/permissions/bulk-check', { items })).status).toBe(400);
    expect((await s.call('POST', '/allowed/bulk', Array.from({ length: 4 }, () => ({ user: 'a', action: 'edit', resource: 'document' })))).status).toBe(400);
  });
});

const ROUTES: [string, string][] = [
  ['POST', '/v1/tenants/create'],
  ['POST', '/v1/tenants/list'],
  ['DELETE', '/v1/tenants/{t}'],
  ['POST', '/v1/tenants/{t}/schemas/write'],
  ['POST', '/v1/tenants/{t}/schemas/read'],
  ['POST', '/v1/tenants/{t}/schemas/list'],
  ['POST', '/v1/tenants/{t}/data/write'],
  ['POST', '/v1/tenants/{t}/relationships/write'],
  ['POST', '/v1/tenants/{t}/data/delete'],
  ['POST', '/v1/tenants/{t}/relationships/delete'],
  ['POST', '/v1/tenants/{t}/data/relationships/read'],
  ['POST', '/v1/tenants/{t}/data/attributes/read'],
  ['POST', '/v1/tenants/{t}/permissions/check'],
  ['POST', '/v1/tenants/{t}/permissions/bulk-check'],
  ['POST', '/v1/tenants/{t}/permissions/lookup-entity'],
  ['POST', '/v1/tenants/{t}/permissions/lookup-subject'],
  ['POST', '/v1/tenants/{t}/permissions/subject-permission'],
  ['POST', '/v1/tenants/{t}/permissions/expand'],
  ['GET', '/v1/tenants/{t}/watch'],
  ['POST', '/allowed'],
  ['POST', '/allowed/bulk'],
  ['POST', '/allowed/all-tenants'],
  ['POST', '/user-permissions'],
  ['POST', '/user-tenants'],
];

describe('PDP server: malformed input (fast-check)', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(async () => {
    await s.server.close();
  });

  async function state(r: Running): Promise<string> {
    const rel = await r.call('POST', '/v1/tenants/t1/data/relationships/read', { page_size: 1000 });
    const acme = await r.call('POST', '/v1/tenants/acme/data/relationships/read', { page_size: 1000 });
    const attrs = await r.call('POST', '/v1/tenants/t1/data/attributes/read', { page_size: 1000 });
    const tenants = await r.call('POST', '/v1/tenants/list', {});
    const schema = await r.call('POST', '/v1/tenants/t1/schemas/list', {});
    return JSON.stringify([rel.body, acme.body, attrs.body, tenants.body.tenants.map((t: any) => t.id).sort(), schema.body.head]);
  }

  const json = fc.jsonValue({ maxDepth: 4 });
  const wrongTyped = fc.record(
    {
      id: json,
      schema: fc.oneof(fc.integer(), fc.constant('entity {'), fc.array(fc.string())),
      entity: fc.oneof(json, fc.record({ type: fc.string(), id: fc.oneof(fc.string(), fc.integer()) })),
      subject: fc.oneof(json, fc.record({ type: fc.constantFrom('user', '', '1x'), id: fc.oneof(fc.string(), fc.constant(''), fc.integer()) })),
      permission: fc.oneof(json, fc.constantFrom('', 'fly', 'a b')),
      tuples: fc.oneof(json, fc.array(fc.oneof(fc.string(), json), { maxLength: 5 })),
      attributes: fc.oneof(json, fc.array(fc.oneof(fc.string(), json), { maxLength: 5 })),
      items: fc.oneof(json, fc.array(json, { maxLength: 5 })),
      metadata: fc.oneof(json, fc.record({ depth: fc.oneof(fc.integer(), fc.string()), snap_token: fc.oneof(fc.string(), fc.integer()) })),
      filter: json,
      tuple_filter: fc.oneof(fc.constant({}), json),
      attribute_filter: fc.oneof(fc.constant({}), json),
      user: json,
      action: json,
      resource: json,
      context: json,
      page_size: fc.oneof(fc.integer(), fc.string(), fc.constant(1e9)),
    },
    { requiredKeys: [] },
  );
  const badTenant = fc.constantFrom('', '-x', 'a b', '%2e%2e', 'x'.repeat(200), 'default', '.hidden', 'ü');

  it('answers every random or wrongly typed body with 2xx or a 4xx JSON error, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES.filter(([m]) => m === 'POST')), fc.oneof(wrongTyped, json), fc.constantFrom('t1', 'acme', 'nope'), async ([method, path], body, tenant) => {
        const r = await s.call(method, path.replace('{t}', tenant), body);
        if (r.status >= 500) throw new Error(`${method} ${path} ${JSON.stringify(body)} -> ${String(r.status)} ${JSON.stringify(r.body)}`);
        if (r.status >= 400) expect(r.body).toEqual(expect.objectContaining({ code: expect.any(Number), message: expect.any(String) }));
      }),
      { numRuns: 300 },
    );
    // Random bodies may be valid writes, so this property is "no 5xx"; "a rejected request changes
    // nothing" is checked by the next two tests.
  });

  it('rejects bad tenant ids, bad JSON, wrong content types and bad keys on every route, leaving data unchanged', async () => {
    const snapshot = await state(s);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        badTenant,
        fc.constantFrom('{', '[1,', '{"a":}', 'null', '"x"', '{"__proto__":{"x":1}}', '\u0000'),
        fc.constantFrom(null, '', 'wrong', `${KEY}x`, KEY.slice(0, -1)),
        async ([method, path], tenant, raw, key) => {
          if (path.includes('{t}')) {
            const r1 = await s.call(method, path.replace('{t}', encodeURIComponent(tenant)), method === 'GET' ? undefined : {});
            expect(r1.status).toBeGreaterThanOrEqual(400);
            expect(r1.status).toBeLessThan(500);
          }
          if (method === 'POST') {
            const r2 = await s.call(method, path.replace('{t}', 't1'), undefined, { raw });
            expect(r2.status).toBeGreaterThanOrEqual(400);
            expect(r2.status).toBeLessThan(500);
            const r3 = await s.call(method, path.replace('{t}', 't1'), undefined, { raw: 'a=b', headers: { 'content-type': 'text/plain' } });
            expect(r3.status).toBeGreaterThanOrEqual(400);
            expect(r3.status).toBeLessThan(500);
          }
          const r4 = await s.call(method, path.replace('{t}', 't1'), method === 'GET' ? undefined : { tuples: ['document:evil#owner@user:evil'] }, { key });
          expect(r4.status).toBe(401);
        },
      ),
      { numRuns: 200 },
    );
    expect(await state(s)).toBe(snapshot);
  });

  it('answers huge and deeply nested payloads with 4xx and stays up', async () => {
    const snapshot = await state(s);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const r1 = await s.call('POST', '/v1/tenants/t1/permissions/check', undefined, { raw: deep });
    expect(r1.status).toBe(400);
    expect(r1.body.message).toMatch(/nests deeper than 32/);
    const nestedData = { entity: { type: 'document', id: 'd1' }, permission: 'edit', subject: { type: 'user', id: 'a' }, context: { data: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) } };
    expect((await s.call('POST', '/v1/tenants/t1/permissions/check', nestedData)).status).toBe(400);
    const quoted = { entity: { type: 'document', id: 'd1' }, permission: 'edit', subject: { type: 'user', id: 'a' }, context: { data: { s: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{' } } };
    expect((await s.call('POST', '/v1/tenants/t1/permissions/check', quoted)).status).toBe(200);
    const r2 = await s.call('POST', '/v1/tenants/t1/data/write', undefined, { raw: JSON.stringify({ tuples: ['x'.repeat(2_000_000)] }) });
    expect(r2.status).toBe(413);
    const r3 = await s.call('POST', '/v1/tenants/t1/data/write', { tuples: Array.from({ length: 1001 }, (_, i) => `document:n${String(i)}#owner@user:u`) });
    expect(r3.status).toBe(400);
    expect((await s.call('GET', '/healthz')).status).toBe(200);
    expect(await state(s)).toBe(snapshot);
  });
});
