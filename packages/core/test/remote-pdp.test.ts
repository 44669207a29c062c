import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DepthExceededError, Gatehouse, InvalidRequestError, NotFoundError, PdpProtocolError, PdpUnavailableError } from '@gatehouse/core';
import type { ChangeEvent, CheckRequest } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';

import { PdpHttpServer } from './fixtures/pdp-http-server.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
beforeAll(() => { process.on('unhandledRejection', onUnhandled); });
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const sleep = async (ms: number): Promise<void> => await new Promise((r) => setTimeout(r, ms));

async function eventually(condition: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(10);
  }
}

function req(resource: string, tenant = 't1', subject = 'alice', action = 'read'): CheckRequest {
  const [type = '', id] = resource.split(':');
  return { tenant, subject: { type: 'user', id: subject }, action, resource: id === undefined ? { type } : { type, id } };
}

let server: PdpHttpServer;
const pdps: RemotePdp[] = [];
function remote(options: Partial<ConstructorParameters<typeof RemotePdp>[0]> = {}): RemotePdp {
  const pdp = new RemotePdp({ url: server.url, watch: false, ...options });
  pdps.push(pdp);
  return pdp;
}

beforeEach(async () => {
  server = await new PdpHttpServer().start();
  server.grants.add('t1 user:alice read document:1');
  server.grants.add('t1 user:alice edit document:1');
  server.grants.add('acme user:alice read document:2');
  server.grants.add('acme user:alice read document:3');
  server.grants.add('t1 user:alice read report');
});
afterEach(async () => {
  await Promise.all(pdps.splice(0).map(async (p) => { await p.close(); }));
  await server.stop();
});

describe('RemotePdp (gatehouse protocol)', () => {
  it('checks through POST /v1/tenants/{t}/permissions/check with the Permify-shaped body', async () => {
    const pdp = remote({ apiKey: 'k1' });
    expect(await pdp.check(req('document:1'))).toEqual({ allowed: true, reason: 'allowed', snapToken: '100' });
    expect(await pdp.check(req('document:9'))).toMatchObject({ allowed: false, reason: 'denied' });
    const first = server.seen[0];
    expect(first?.path).toBe('/v1/tenants/t1/permissions/check');
    expect(first?.headers.authorization).toBe('Bearer k1');
    expect(first?.body).toEqual({
      metadata: { snap_token: '', schema_version: '', depth: 20 },
      entity: { type: 'document', id: '1' },
      permission: 'read',
      subject: { type: 'user', id: 'alice', relation: '' },
      context: { tuples: [], attributes: [], data: {} },
    });
  });

  it('sends a type-level resource with an empty id, contextual data in Permify Any form, and the snap token', async () => {
    const pdp = remote();
    expect((await pdp.check(req('report'))).allowed).toBe(true);
    await pdp.check({
      ...req('document:1'),
      depth: 7,
      consistency: { atLeastAsFresh: '42' },
      context: { tuples: ['document:1#viewer@team:eng#member'], attributes: ['document:1$public|boolean:true', 'document:1$tags|string[]:a,b'], data: { ip: '1.2.3.4' } },
    });
    expect(server.seen[0]?.body.entity).toEqual({ type: 'report', id: '' });
    const body = server.seen[1]?.body;
    expect(body.metadata).toEqual({ snap_token: '42', schema_version: '', depth: 7 });
    expect(body.context).toEqual({
      tuples: [{ entity: { type: 'document', id: '1' }, relation: 'viewer', subject: { type: 'team', id: 'eng', relation: 'member' } }],
      attributes: [
        { entity: { type: 'document', id: '1' }, attribute: 'public', value: { '@type': 'type.googleapis.com/base.v1.BooleanValue', data: true } },
        { entity: { type: 'document', id: '1' }, attribute: 'tags', value: { '@type': 'type.googleapis.com/base.v1.StringArrayValue', data: ['a', 'b'] } },
      ],
      data: { ip: '1.2.3.4' },
    });
  });

  it('sends checkMany to bulk-check, at most 100 items per request, answers in order', async () => {
    const pdp = remote();
    const requests = Array.from({ length: 250 }, (_, i) => req(`document:${String(i)}`));
    const decisions = await pdp.checkMany(requests);
    expect(decisions).toHaveLength(250);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(1);
    expect(decisions[1]?.allowed).toBe(true);
    expect(server.count('/bulk-check')).toBe(3);
    expect(Math.max(...server.seen.map((s) => s.body.items.length))).toBe(100);
  });

  it('answers subject permissions and paginated lookups', async () => {
    const pdp = remote();
    expect(await pdp.subjectPermissions({ tenant: 't1', subject: { type: 'user', id: 'alice' }, resource: { type: 'document', id: '1' } }))
      .toEqual({ permissions: { read: true, edit: true } });
    server.grants.add('acme user:alice read document:1');
    expect(await pdp.lookupResources({ tenant: 'acme', subject: { type: 'user', id: 'alice' }, action: 'read', resourceType: 'document' }))
      .toEqual({ ids: ['1', '2', '3'] });
    expect(server.count('/lookup-entity')).toBe(2);
    expect(await pdp.lookupSubjects({ tenant: 't1', resource: { type: 'document', id: '1' }, action: 'read', subjectType: 'user' }))
      .toEqual({ ids: ['alice'] });
  });

  it('turns 400 into InvalidRequestError and 404 into NotFoundError, without retrying', async () => {
    const pdp = remote();
    server.script.push({ kind: 'status', status: 400, body: JSON.stringify({ code: 2, message: 'ERROR_CODE_VALIDATION', details: [] }) });
    await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(InvalidRequestError);
    server.script.push({ kind: 'status', status: 404 });
    await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(NotFoundError);
    expect(server.count()).toBe(2);
  });

  it('maps the server\'s depth and evaluation errors to their classes, and Gatehouse to their reasons', async () => {
    const pdp = remote();
    const gate = new Gatehouse({ pdp });
    const error = (reason: string, message: string): string => JSON.stringify({ code: 3, message, details: [{ reason }] });
    server.script.push({ kind: 'status', status: 400, body: error('GH_ERR_DEPTH_EXCEEDED', 'GH_ERR_DEPTH_EXCEEDED: depth 20 exhausted') });
    await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(DepthExceededError);
    server.script.push({ kind: 'status', status: 400, body: error('GH_ERR_EVALUATION', 'GH_ERR_EVALUATION: no such key: level') });
    expect(await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' })).toEqual({ allowed: false, reason: 'evaluation_error' });
    server.script.push({ kind: 'status', status: 400, body: error('GH_ERR_INVALID_REQUEST', 'the depth must be at least 3') });
    expect(await gate.check({ subject: 'alice', action: 'read', resource: 'document:2' })).toEqual({ allowed: false, reason: 'invalid_request' });
    expect(server.count()).toBe(3);
  });

  it('retries a 5xx with backoff and succeeds when the PDP recovers', async () => {
    const pdp = remote({ retries: 2 });
    server.script.push({ kind: 'status', status: 503 }, { kind: 'status', status: 502 });
    expect((await pdp.check(req('document:1'))).allowed).toBe(true);
    expect(server.count()).toBe(3);
  });

  it('gives up after the retries with PdpUnavailableError, and Gatehouse denies with pdp_unavailable', async () => {
    const pdp = remote({ retries: 1, breaker: false });
    server.always = { kind: 'status', status: 500 };
    await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(PdpUnavailableError);
    expect(server.count()).toBe(2);
    const gate = new Gatehouse({ pdp, timeoutMs: 5000 });
    expect(await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' })).toEqual({ allowed: false, reason: 'pdp_unavailable' });
  });

  it('turns malformed JSON and a wrong shape into PdpProtocolError, never an allow', async () => {
    const pdp = remote();
    server.script.push({ kind: 'raw', body: '{"can": "CHECK_RESULT_ALL' });
    await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(PdpProtocolError);
    server.script.push({ kind: 'raw', body: '{"can": true}' });
    await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(PdpProtocolError);
    server.script.push({ kind: 'raw', body: '{"results": []}' });
    await expect(pdp.checkMany([req('document:1'), req('document:2')])).rejects.toBeInstanceOf(PdpProtocolError);
    expect(server.count()).toBe(3);
    server.always = { kind: 'raw', body: 'yes' };
    const gate = new Gatehouse({ pdp });
    expect(await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' })).toEqual({ allowed: false, reason: 'pdp_unavailable' });
  });

  it('ends a slow call at its deadline with PdpUnavailableError', async () => {
    const pdp = remote({ timeoutMs: 100, retries: 0 });
    server.always = { kind: 'slow', ms: 1000 };
    await expect(pdp.check(req('document:1'))).rejects.toThrow(/within 100 ms/);
    await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(PdpUnavailableError);
    expect(server.count()).toBe(2);
  });

  it('rejects with the caller\'s reason when the caller aborts', async () => {
    const pdp = remote({ timeoutMs: 5000 });
    server.always = { kind: 'slow', ms: 1000 };
    const controller = new AbortController();
    const pending = pdp.check(req('document:1'), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user left')), 30);
    await expect(pending).rejects.toThrow('user left');
  });

  it('turns a refused connection and a hang-up into PdpUnavailableError', async () => {
    const pdp = remote({ retries: 0 });
    server.script.push({ kind: 'hangup' });
    await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(PdpUnavailableError);
    const url = server.url;
    await server.stop();
    const refused = new RemotePdp({ url, watch: false, retries: 1 });
    pdps.push(refused);
    await expect(refused.check(req('document:1'))).rejects.toBeInstanceOf(PdpUnavailableError);
    const gate = new Gatehouse({ pdp: refused });
    expect(await gate.can('alice', 'read', 'document:1')).toBe(false);
    server = await new PdpHttpServer().start();
  });

  it('opens the circuit after consecutive failures, fails fast while open, and half-opens after the delay', async () => {
    const pdp = remote({ retries: 0, breaker: { threshold: 3, halfOpenAfterMs: 150 } });
    server.always = { kind: 'status', status: 500 };
    for (let i = 0; i < 3; i++) await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(PdpUnavailableError);
    expect(pdp.breakerState).toBe('open');
    await expect(pdp.check(req('document:1'))).rejects.toThrow(/circuit breaker is open/);
    expect(server.count()).toBe(3);
    server.always = undefined;
    await sleep(200);
    expect((await pdp.check(req('document:1'))).allowed).toBe(true);
    expect(pdp.breakerState).toBe('closed');
    expect(server.count()).toBe(4);
  });

  it('does not count 4xx answers towards the breaker', async () => {
    const pdp = remote({ retries: 0, breaker: { threshold: 2 } });
    server.always = { kind: 'status', status: 400 };
    for (let i = 0; i < 4; i++) await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(InvalidRequestError);
    expect(pdp.breakerState).toBe('closed');
  });

  it('rejects bad options naming the option', () => {
    expect(() => new RemotePdp({ url: 'not a url' })).toThrow(/options\.url/);
    expect(() => new RemotePdp({ url: 'ftp://x' })).toThrow(/options\.url/);
    expect(() => new RemotePdp({ url: 'http://x', timeoutMs: 0 })).toThrow(/options\.timeoutMs/);
    expect(() => new RemotePdp({ url: 'http://x', protocol: 'grpc' as never })).toThrow(/options\.protocol/);
  });

  it('compares decimal snap tokens as integers', () => {
    const pdp = remote();
    expect(pdp.compareSnapTokens('10', '9')).toBeGreaterThan(0);
    expect(pdp.compareSnapTokens('123456789012345678901', '123456789012345678902')).toBeLessThan(0);
    expect(pdp.compareSnapTokens('abc', '1')).toBeNaN();
  });
});

describe('RemotePdp with Gatehouse', () => {
  it('coalesces 100 concurrent distinct checks into one bulk-check request', async () => {
    const gate = new Gatehouse({ pdp: remote() });
    const answers = await Promise.all(Array.from({ length: 100 }, async (_, i) => await gate.can('alice', 'read', `document:${String(i)}`)));
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(server.count()).toBe(1);
    expect(server.count('/bulk-check')).toBe(1);
  });
});

describe('RemotePdp watch stream', () => {
  it('starts the stream on the first check only, for that tenant, and bumps the cache on each event', async () => {
    const pdp = remote({ watch: true });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    const gate = new Gatehouse({ pdp });
    expect(server.watchers).toHaveLength(0);
    expect(await gate.can('alice', 'read', 'document:2', { tenant: 'acme' })).toBe(true);
    expect(pdp.watchedTenants).toEqual(['acme']);
    await eventually(() => server.watchers.length === 1);
    expect(server.watchers[0]?.tenants).toEqual(['acme']);
    expect(server.seen.find((r) => r.method === 'GET')?.path).toBe('/v1/watch?tenant=acme');
    await eventually(() => events.some((e) => e.kind === 'reset'));
    expect(await gate.can('alice', 'read', 'document:2', { tenant: 'acme' })).toBe(true);
    const checksBefore = server.count('/check');
    server.grants.delete('acme user:alice read document:2');
    const token = server.change('acme');
    await eventually(() => events.some((e) => e.snapToken === token));
    expect(events).toContainEqual({ tenant: 'acme', kind: 'data', snapToken: token });
    expect(await gate.can('alice', 'read', 'document:2', { tenant: 'acme' })).toBe(false);
    expect(server.count('/check')).toBe(checksBefore + 1);
  });

  it('carries several tenants on one stream: a new tenant widens the filter, resuming, and resets only the new tenant', async () => {
    const pdp = remote({ watch: true });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    await pdp.check(req('document:1', 't1'));
    await eventually(() => server.watchers.length === 1 && events.length === 1);
    const token = server.change('t1');
    await eventually(() => events.some((e) => e.snapToken === token));
    await pdp.check(req('document:2', 'acme'));
    await eventually(() => server.watchers.length === 1 && server.watchers[0]?.tenants?.length === 2);
    expect(server.watchers[0]?.tenants).toEqual(['t1', 'acme']);
    expect(server.watchers[0]?.lastEventId).toBe(token);
    await eventually(() => events.length === 3);
    expect(events).toEqual([
      { tenant: 't1', kind: 'reset' },
      { tenant: 't1', kind: 'data', snapToken: token },
      { tenant: 'acme', kind: 'reset' },
    ]);
    const a = server.change('acme');
    const b = server.change('t1');
    server.change('globex');
    await eventually(() => events.length === 5);
    expect(events.slice(3)).toEqual([
      { tenant: 'acme', kind: 'data', snapToken: a },
      { tenant: 't1', kind: 'data', snapToken: b },
    ]);
    expect(pdp.watchedTenants.sort()).toEqual(['acme', 't1']);
  });

  it('reconnects after the stream drops, resumes with Last-Event-ID and resets every tenant it carries', async () => {
    const pdp = remote({ watch: true });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    await pdp.check(req('document:2', 'acme'));
    await pdp.check(req('document:1', 't1'));
    await eventually(() => server.watchers.length === 1 && server.watchers[0]?.tenants?.length === 2);
    const token = server.change('acme');
    await eventually(() => events.some((e) => e.snapToken === token));
    events.length = 0;
    server.dropWatchers();
    await eventually(() => server.watchers.length === 1);
    expect(server.watchers[0]?.lastEventId).toBe(token);
    // A gap for each tenant the moment the stream drops (cached decisions stop being fresh), a reset once it is back.
    await eventually(() => events.length === 4);
    expect(events.slice(0, 2).map((e) => `${e.tenant} ${e.kind}`).sort()).toEqual(['acme gap', 't1 gap']);
    expect(events.slice(2).map((e) => `${e.tenant} ${e.kind}`).sort()).toEqual(['acme reset', 't1 reset']);
  });

  it('keeps retrying a watch endpoint that fails, without affecting checks, and emits reset once it connects', async () => {
    const pdp = remote({ watch: true });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    server.watchStatus = 503;
    expect((await pdp.check(req('document:1'))).allowed).toBe(true);
    const watchGets = (): number => server.seen.filter((s) => s.method === 'GET').length;
    await eventually(() => watchGets() >= 3);
    expect(events).toEqual([]);
    server.watchStatus = undefined;
    await eventually(() => server.watchers.length === 1);
    await eventually(() => events.length === 1);
    expect(events).toEqual([{ tenant: 't1', kind: 'reset' }]);
  });

  it('watches every tenant unfiltered when the filter would not fit a request line, dropping events of tenants not asked about', async () => {
    const pdp = remote({ watch: true });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    const tenants = Array.from({ length: 300 }, (_, i) => `tenant-with-a-long-name-${String(i)}`);
    for (const t of tenants) await pdp.check(req('document:1', t));
    await eventually(() => server.watchers.length === 1 && server.watchers[0]?.tenants === undefined);
    await eventually(() => events.filter((e) => e.kind === 'reset').length === 300);
    server.change('not-watched');
    const token = server.change('tenant-with-a-long-name-7');
    await eventually(() => events.some((e) => e.snapToken === token));
    expect(events.filter((e) => e.kind !== 'reset')).toEqual([{ tenant: 'tenant-with-a-long-name-7', kind: 'data', snapToken: token }]);
    expect(server.watchers).toHaveLength(1);
  });
});

describe('RemotePdp watch stream and unknown tenants', () => {
  it('does not watch a tenant the server does not answer for', async () => {
    const pdp = remote({ watch: true });
    server.script.push({ kind: 'status', status: 404 });
    await expect(pdp.check(req('document:1', 'ghost'))).rejects.toBeInstanceOf(NotFoundError);
    expect(pdp.watchedTenants).toEqual([]);
    expect(server.seen.filter((s) => s.method === 'GET')).toHaveLength(0);
  });
});

describe('RemotePdp idle watch streams', () => {
  it('stops watching a tenant nobody asked about for watchIdleMs, ends its cached decisions, and closes the idle stream', async () => {
    const pdp = remote({ watch: true, watchIdleMs: 100 });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    await pdp.check(req('document:2', 'acme'));
    await eventually(() => server.watchers.length === 1 && events.length === 1);
    await eventually(() => pdp.watchedTenants.length === 0);
    expect(events).toEqual([{ tenant: 'acme', kind: 'reset' }, { tenant: 'acme', kind: 'reset' }]);
    await eventually(() => server.watchers.length === 0);
    await pdp.check(req('document:2', 'acme'));
    expect(pdp.watchedTenants).toEqual(['acme']);
    await eventually(() => server.watchers.length === 1);
  });

  it('resets a tenant asked about again while the stream still carries it, since its events were dropped meanwhile', async () => {
    const pdp = remote({ watch: true, watchIdleMs: 200 });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    await pdp.check(req('document:1', 't1'));
    await pdp.check(req('document:2', 'acme'));
    await eventually(() => server.watchers[0]?.tenants?.length === 2 && events.length === 2);
    // t1 stays in use; acme goes idle.
    while (pdp.watchedTenants.length === 2) {
      await pdp.check(req('document:1', 't1'));
      await sleep(20);
    }
    expect(pdp.watchedTenants).toEqual(['t1']);
    expect(events.filter((e) => e.tenant === 'acme')).toEqual([{ tenant: 'acme', kind: 'reset' }, { tenant: 'acme', kind: 'reset' }]);
    server.change('acme');
    const t1 = server.change('t1');
    await eventually(() => events.some((e) => e.snapToken === t1));
    expect(events.filter((e) => e.tenant === 'acme')).toHaveLength(2);
    await pdp.check(req('document:2', 'acme'));
    expect(events.filter((e) => e.tenant === 'acme')).toEqual([{ tenant: 'acme', kind: 'reset' }, { tenant: 'acme', kind: 'reset' }, { tenant: 'acme', kind: 'reset' }]);
    const acme = server.change('acme');
    await eventually(() => events.some((e) => e.snapToken === acme));
  });
});

describe('RemotePdp (permit protocol)', () => {
  it('checks through /allowed with the tenant in resource.tenant', async () => {
    const pdp = remote({ protocol: 'permit' });
    expect(await pdp.check(req('document:2', 'acme'))).toEqual({ allowed: true, reason: 'allowed' });
    expect(server.seen[0]?.path).toBe('/allowed');
    expect(server.seen[0]?.body).toEqual({ user: { key: 'alice' }, action: 'read', resource: { type: 'document', key: '2', tenant: 'acme' }, context: {} });
    expect((await pdp.check(req('report'))).allowed).toBe(true);
    expect(server.seen[1]?.body.resource).toEqual({ type: 'report', tenant: 't1' });
  });

  it('sends checkMany to /allowed/bulk as a bare array', async () => {
    const pdp = remote({ protocol: 'permit' });
    const ds = await pdp.checkMany([req('document:1'), req('document:2'), req('document:2', 'acme')]);
    expect(ds.map((d) => d.allowed)).toEqual([true, false, true]);
    expect(server.count('/allowed/bulk')).toBe(2);
    expect(Array.isArray(server.seen[0]?.body)).toBe(true);
  });

  it('reads /user-permissions into a permission record', async () => {
    const pdp = remote({ protocol: 'permit' });
    expect(await pdp.subjectPermissions({ tenant: 't1', subject: { type: 'user', id: 'alice' }, resource: { type: 'document', id: '1' } }))
      .toEqual({ permissions: { read: true, edit: true } });
    expect(server.seen[0]?.body).toEqual({ user: { key: 'alice' }, tenants: ['t1'], resources: ['document:1'] });
    expect(await pdp.lookupResources({ tenant: 'acme', subject: { type: 'user', id: 'alice' }, action: 'read', resourceType: 'document' }))
      .toEqual({ ids: ['2', '3'] });
  });

  it('rejects usersets, which the permit protocol cannot express', async () => {
    const pdp = remote({ protocol: 'permit' });
    await expect(pdp.check({ ...req('document:1'), subject: { type: 'team', id: 'eng', relation: 'member' } })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(server.count()).toBe(0);
  });

  it('watches nothing by default: Permit.io PDPs have no change feed', async () => {
    const pdp = new RemotePdp({ url: server.url, protocol: 'permit' });
    pdps.push(pdp);
    await pdp.check(req('document:2', 'acme'));
    await sleep(50);
    expect(pdp.watchedTenants).toEqual([]);
    expect(server.seen.filter((r) => r.method === 'GET')).toEqual([]);
  });

  it('with watch: true streams /v1/watch from a Gatehouse server serving the Permit API, and invalidates the cache', async () => {
    const pdp = remote({ protocol: 'permit', watch: true });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    const gate = new Gatehouse({ pdp });
    expect(await gate.can('alice', 'read', 'document:2', { tenant: 'acme' })).toBe(true);
    expect(pdp.watchedTenants).toEqual(['acme']);
    await eventually(() => server.watchers.length === 1 && events.length === 1);
    expect(server.seen.find((r) => r.method === 'GET')?.path).toBe('/v1/watch?tenant=acme');
    expect(await gate.can('alice', 'read', 'document:2', { tenant: 'acme' })).toBe(true);
    const allowedBefore = server.count('/allowed');
    server.grants.delete('acme user:alice read document:2');
    const token = server.change('acme');
    await eventually(() => events.some((e) => e.snapToken === token));
    expect(await gate.can('alice', 'read', 'document:2', { tenant: 'acme' })).toBe(false);
    expect(server.count('/allowed')).toBe(allowedBefore + 1);
    await gate.close();
  });

  it('turns an answer without a boolean allow into PdpProtocolError', async () => {
    const pdp = remote({ protocol: 'permit' });
    server.script.push({ kind: 'raw', body: '{"allow":"yes"}' });
    await expect(pdp.check(req('document:1'))).rejects.toBeInstanceOf(PdpProtocolError);
  });
});
