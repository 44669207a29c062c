// Gatehouse + RemotePdp against the real PDP server (@gatehouse/pdp-server) on 127.0.0.1:0: the client's wire
// shapes, the watch stream invalidating the client cache, and both protocols, end to end.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Gatehouse, InvalidRequestError } from '@gatehouse/core';
import type { ChangeEvent } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';

import { KEY, start } from './fixtures/server/helpers.js';
import type { Running } from './fixtures/server/helpers.js';

async function eventually(condition: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Gatehouse with RemotePdp against the PDP server', () => {
  let s: Running;
  let pdp: RemotePdp;
  let gate: Gatehouse;
  beforeAll(async () => {
    s = await start({ heartbeatMs: 200 });
    pdp = new RemotePdp({ url: s.url, apiKey: KEY, timeoutMs: 5000 });
    gate = new Gatehouse({ pdp, timeoutMs: 5000, throwOnError: true });
  });
  afterAll(async () => {
    await gate.close();
    await pdp.close();
    await s.server.close();
  });

  it('answers relation, userset, tenant-role and type-level checks like the engine', async () => {
    expect(await gate.can('alice', 'edit', 'document:d1')).toBe(true);
    expect(await gate.can('dave', 'edit', 'document:d1')).toBe(true);
    expect(await gate.can('carol', 'view', 'document:d1')).toBe(true);
    expect(await gate.can('bob', 'view', 'document:d2')).toBe(false);
    expect(await gate.can('root', 'edit', 'document', { tenant: 'acme' })).toBe(true);
    expect(await gate.can('zed', 'edit', 'document', { tenant: 'acme' })).toBe(false);
    expect(await gate.can('zed', 'edit', 'document:a1', { tenant: 'acme' })).toBe(true);
    expect(await gate.can('zed', 'edit', 'document:a1')).toBe(false);
  });

  it('sends context data to rules', async () => {
    expect(await gate.can('dave', 'read_secret', 'document:d1', { context: { data: { level: 5 } } })).toBe(true);
    expect(await gate.can('dave', 'read_secret', 'document:d1', { context: { data: { level: 1 } } })).toBe(false);
  });

  it('answers many concurrent checks through bulk-check in input order', async () => {
    const inputs = Array.from({ length: 150 }, (_, i) => ({ subject: i % 2 === 0 ? 'alice' : 'bob', action: 'edit', resource: `document:${i % 3 === 0 ? 'd1' : `x${String(i)}`}` }));
    const decisions = await gate.checkMany(inputs);
    decisions.forEach((d, i) => {
      expect(d.allowed).toBe(i % 2 === 0 && i % 3 === 0);
    });
  });

  it('reads permissions and lookups', async () => {
    expect(await gate.permissions({ subject: 'dave', resource: 'document:d1', context: { data: { level: 1 } } })).toMatchObject({ edit: true, view: true, read_secret: false });
    expect(await gate.lookupResources({ subject: 'dave', action: 'edit', resourceType: 'document' })).toEqual(['d1']);
  });

  it('invalidates its cache from the watch stream when data changes on the server', async () => {
    expect((await s.call('POST', '/v1/tenants/create', { id: 'beta', name: 'Beta' })).status).toBe(200);
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    expect(await gate.can('zed', 'view', 'document:a9', { tenant: 'beta' })).toBe(false);
    expect(pdp.watchedTenants).toContain('beta');
    await eventually(() => events.some((e) => e.tenant === 'beta' && e.kind === 'reset'));
    // The reset on connect ended the decision made before the stream was live; this one is made under the stream.
    expect((await gate.check({ tenant: 'beta', subject: 'zed', action: 'view', resource: 'document:a9' })).cached).toBe(false);
    expect((await gate.check({ tenant: 'beta', subject: 'zed', action: 'view', resource: 'document:a9' })).cached).toBe(true);
    const w = await s.call('POST', '/v1/tenants/beta/data/write', { tuples: ['document:a9#viewer@user:zed'] });
    expect(w.status).toBe(200);
    await eventually(async () => await gate.can('zed', 'view', 'document:a9', { tenant: 'beta' }));
    expect(events.some((e) => e.snapToken === w.body.snap_token)).toBe(true);
  });

  it('rejects a wrong API key as InvalidRequestError (throwOnError), or denies with invalid_request', async () => {
    const bad = new RemotePdp({ url: s.url, apiKey: 'wrong', watch: false });
    await expect(new Gatehouse({ pdp: bad, throwOnError: true }).can('alice', 'edit', 'document:d1')).rejects.toBeInstanceOf(InvalidRequestError);
    expect(await new Gatehouse({ pdp: bad }).check({ subject: 'alice', action: 'edit', resource: 'document:d1' })).toEqual({ allowed: false, reason: 'invalid_request' });
    await bad.close();
  });

  it('with the permit protocol and watch: true, invalidates its cache from the same server\'s /v1/watch', async () => {
    expect((await s.call('POST', '/v1/tenants/create', { id: 'gamma', name: 'Gamma' })).status).toBe(200);
    const permit = new RemotePdp({ url: s.url, apiKey: KEY, protocol: 'permit', watch: true });
    const events: ChangeEvent[] = [];
    permit.subscribe((e) => events.push(e));
    const g = new Gatehouse({ pdp: permit, timeoutMs: 5000, throwOnError: true });
    expect(await g.can('zed', 'view', 'document:g1', { tenant: 'gamma' })).toBe(false);
    expect(permit.watchedTenants).toEqual(['gamma']);
    await eventually(() => events.some((e) => e.tenant === 'gamma' && e.kind === 'reset'));
    expect(await g.can('zed', 'view', 'document:g1', { tenant: 'gamma' })).toBe(false);
    expect((await g.check({ tenant: 'gamma', subject: 'zed', action: 'view', resource: 'document:g1' })).cached).toBe(true);
    const w = await s.call('POST', '/v1/tenants/gamma/data/write', { tuples: ['document:g1#viewer@user:zed'] });
    expect(w.status).toBe(200);
    await eventually(() => events.some((e) => e.snapToken === w.body.snap_token));
    expect(await g.can('zed', 'view', 'document:g1', { tenant: 'gamma' })).toBe(true);
    await g.close();
    await permit.close();
  });

  it('speaks the permit protocol to the same server', async () => {
    const permit = new RemotePdp({ url: s.url, apiKey: KEY, protocol: 'permit' });
    const g = new Gatehouse({ pdp: permit, throwOnError: true });
    expect(await g.can('zed', 'edit', 'document:a1', { tenant: 'acme' })).toBe(true);
    expect(await g.can('zed', 'edit', 'document:a1')).toBe(false);
    const many = await g.checkMany([
      { tenant: 'acme', subject: 'root', action: 'edit', resource: 'document:a1' },
      { tenant: 'acme', subject: 'nobody', action: 'edit', resource: 'document:a1' },
    ]);
    expect(many.map((d) => d.allowed)).toEqual([true, false]);
    await g.close();
    await permit.close();
  });
});

/**
 * A TCP proxy in front of the server that tells the watch stream's connection (its first bytes are
 * `GET …/v1/watch`) from the call pool's, can cut the stream's connections and refuse new ones.
 */
class WatchProxy {
  public readonly calls = new Set<Socket>();
  public readonly watches = new Set<Socket>();
  public callConnections = 0;
  public refuseWatch = false;
  readonly #server: Server;
  readonly #all = new Set<Socket>();
  #url = '';

  public constructor(private readonly target: URL) {
    this.#server = createServer((client) => {
      this.#all.add(client);
      client.once('data', (first: Buffer) => {
        const watch = first.toString('latin1').startsWith('GET /v1/watch');
        if (watch && this.refuseWatch) {
          client.destroy();
          return;
        }
        const upstream = connect(Number(this.target.port), this.target.hostname);
        this.#all.add(upstream);
        (watch ? this.watches : this.calls).add(client);
        if (!watch) this.callConnections++;
        upstream.write(first);
        client.pipe(upstream).pipe(client);
        const end = (): void => {
          client.destroy();
          upstream.destroy();
          this.watches.delete(client);
          this.calls.delete(client);
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      client.on('error', () => client.destroy());
      client.on('close', () => this.#all.delete(client));
    });
  }

  public get url(): string {
    return this.#url;
  }

  public async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${String((this.#server.address() as AddressInfo).port)}`;
    return this;
  }

  /** Cuts every open watch connection. */
  public dropWatches(): void {
    for (const socket of this.watches) socket.destroy();
  }

  public async stop(): Promise<void> {
    for (const socket of this.#all) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

async function openStreams(s: Running): Promise<number> {
  const m = await s.call('GET', '/metrics');
  return Number(/^gatehouse_watch_streams (\d+)$/m.exec(m.body as string)?.[1] ?? 'NaN');
}

describe('RemotePdp: one watch stream for every tenant, against the PDP server', () => {
  const SCOPED = 'scoped-key-0123456789';
  let s: Running;
  let proxy: WatchProxy;
  beforeAll(async () => {
    s = await start({ heartbeatMs: 200, apiKeys: [KEY, { key: SCOPED, tenants: ['acme', 'gamma'] }] });
    for (const id of ['gamma', 'delta']) expect((await s.call('POST', '/v1/tenants/create', { id, name: id })).status).toBe(200);
    proxy = await new WatchProxy(new URL(s.url)).start();
  });
  afterAll(async () => {
    await proxy.stop();
    await s.server.close();
  });

  async function write(tenant: string, tuple: string): Promise<string> {
    const w = await s.call('POST', `/v1/tenants/${tenant}/data/write`, { tuples: [tuple] });
    expect(w.status).toBe(200);
    return w.body.snap_token as string;
  }

  it('carries the invalidations of several tenants on one stream', async () => {
    const pdp = new RemotePdp({ url: s.url, apiKey: KEY, timeoutMs: 5000 });
    const gate = new Gatehouse({ pdp, timeoutMs: 5000, throwOnError: true, cache: { ttlMs: 600_000 } });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    const tenants = ['t1', 'acme', 'gamma', 'delta'];
    for (const tenant of tenants) expect(await gate.can('ann', 'edit', 'document:multi', { tenant })).toBe(false);
    await eventually(() => tenants.every((t) => events.some((e) => e.tenant === t && e.kind === 'reset')));
    await eventually(async () => (await openStreams(s)) === 1);
    for (const tenant of tenants) {
      expect(await gate.can('ann', 'edit', 'document:multi', { tenant })).toBe(false);
      expect(gate.peek({ tenant, subject: 'ann', action: 'edit', resource: 'document:multi' })?.allowed).toBe(false);
    }
    const tokens = new Map<string, string>();
    for (const tenant of tenants) tokens.set(tenant, await write(tenant, 'document:multi#owner@user:ann'));
    for (const tenant of tenants) {
      await eventually(() => events.some((e) => e.tenant === tenant && e.kind === 'data' && e.snapToken === tokens.get(tenant)));
      expect(gate.peek({ tenant, subject: 'ann', action: 'edit', resource: 'document:multi' })).toBeUndefined();
      expect(await gate.can('ann', 'edit', 'document:multi', { tenant })).toBe(true);
    }
    expect(await openStreams(s)).toBe(1);
    expect(pdp.watchedTenants.sort()).toEqual([...tenants].sort());
    await gate.close();
    await pdp.close();
    await eventually(async () => (await openStreams(s)) === 0);
  });

  it('with a tenant-scoped key receives only its tenants’ events, and never watches a tenant the key may not use', async () => {
    const pdp = new RemotePdp({ url: s.url, apiKey: SCOPED, timeoutMs: 5000 });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    const gate = new Gatehouse({ pdp, timeoutMs: 5000, throwOnError: true });
    expect(await gate.can('ann', 'view', 'document:scoped', { tenant: 'acme' })).toBe(false);
    expect(await gate.can('ann', 'view', 'document:scoped', { tenant: 'gamma' })).toBe(false);
    await expect(gate.can('ann', 'view', 'document:scoped', { tenant: 'delta' })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(pdp.watchedTenants.sort()).toEqual(['acme', 'gamma']);
    await eventually(() => events.filter((e) => e.kind === 'reset').length === 2);
    await write('delta', 'document:scoped#viewer@user:ann');
    await write('t1', 'document:scoped#viewer@user:ann');
    const mine = await write('gamma', 'document:scoped#viewer@user:ann');
    await eventually(() => events.some((e) => e.snapToken === mine));
    expect(events.filter((e) => e.kind !== 'reset')).toEqual([{ tenant: 'gamma', kind: 'data', snapToken: mine }]);
    const foreign = await fetch(`${s.url}/v1/watch?tenant=acme&tenant=delta`, { headers: { authorization: `Bearer ${SCOPED}` } });
    expect(foreign.status).toBe(403);
    await foreign.body?.cancel();
    await gate.close();
    await pdp.close();
  });

  it('loses no event of any tenant when the stream drops: it resumes from the last event id', async () => {
    const pdp = new RemotePdp({ url: proxy.url, apiKey: KEY, timeoutMs: 5000 });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    await pdp.check({ tenant: 'acme', subject: { type: 'user', id: 'ann' }, action: 'view', resource: { type: 'document', id: 'r' } });
    await pdp.check({ tenant: 'gamma', subject: { type: 'user', id: 'ann' }, action: 'view', resource: { type: 'document', id: 'r' } });
    await eventually(() => proxy.watches.size === 1 && events.filter((e) => e.kind === 'reset').length === 2);
    const before = await write('acme', 'document:r0#viewer@user:ann');
    await eventually(() => events.some((e) => e.snapToken === before));
    proxy.refuseWatch = true;
    proxy.dropWatches();
    // Written while nobody listens, across both tenants (and one the client does not watch).
    const missed = [
      await write('gamma', 'document:r1#viewer@user:ann'),
      await write('delta', 'document:r2#viewer@user:ann'),
      await write('acme', 'document:r3#viewer@user:ann'),
      await write('gamma', 'document:r4#viewer@user:ann'),
    ];
    proxy.refuseWatch = false;
    await eventually(() => proxy.watches.size === 1);
    const expected = [missed[0], missed[2], missed[3]];
    await eventually(() => expected.every((t) => events.some((e) => e.snapToken === t)));
    const after = events.slice(events.findIndex((e) => e.snapToken === before) + 1).filter((e) => e.kind === 'data');
    expect(after.map((e) => [e.tenant, e.snapToken])).toEqual([['gamma', missed[0]], ['acme', missed[2]], ['gamma', missed[3]]]);
    // The reconnect also reset both tenants, since a resume cannot prove nothing was missed.
    expect(events.filter((e) => e.kind === 'reset').map((e) => e.tenant).sort()).toEqual(['acme', 'acme', 'gamma', 'gamma']);
    await pdp.close();
  });

  it('never holds a call connection: calls keep flowing with connections: 1 while the stream is open', async () => {
    const callsBefore = proxy.callConnections;
    const pdp = new RemotePdp({ url: proxy.url, apiKey: KEY, timeoutMs: 5000, connections: 1 });
    const events: ChangeEvent[] = [];
    pdp.subscribe((e) => events.push(e));
    const gate = new Gatehouse({ pdp, timeoutMs: 5000, throwOnError: true, cache: false });
    expect(await gate.can('zed', 'edit', 'document:a1', { tenant: 'acme' })).toBe(true);
    await eventually(() => proxy.watches.size === 1);
    const answers = await Promise.all(Array.from({ length: 50 }, async (_, i) => await gate.can('zed', 'edit', i % 2 === 0 ? 'document:a1' : `document:b${String(i)}`, { tenant: 'acme' })));
    expect(answers.filter(Boolean)).toHaveLength(25);
    for (let i = 0; i < 10; i++) expect(await gate.can('alice', 'edit', 'document:d1')).toBe(true);
    // The default tenant was not watched yet: the stream re-aims (one reconnect, which resets the default tenant).
    await eventually(() => proxy.watches.size === 1 && events.some((e) => e.kind === 'reset' && e.tenant === gate.defaultTenant));
    expect(proxy.callConnections - callsBefore).toBe(1);
    await gate.close();
    await pdp.close();
  });
});
