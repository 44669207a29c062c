import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createServer, serveOptions } from '@gatehouse/pdp-server';
import { FIXTURES, KEY, start } from './fixtures/server/helpers.js';
import type { Running } from './fixtures/server/helpers.js';
import { openSse } from './fixtures/server/sse.js';
import { PG_URL as PG, postgresAbsent } from './fixtures/postgres.js';

const auth = { authorization: `Bearer ${KEY}` };
const isChange = (f: { event?: string }) => f.event === 'change';

describe('PDP server: watch (SSE change feed)', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start({ heartbeatMs: 50 });
  });
  afterAll(async () => {
    await s.server.close();
  });

  it('sends one change event per committed write, id = snap token, with the changes', async () => {
    const stream = await openSse(`${s.url}/v1/tenants/t1/watch`, auth);
    expect(stream.status).toBe(200);
    const first = await stream.next((f) => f.id !== undefined);
    expect(first.id).toMatch(/^\d+$/);
    const w = await s.call('POST', '/v1/tenants/t1/data/write', { tuples: ['document:sse1#owner@user:sam'], attributes: ['document:sse1$is_public|boolean:true'] });
    const e = await stream.next(isChange);
    expect(e.id).toBe(w.body.snap_token);
    expect(JSON.parse(e.data!)).toEqual({
      tenant: 't1',
      snap_token: w.body.snap_token,
      kind: 'data',
      changes: expect.arrayContaining([
        { operation: 'OPERATION_CREATE', tuple: { entity: { type: 'document', id: 'sse1' }, relation: 'owner', subject: { type: 'user', id: 'sam', relation: '' } } },
        { operation: 'OPERATION_CREATE', attribute: { entity: { type: 'document', id: 'sse1' }, attribute: 'is_public', value: { '@type': 'type.googleapis.com/base.v1.BooleanValue', data: true } } },
      ]),
    });
    const d = await s.call('POST', '/v1/tenants/t1/relationships/delete', { filter: { entity: { type: 'document', ids: ['sse1'] } } });
    const e2 = await stream.next(isChange);
    expect(e2.id).toBe(d.body.snap_token);
    expect(JSON.parse(e2.data!).changes[0].operation).toBe('OPERATION_DELETE');
    await stream.close();
  });

  it('does not carry other tenants’ changes, and sends heartbeats', async () => {
    const stream = await openSse(`${s.url}/v1/tenants/acme/watch`, auth);
    await s.call('POST', '/v1/tenants/t1/data/write', { tuples: ['document:other#owner@user:x'] });
    const acme = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:mine#owner@user:x'] });
    const e = await stream.next(isChange);
    expect(JSON.parse(e.data!).tenant).toBe('acme');
    expect(e.id).toBe(acme.body.snap_token);
    const ping = await stream.next((f) => f.comments.includes('ping'));
    expect(ping.comments).toContain('ping');
    await stream.close();
  });

  it('resumes after Last-Event-ID with exactly the changes missed', async () => {
    const a = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:r1#owner@user:x'] });
    const b = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:r2#owner@user:x'] });
    await s.call('POST', '/v1/tenants/t1/data/write', { tuples: ['document:r3#owner@user:x'] });
    const c = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:r4#owner@user:x'] });
    const stream = await openSse(`${s.url}/v1/tenants/acme/watch`, { ...auth, 'last-event-id': a.body.snap_token });
    const e1 = await stream.next(isChange);
    const e2 = await stream.next(isChange);
    expect([e1.id, e2.id]).toEqual([b.body.snap_token, c.body.snap_token]);
    const live = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:r5#owner@user:x'] });
    expect((await stream.next(isChange)).id).toBe(live.body.snap_token);
    await stream.close();
    for (const token of ['x'.repeat(300), 'not-a-token']) {
      const bad = await fetch(`${s.url}/v1/tenants/acme/watch`, { headers: { ...auth, 'last-event-id': token } });
      expect(bad.status).toBe(400);
      await bad.body?.cancel();
    }
  });

  it('relays a default-schema change that other tenants inherit to their watchers (tenant "*")', async () => {
    const stream = await openSse(`${s.url}/v1/tenants/acme/watch`, auth);
    const schema = (await s.call('POST', '/v1/tenants/t1/schemas/read', {})).status;
    expect(schema).toBe(200);
    const text = 'entity user {}\nentity tenant { relation admin @user\n relation member @user }\nentity document { relation owner @user\n permission edit = owner or tenant.admin\n permission view = edit or tenant.member }';
    const w = await s.call('POST', '/v1/tenants/t1/schemas/write', { schema: text });
    expect(w.status).toBe(200);
    const e = await stream.next(isChange);
    const data = JSON.parse(e.data!);
    expect(data.tenant).toBe('*');
    expect(data.kind).toBe('schema');
    await stream.close();
  });

  it('streams every tenant on GET /v1/watch', async () => {
    const stream = await openSse(`${s.url}/v1/watch`, auth);
    expect(stream.status).toBe(200);
    const w1 = await s.call('POST', '/v1/tenants/t1/data/write', { tuples: ['document:all1#owner@user:x'] });
    const w2 = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:all2#owner@user:x'] });
    expect((await stream.next(isChange)).id).toBe(w1.body.snap_token);
    expect((await stream.next(isChange)).id).toBe(w2.body.snap_token);
    await stream.close();
  });

  it('resumes GET /v1/watch across tenants in commit order', async () => {
    const from = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:m0#owner@user:x'] });
    const w1 = await s.call('POST', '/v1/tenants/t1/data/write', { tuples: ['document:m1#owner@user:x'] });
    const w2 = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:m2#owner@user:x'] });
    const stream = await openSse(`${s.url}/v1/watch?tenant=t1&tenant=acme`, { ...auth, 'last-event-id': from.body.snap_token });
    expect((await stream.next(isChange)).id).toBe(w1.body.snap_token);
    expect((await stream.next(isChange)).id).toBe(w2.body.snap_token);
    await stream.close();
  });

  it('accepts a filter naming a tenant that does not exist yet, and streams it once created', async () => {
    const stream = await openSse(`${s.url}/v1/watch?tenant=later&tenant=acme`, auth);
    expect(stream.status).toBe(200);
    expect((await s.call('POST', '/v1/tenants/create', { id: 'later', name: 'Later' })).status).toBe(200);
    const w = await s.call('POST', '/v1/tenants/later/data/write', { tuples: ['document:l1#owner@user:x'] });
    await s.call('POST', '/v1/tenants/t1/data/write', { tuples: ['document:not-mine#owner@user:x'] });
    const e = await stream.next((f) => isChange(f) && JSON.parse(f.data!).kind === 'data');
    expect(e.id).toBe(w.body.snap_token);
    expect(JSON.parse(e.data!).tenant).toBe('later');
    await stream.close();
  });

  it('rejects a malformed tenant filter with 400', async () => {
    for (const q of ['tenant=', 'tenant=bad%20id', 'tenant=acme&tenant=-x']) {
      const res = await fetch(`${s.url}/v1/watch?${q}`, { headers: auth });
      expect(res.status).toBe(400);
      await res.body?.cancel();
    }
  });

  it('resets every filtered tenant when the resume token is newer than anything this server has seen', async () => {
    const stream = await openSse(`${s.url}/v1/watch?tenant=acme&tenant=t1`, { ...auth, 'last-event-id': '999999999' });
    const resets = [await stream.next(isChange), await stream.next(isChange)].map((f) => JSON.parse(f.data!));
    expect(resets.map((r) => [r.tenant, r.kind]).sort()).toEqual([['acme', 'reset'], ['t1', 'reset']]);
    const w = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:fut#owner@user:x'] });
    expect((await stream.next(isChange)).id).toBe(w.body.snap_token);
    await stream.close();
  });

  it('resets a named tenant it cannot replay (deleted while the client was away) when resuming', async () => {
    expect((await s.call('POST', '/v1/tenants/create', { id: 'gone', name: 'Gone' })).status).toBe(200);
    const from = await s.call('POST', '/v1/tenants/gone/data/write', { tuples: ['document:g1#owner@user:x'] });
    expect((await s.call('DELETE', '/v1/tenants/gone')).status).toBe(200);
    const stream = await openSse(`${s.url}/v1/watch?tenant=gone`, { ...auth, 'last-event-id': from.body.snap_token });
    const e = JSON.parse((await stream.next(isChange)).data!);
    expect([e.tenant, e.kind]).toEqual(['gone', 'reset']);
    await stream.close();
  });

  it('ends open streams cleanly when the server closes', async () => {
    const other = await start({ heartbeatMs: 10_000 });
    const stream = await openSse(`${other.url}/v1/tenants/t1/watch`, auth);
    await stream.next((f) => f.id !== undefined);
    await other.server.close();
    await stream.ended;
    await expect(stream.next(isChange, 200)).rejects.toThrow(/ended/);
  });
});

describe('PDP server: GET /v1/watch with a tenant-scoped key', () => {
  const SCOPED = 'scoped-key-0123456789';
  let s: Running;
  beforeAll(async () => {
    s = await start({ heartbeatMs: 50, apiKeys: [KEY, { key: SCOPED, tenants: ['acme', 'soon'] }] });
  });
  afterAll(async () => {
    await s.server.close();
  });
  const scoped = { authorization: `Bearer ${SCOPED}` };

  it('sends only the key’s tenants when no filter is given', async () => {
    const stream = await openSse(`${s.url}/v1/watch`, scoped);
    await s.call('POST', '/v1/tenants/t1/data/write', { tuples: ['document:s0#owner@user:x'] });
    const mine = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:s1#owner@user:x'] });
    const e = await stream.next(isChange);
    expect(e.id).toBe(mine.body.snap_token);
    expect(JSON.parse(e.data!).tenant).toBe('acme');
    await stream.close();
  });

  it('answers 403 when the filter names a tenant outside the key’s scope, and streams an allowed filter', async () => {
    for (const q of ['tenant=t1', 'tenant=acme&tenant=t1']) {
      const res = await fetch(`${s.url}/v1/watch?${q}`, { headers: scoped });
      expect(res.status).toBe(403);
      expect((await res.json()).details[0].reason).toBe('GH_ERR_FORBIDDEN');
    }
    const stream = await openSse(`${s.url}/v1/watch?tenant=soon`, scoped);
    expect(stream.status).toBe(200);
    await stream.close();
  });

  it('never replays another tenant’s changes when resuming', async () => {
    const from = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:s2#owner@user:x'] });
    await s.call('POST', '/v1/tenants/t1/data/write', { tuples: ['document:s3#owner@user:x'] });
    const mine = await s.call('POST', '/v1/tenants/acme/data/write', { tuples: ['document:s4#owner@user:x'] });
    const stream = await openSse(`${s.url}/v1/watch`, { ...scoped, 'last-event-id': from.body.snap_token });
    const e = await stream.next(isChange);
    expect(e.id).toBe(mine.body.snap_token);
    expect(JSON.parse(e.data!).tenant).toBe('acme');
    await stream.close();
  });
});

describe('PDP server: GET /v1/watch on PostgreSQL, across replicas', () => {
  const SCHEMA = `gh_watch_${String(process.pid)}`;
  let absent: string | undefined;
  beforeAll(async () => {
    absent = await postgresAbsent();
  });
  afterAll(async () => {
    if (absent !== undefined) return;
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await c.end();
  });

  it('resumes a multi-tenant stream on one replica with every change committed through another while it was away', async () => {
    if (absent !== undefined) return;
    const flags = { postgres: PG, 'postgres-schema': SCHEMA, 'api-key': [KEY], 'log-level': 'silent' };
    const a = await createServer(await serveOptions({ ...flags, schema: `${FIXTURES}/docs.perm` }, {}));
    const b = await createServer(await serveOptions(flags, {}));
    const ua = (await a.listen({ port: 0, host: '127.0.0.1' })).url;
    const ub = (await b.listen({ port: 0, host: '127.0.0.1' })).url;
    const post = async (path: string, body: unknown): Promise<string> => {
      const res = await fetch(`${ua}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { snap_token?: string }).snap_token ?? '';
    };
    const write = async (tenant: string, tuple: string): Promise<string> => await post(`/v1/tenants/${tenant}/data/write`, { tuples: [tuple] });
    try {
      await post('/v1/tenants/create', { id: 'pa', name: 'pa' });
      await post('/v1/tenants/create', { id: 'pb', name: 'pb' });
      const filter = '/v1/watch?tenant=pa&tenant=pb&tenant=pc';
      const first = await openSse(`${ub}${filter}`, auth);
      const w1 = await write('pa', 'document:w1#owner@user:x');
      expect((await first.next((f) => isChange(f) && f.id === w1, 10_000)).id).toBe(w1);
      await first.close();
      // While the client is away, through the other replica: both tenants, a tenant created meanwhile, and one not watched.
      const missed = [
        await write('pb', 'document:w2#owner@user:x'),
        await write('pa', 'document:w3#owner@user:x'),
      ];
      await post('/v1/tenants/create', { id: 'pc', name: 'pc' });
      missed.push(await write('pc', 'document:w4#owner@user:x'));
      const other = await write('t1', 'document:w5#owner@user:x');
      missed.push(await write('pb', 'document:w6#owner@user:x'));
      // At once: replica b's view may not have caught up yet.
      const second = await openSse(`${ub}${filter}`, { ...auth, 'last-event-id': w1 });
      const data: string[] = [];
      for (const token of missed) {
        const frame = await second.next((f) => isChange(f) && JSON.parse(f.data!).kind === 'data' && f.id === token, 10_000);
        data.push(JSON.parse(frame.data!).tenant);
      }
      expect(data).toEqual(['pb', 'pa', 'pc', 'pb']);
      const live = await write('pa', 'document:w7#owner@user:x');
      expect((await second.next((f) => isChange(f) && f.id === live, 10_000)).id).toBe(live);
      await expect(second.next((f) => f.id === other, 200)).rejects.toThrow();
      await second.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
