// Gatehouse + RemotePdp against the real PDP server (@gatehouse/pdp-server) on 127.0.0.1:0: the client's wire
// shapes, the watch stream invalidating the client cache, and both protocols, end to end.
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
