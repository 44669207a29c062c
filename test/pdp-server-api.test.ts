import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KEY, start } from './fixtures/server/helpers.js';
import { openSse } from './fixtures/server/sse.js';
import type { Running } from './fixtures/server/helpers.js';

const T = '/v1/tenants/t1';
const user = (id: string) => ({ type: 'user', id, relation: '' });
const doc = (id: string) => ({ type: 'document', id });

describe('PDP server: Gatehouse API (Permify-shaped REST)', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(async () => {
    await s.server.close();
  });

  describe('permissions/check', () => {
    it('answers CHECK_RESULT_ALLOWED with check_count and the snap token it evaluated at', async () => {
      const r = await s.call('POST', `${T}/permissions/check`, {
        metadata: { snap_token: '', schema_version: '', depth: 20 },
        entity: doc('d1'),
        permission: 'edit',
        subject: user('alice'),
      });
      expect(r.status).toBe(200);
      expect(r.body.can).toBe('CHECK_RESULT_ALLOWED');
      expect(typeof r.body.metadata.check_count).toBe('number');
      expect(r.body.metadata.snap_token).toMatch(/^\d+$/);
    });

    it('denies through an exclusion and allows through nested usersets', async () => {
      const banned = await s.call('POST', `${T}/permissions/check`, { entity: doc('d2'), permission: 'view', subject: user('bob') });
      expect(banned.body.can).toBe('CHECK_RESULT_DENIED');
      const nested = await s.call('POST', `${T}/permissions/check`, { entity: doc('d1'), permission: 'view', subject: user('carol') });
      expect(nested.body.can).toBe('CHECK_RESULT_ALLOWED');
    });

    it('uses contextual tuples and context data for one request only', async () => {
      const withTuple = await s.call('POST', `${T}/permissions/check`, {
        entity: doc('d2'),
        permission: 'view',
        subject: user('frank'),
        context: { tuples: [{ entity: { type: 'organization', id: 'acme' }, relation: 'member', subject: user('frank') }], attributes: [], data: {} },
      });
      expect(withTuple.body.can).toBe('CHECK_RESULT_ALLOWED');
      const without = await s.call('POST', `${T}/permissions/check`, { entity: doc('d2'), permission: 'view', subject: user('frank') });
      expect(without.body.can).toBe('CHECK_RESULT_DENIED');
      const secret = await s.call('POST', `${T}/permissions/check`, {
        entity: doc('d1'),
        permission: 'read_secret',
        subject: user('carol'),
        context: { data: { level: 5 } },
      });
      expect(secret.body.can).toBe('CHECK_RESULT_ALLOWED');
    });

    it('checks a type-level resource when entity.id is empty (tenant roles)', async () => {
      const admin = await s.call('POST', '/v1/tenants/acme/permissions/check', { entity: { type: 'document', id: '' }, permission: 'edit', subject: user('root') });
      expect(admin.body.can).toBe('CHECK_RESULT_ALLOWED');
      const owner = await s.call('POST', '/v1/tenants/acme/permissions/check', { entity: { type: 'document', id: '' }, permission: 'edit', subject: user('zed') });
      expect(owner.body.can).toBe('CHECK_RESULT_DENIED');
    });

    it('answers 400 with {code, message, details} for an unknown permission, and for a depth below 3', async () => {
      const unknown = await s.call('POST', `${T}/permissions/check`, { entity: doc('d1'), permission: 'fly', subject: user('alice') });
      expect([400, 404]).toContain(unknown.status);
      expect(unknown.body).toEqual({ code: expect.any(Number), message: expect.any(String), details: expect.any(Array) });
      const shallow = await s.call('POST', `${T}/permissions/check`, { metadata: { depth: 2 }, entity: doc('d1'), permission: 'edit', subject: user('alice') });
      expect(shallow.status).toBe(400);
    });

    it('answers 400 GH_ERR_DEPTH_EXCEEDED when the depth budget runs out, and allows with enough depth', async () => {
      const chain = Array.from({ length: 8 }, (_, i) => `team:c${String(i)}#member@team:c${String(i + 1)}#member`).concat(['team:c8#member@user:deep']);
      const body = (depth: number) => ({ metadata: { depth }, entity: { type: 'team', id: 'c0' }, permission: 'member', subject: user('deep'), context: { tuples: chain } });
      const shallow = await s.call('POST', `${T}/permissions/check`, body(3));
      expect(shallow.status).toBe(400);
      expect(shallow.body.details[0].reason).toBe('GH_ERR_DEPTH_EXCEEDED');
      expect(shallow.body.message).toMatch(/^GH_ERR_DEPTH_EXCEEDED: /);
      const deep = await s.call('POST', `${T}/permissions/check`, body(50));
      expect(deep.body.can).toBe('CHECK_RESULT_ALLOWED');
      const tooDeep = await s.call('POST', `${T}/permissions/check`, body(101));
      expect(tooDeep.status).toBe(400);
    });

    it('answers 404 for an unknown tenant', async () => {
      const r = await s.call('POST', '/v1/tenants/nope/permissions/check', { entity: doc('d1'), permission: 'edit', subject: user('alice') });
      expect(r.status).toBe(404);
      expect(r.body.code).toBe(5);
    });
  });

  it('bulk-check answers every item in order', async () => {
    const r = await s.call('POST', `${T}/permissions/bulk-check`, {
      metadata: {},
      items: [
        { entity: doc('d1'), permission: 'edit', subject: user('alice') },
        { entity: doc('d1'), permission: 'edit', subject: user('carol') },
        { entity: doc('d3'), permission: 'view', subject: user('zoe') },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: any) => x.can)).toEqual(['CHECK_RESULT_ALLOWED', 'CHECK_RESULT_DENIED', 'CHECK_RESULT_ALLOWED']);
  });

  it('lookup-entity and lookup-subject return the worked example ids', async () => {
    const e = await s.call('POST', `${T}/permissions/lookup-entity`, { entity_type: 'document', permission: 'view', subject: user('carol') });
    expect(e.status).toBe(200);
    expect([...e.body.entity_ids].sort()).toEqual(['d1', 'd3']);
    expect(e.body.continuous_token).toBe('');
    const scoped = await s.call('POST', `${T}/permissions/lookup-entity`, { entity_type: 'document', permission: 'view', subject: user('carol'), scope: { document: { data: ['d3'] } } });
    expect(scoped.body.entity_ids).toEqual(['d3']);
    const sub = await s.call('POST', `${T}/permissions/lookup-subject`, { entity: doc('d1'), permission: 'view', subject_reference: { type: 'user', relation: '' } });
    expect(sub.status).toBe(200);
    expect(sub.body.subject_ids).toEqual(['alice', 'carol', 'dave']);
  });

  it('subject-permission lists every permission (and relations unless only_permission)', async () => {
    // read_secret's rule reads context.data.level: without it the whole call fails, as in Permify.
    const failing = await s.call('POST', `${T}/permissions/subject-permission`, { metadata: { only_permission: true }, entity: doc('d1'), subject: user('alice') });
    expect(failing.status).toBe(400);
    const r = await s.call('POST', `${T}/permissions/subject-permission`, { metadata: { only_permission: true }, entity: doc('d1'), subject: user('alice'), context: { data: { level: 1 } } });
    expect(r.status).toBe(200);
    expect(r.body.results.edit).toBe('CHECK_RESULT_ALLOWED');
    expect(r.body.results.view).toBe('CHECK_RESULT_ALLOWED');
    expect(r.body.results.owner).toBeUndefined();
    const all = await s.call('POST', `${T}/permissions/subject-permission`, { entity: doc('d1'), subject: user('dave'), context: { data: { level: 1 } } });
    expect(all.body.results.owner).toBe('CHECK_RESULT_ALLOWED');
  });

  it('expand returns a tree rooted at the entity and permission', async () => {
    const r = await s.call('POST', `${T}/permissions/expand`, { entity: doc('d1'), permission: 'edit' });
    expect(r.status).toBe(200);
    expect(r.body.tree.permission).toBe('edit');
    expect(r.body.tree.entity).toEqual(expect.objectContaining({ type: 'document', id: 'd1' }));
    expect(JSON.stringify(r.body.tree)).toContain('dave');
  });

  it('answers a malformed snap_token, continuous_token or page_size with 400 {code, message, details} naming the field', async () => {
    const routes: [string, Record<string, unknown>][] = [
      [`${T}/permissions/check`, { entity: doc('d1'), permission: 'edit', subject: user('alice') }],
      [`${T}/permissions/bulk-check`, { items: [{ entity: doc('d1'), permission: 'edit', subject: user('alice') }] }],
      [`${T}/permissions/subject-permission`, { entity: doc('d1'), subject: user('alice') }],
      [`${T}/permissions/expand`, { entity: doc('d1'), permission: 'edit' }],
      [`${T}/permissions/lookup-entity`, { entity_type: 'document', permission: 'edit', subject: user('alice') }],
      [`${T}/permissions/lookup-subject`, { entity: doc('d1'), permission: 'edit', subject_reference: { type: 'user' } }],
      [`${T}/data/relationships/read`, {}],
      [`${T}/data/attributes/read`, {}],
    ];
    const shape = (field: string) => ({ code: 3, message: expect.stringContaining(field), details: [expect.objectContaining({ reason: 'GH_ERR_INVALID_REQUEST' })] });
    for (const [path, body] of routes) {
      for (const snap of ['abc', '1e3', '-1', ' 1', '12345678901234567890']) {
        const r = await s.call('POST', path, { ...body, metadata: { snap_token: snap } });
        expect([path, snap, r.status]).toEqual([path, snap, 400]);
        expect(r.body).toEqual(shape('snap_token'));
      }
    }
    const paged = [...routes.slice(4), [`${T}/schemas/list`, {}], ['/v1/tenants/list', {}]] as [string, Record<string, unknown>][];
    for (const [path, body] of paged) {
      for (const token of ['not a token', 'l1.%%%', '{}', 'x'.repeat(2000)]) {
        const r = await s.call('POST', path, { ...body, continuous_token: token });
        expect([path, token.slice(0, 20), r.status]).toEqual([path, token.slice(0, 20), 400]);
        expect(r.body).toEqual(shape('continuous_token'));
      }
      for (const size of [-1, 1.5, '10', 1_000_000]) {
        const r = await s.call('POST', path, { ...body, page_size: size });
        expect([path, size, r.status]).toEqual([path, size, 400]);
        expect(r.body).toEqual(shape('page_size'));
      }
    }
  });

  it('pages lookups and reads with the continuous tokens it issued, whatever characters the ids hold', async () => {
    const w = await s.call('POST', `${T}/data/write`, { tuples: ['ann@x.io', 'bo+b:y', 'cy.z_w-1'].map((id) => ({ entity: doc('pg-1'), relation: 'owner', subject: user(id) })) });
    expect(w.status).toBe(200);
    const seen: string[] = [];
    let token = '';
    for (let i = 0; i < 5; i++) {
      const r = await s.call('POST', `${T}/permissions/lookup-subject`, { entity: doc('pg-1'), permission: 'edit', subject_reference: { type: 'user' }, page_size: 1, continuous_token: token });
      expect(r.status).toBe(200);
      seen.push(...(r.body.subject_ids as string[]));
      token = r.body.continuous_token as string;
      if (token === '') break;
    }
    expect(seen.sort()).toEqual(['ann@x.io', 'bo+b:y', 'cy.z_w-1']);
    let reads = 0;
    token = '';
    do {
      const r = await s.call('POST', `${T}/data/relationships/read`, { filter: { entity: { type: 'document', ids: ['pg-1'] } }, page_size: 2, continuous_token: token });
      expect(r.status).toBe(200);
      reads += (r.body.tuples as unknown[]).length;
      token = r.body.continuous_token as string;
    } while (token !== '');
    expect(reads).toBe(3);
  });

  describe('data', () => {
    it('writes tuples and Any attributes, reads them back, and a check at the returned snap token sees them', async () => {
      const w = await s.call('POST', `${T}/data/write`, {
        metadata: { schema_version: '' },
        tuples: [{ entity: doc('w1'), relation: 'owner', subject: user('wendy') }],
        attributes: [{ entity: doc('w1'), attribute: 'is_public', value: { '@type': 'type.googleapis.com/base.v1.BooleanValue', data: true } }],
      });
      expect(w.status).toBe(200);
      expect(w.body.snap_token).toMatch(/^\d+$/);
      const c = await s.call('POST', `${T}/permissions/check`, { metadata: { snap_token: w.body.snap_token }, entity: doc('w1'), permission: 'edit', subject: user('wendy') });
      expect(c.body.can).toBe('CHECK_RESULT_ALLOWED');
      const rel = await s.call('POST', `${T}/data/relationships/read`, { metadata: { snap_token: '' }, filter: { entity: { type: 'document', ids: ['w1'] }, relation: '', subject: { type: '', ids: [], relation: '' } }, page_size: 50 });
      expect(rel.body.tuples).toEqual([{ entity: doc('w1'), relation: 'owner', subject: user('wendy') }]);
      const attrs = await s.call('POST', `${T}/data/attributes/read`, { filter: { entity: { type: 'document', ids: ['w1'] }, attributes: [] } });
      expect(attrs.body.attributes).toEqual([
        { entity: doc('w1'), attribute: 'is_public', value: { '@type': 'type.googleapis.com/base.v1.BooleanValue', data: true } },
      ]);
    });

    it('accepts the string forms too, and relationships/write + relationships/delete', async () => {
      const w = await s.call('POST', `${T}/relationships/write`, { metadata: {}, tuples: ['document:w2#owner@user:walt'] });
      expect(w.status).toBe(200);
      const d = await s.call('POST', `${T}/relationships/delete`, { filter: { entity: { type: 'document', ids: ['w2'] }, relation: 'owner', subject: { type: 'user', ids: ['walt'] } } });
      expect(d.status).toBe(200);
      expect(BigInt(d.body.snap_token)).toBeGreaterThan(BigInt(w.body.snap_token));
      const c = await s.call('POST', `${T}/permissions/check`, { entity: doc('w2'), permission: 'edit', subject: user('walt') });
      expect(c.body.can).toBe('CHECK_RESULT_DENIED');
    });

    it('data/delete removes by tuple and attribute filters, and refuses an empty filter', async () => {
      await s.call('POST', `${T}/data/write`, { tuples: ['document:w3#owner@user:wu'], attributes: ['document:w3$is_public|boolean:true'] });
      const del = await s.call('POST', `${T}/data/delete`, {
        tuple_filter: { entity: { type: 'document', ids: ['w3'] }, relation: '', subject: { type: '', ids: [], relation: '' } },
        attribute_filter: { entity: { type: 'document', ids: ['w3'] }, attributes: ['is_public'] },
      });
      expect(del.status).toBe(200);
      const c = await s.call('POST', `${T}/permissions/check`, { entity: doc('w3'), permission: 'view', subject: user('anyone') });
      expect(c.body.can).toBe('CHECK_RESULT_DENIED');
      const empty = await s.call('POST', `${T}/data/delete`, { tuple_filter: {}, attribute_filter: {} });
      expect(empty.status).toBe(400);
    });

    it('rejects data that breaks the schema with 400 and writes nothing', async () => {
      const before = await s.call('POST', `${T}/data/relationships/read`, { filter: { entity: { type: 'document', ids: ['bad1'] } } });
      const r = await s.call('POST', `${T}/data/write`, { tuples: ['document:bad1#owner@user:x', 'document:bad1#nosuch@user:x'] });
      expect(r.status).toBe(400);
      const after = await s.call('POST', `${T}/data/relationships/read`, { filter: { entity: { type: 'document', ids: ['bad1'] } } });
      expect(after.body.tuples).toEqual(before.body.tuples);
      const wrongType = await s.call('POST', `${T}/data/write`, {
        attributes: [{ entity: doc('bad1'), attribute: 'is_public', value: { '@type': 'type.googleapis.com/base.v1.BooleanValue', data: 'yes' } }],
      });
      expect(wrongType.status).toBe(400);
    });
  });

  describe('tenants and schemas', () => {
    it('creates, lists and deletes tenants; a duplicate is 409 and the id "default" is refused', async () => {
      const c = await s.call('POST', '/v1/tenants/create', { id: 'newco', name: 'New Co' });
      expect(c.status).toBe(200);
      expect(c.body.tenant).toEqual({ id: 'newco', name: 'New Co', created_at: expect.stringMatching(/^\d{4}-/) });
      expect((await s.call('POST', '/v1/tenants/create', { id: 'newco' })).status).toBe(409);
      expect((await s.call('POST', '/v1/tenants/create', { id: 'default' })).status).toBe(400);
      expect((await s.call('POST', '/v1/tenants/create', { id: 'bad id!' })).status).toBe(400);
      const list = await s.call('POST', '/v1/tenants/list', { page_size: 100, continuous_token: '' });
      expect(list.body.tenants.map((t: any) => t.id)).toEqual(expect.arrayContaining(['t1', 'acme', 'newco']));
      expect(list.body.continuous_token).toBe('');
      const del = await s.call('DELETE', '/v1/tenants/newco');
      expect(del.body).toEqual({ tenant_id: 'newco' });
      expect((await s.call('DELETE', '/v1/tenants/newco')).status).toBe(404);
    });

    it('a new tenant inherits the default schema until it writes its own; schemas read and list', async () => {
      await s.call('POST', '/v1/tenants/create', { id: 'own' });
      await s.call('POST', '/v1/tenants/own/data/write', { tuples: ['document:x#owner@user:o'] });
      expect((await s.call('POST', '/v1/tenants/own/permissions/check', { entity: doc('x'), permission: 'edit', subject: user('o') })).body.can).toBe('CHECK_RESULT_ALLOWED');
      const w = await s.call('POST', '/v1/tenants/own/schemas/write', { schema: 'entity user {}\nentity document { relation owner @user\n permission edit = owner }' });
      expect(w.status).toBe(200);
      expect(typeof w.body.schema_version).toBe('string');
      const read = await s.call('POST', '/v1/tenants/own/schemas/read', { metadata: { schema_version: '' } });
      expect(read.body.schema.entity_definitions.document.permissions.edit.child.leaf.computed_user_set.relation).toBe('owner');
      const list = await s.call('POST', '/v1/tenants/own/schemas/list', { page_size: 10 });
      expect(list.body.head).toBe(w.body.schema_version);
      expect(list.body.schemas.map((x: any) => x.version)).toContain(w.body.schema_version);
      const bad = await s.call('POST', '/v1/tenants/own/schemas/write', { schema: 'entity user {\n  relation x @nosuch\n}' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/\d+:\d+/);
    });
  });

  describe('health and metrics', () => {
    it('healthz, readyz and health answer without a key', async () => {
      expect((await s.call('GET', '/healthz', undefined, { key: null })).status).toBe(200);
      expect((await s.call('GET', '/readyz', undefined, { key: null })).status).toBe(200);
      expect((await s.call('GET', '/health', undefined, { key: null })).body).toEqual({ status: 'ok' });
    });

    it('metrics count requests per route and decisions by result', async () => {
      const m = await s.call('GET', '/metrics');
      expect(m.status).toBe(200);
      expect(m.body).toContain('gatehouse_http_requests_total{method="POST",route="/v1/tenants/:tenant/permissions/check",status="200"}');
      expect(m.body).toMatch(/gatehouse_decisions_total\{api="gatehouse",result="allowed"\} \d+/);
      expect(m.body).toContain('gatehouse_http_request_duration_seconds_bucket');
      expect(m.body).toMatch(/gatehouse_store_tenants \d+/);
      expect((await s.call('GET', '/metrics', undefined, { key: null })).status).toBe(401);
    });

    it('echoes a request id', async () => {
      const r = await s.call('GET', '/healthz', undefined, { headers: { 'x-request-id': 'abc-123' } });
      expect(r.headers.get('x-request-id')).toBe('abc-123');
    });
  });
});

describe('PDP server: graceful shutdown', () => {
  it('lets a request in flight finish and then refuses new connections', async () => {
    const { Engine } = await import('@gatehouse/engine');
    const { fixture } = await import('./fixtures/server/helpers.js');
    const engine = await Engine.create({ schema: fixture('docs.perm') });
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The server's engine, with check() held until the test releases it.
    const held = new Proxy(engine, {
      get(target, prop) {
        if (prop === 'check') {
          return async (req: any) => {
            entered();
            await gate;
            return await target.check(req);
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const s = await start({ engine: held });
    const pending = s.call('POST', '/v1/tenants/t1/permissions/check', { entity: { type: 'document', id: 'd1' }, permission: 'edit', subject: { type: 'user', id: 'x' } });
    await inside;
    const closing = s.server.close();
    release();
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.body.can).toBe('CHECK_RESULT_DENIED');
    await closing;
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
    await engine.close();
  });
});

describe('PDP server: store and watch gauges on /metrics', () => {
  const gauge = (text: string, name: string): number => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (m === null) throw new Error(`no gauge ${name} in /metrics`);
    return Number(m[1]);
  };

  it('reports tenants, live tuples, attributes, schema versions, the head token and connected watchers, as of the scrape', async () => {
    const s = await start();
    try {
      const before = (await s.call('GET', '/metrics')).body as string;
      // docs-data.yaml: t1 holds 10 tuples and 2 attributes, acme 2 tuples; only t1 has a schema of its own.
      expect(gauge(before, 'gatehouse_store_tenants')).toBe(2);
      expect(gauge(before, 'gatehouse_store_tuples')).toBe(12);
      expect(gauge(before, 'gatehouse_store_attributes')).toBe(2);
      expect(gauge(before, 'gatehouse_store_schema_versions')).toBe(1);
      expect(gauge(before, 'gatehouse_watch_streams')).toBe(0);

      await s.call('POST', `${T}/data/write`, { tuples: ['document:m1#owner@user:mia', 'document:m2#owner@user:mia'], attributes: ['document:m1$is_public|boolean:true'] });
      await s.call('POST', `${T}/data/delete`, { tuples: ['document:d3#owner@user:erin'] });
      await s.call('POST', '/v1/tenants/create', { id: 'metrics-co', name: 'M' });
      const w = await s.call('POST', '/v1/tenants/metrics-co/schemas/write', { schema: 'entity user {}' });
      expect(w.status).toBe(200);
      const stream = await openSse(`${s.url}/v1/tenants/t1/watch`, { authorization: `Bearer ${KEY}` });
      await stream.next((f) => f.id !== undefined);

      const after = (await s.call('GET', '/metrics')).body as string;
      expect(gauge(after, 'gatehouse_store_tenants')).toBe(3);
      expect(gauge(after, 'gatehouse_store_tuples')).toBe(13);
      expect(gauge(after, 'gatehouse_store_attributes')).toBe(3);
      expect(gauge(after, 'gatehouse_store_schema_versions')).toBe(2);
      expect(gauge(after, 'gatehouse_store_head_snap_token')).toBe(Number(s.server.engine.headSnapToken('t1')));
      expect(gauge(after, 'gatehouse_watch_streams')).toBe(1);
      await stream.close();
    } finally {
      await s.server.close();
    }
  });

  it('reports the engine compiled-schema cache: one compilation per schema version, hits for every later check', async () => {
    const s = await start();
    try {
      const check = { entity: { type: 'document', id: 'd1' }, permission: 'edit', subject: { type: 'user', id: 'x' } };
      await s.call('POST', `${T}/permissions/check`, check);
      const before = (await s.call('GET', '/metrics')).body as string;
      const compiled = gauge(before, 'gatehouse_engine_schema_compilations_total');
      const hits = gauge(before, 'gatehouse_engine_schema_cache_hits_total');
      expect(compiled).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < 3; i++) expect((await s.call('POST', `${T}/permissions/check`, check)).status).toBe(200);
      const after = (await s.call('GET', '/metrics')).body as string;
      expect(gauge(after, 'gatehouse_engine_schema_compilations_total')).toBe(compiled);
      expect(gauge(after, 'gatehouse_engine_schema_cache_hits_total')).toBeGreaterThanOrEqual(hits + 3);
      await s.call('POST', `${T}/schemas/write`, { schema: 'entity user {}\nentity document { relation owner @user\n permission edit = owner }' });
      await s.call('POST', `${T}/permissions/check`, check);
      const later = (await s.call('GET', '/metrics')).body as string;
      expect(gauge(later, 'gatehouse_engine_schema_compilations_total')).toBe(compiled + 1);
    } finally {
      await s.server.close();
    }
  });
});
