// One Pdp contract, run against the embedded engine and against RemotePdp talking to the PDP server: the
// same questions must get the same answers. Then a revoke in the server reaches a remote client's cache.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Gatehouse, NotFoundError } from '@gatehouse/core';
import type { CheckRequest, Pdp } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { applySeedData, parseSeedData } from '@gatehouse/pdp-server';
import { fixture, KEY, start } from './fixtures/server/helpers.js';
import type { Running } from './fixtures/server/helpers.js';

interface Harness {
  pdp: Pdp;
  close(): Promise<void>;
}

async function embedded(): Promise<Harness> {
  const engine = await Engine.create({ schema: fixture('docs.perm') });
  await applySeedData(engine, parseSeedData(fixture('docs-data.yaml')));
  const pdp = new EmbeddedPdp(engine);
  return { pdp, close: async () => await engine.close() };
}

async function remote(): Promise<Harness> {
  const s = await start();
  const pdp = new RemotePdp({ url: s.url, apiKey: KEY, timeoutMs: 5000, watch: false });
  return {
    pdp,
    close: async () => {
      await pdp.close();
      await s.server.close();
    },
  };
}

const u = (id: string) => ({ type: 'user', id });
const check = (resource: string, action: string, subject: string, extra: Partial<CheckRequest> = {}): CheckRequest => {
  const [type = '', id] = resource.split(':');
  return { tenant: 't1', subject: u(subject), action, resource: id === undefined ? { type } : { type, id }, ...extra };
};

describe.each([
  ['EmbeddedPdp', embedded],
  ['RemotePdp → PDP server', remote],
])('Pdp contract: %s', (_name, make) => {
  let h: Harness;
  beforeAll(async () => {
    h = await make();
  });
  afterAll(async () => {
    await h.close();
  });

  it('allows and denies through relations, usersets, tuple-to-userset and exclusion', async () => {
    const answers = await Promise.all([
      h.pdp.check(check('document:d1', 'edit', 'alice')),
      h.pdp.check(check('document:d1', 'edit', 'carol')),
      h.pdp.check(check('document:d1', 'view', 'carol')),
      h.pdp.check(check('document:d2', 'view', 'bob')),
      h.pdp.check(check('document:d3', 'view', 'zoe')),
    ]);
    expect(answers.map((d) => d.allowed)).toEqual([true, false, true, false, true]);
    expect(answers.map((d) => d.reason)).toEqual(['allowed', 'denied', 'allowed', 'denied', 'allowed']);
  });

  it('answers type-level checks from tenant roles', async () => {
    expect((await h.pdp.check({ ...check('document', 'edit', 'root'), tenant: 'acme' })).allowed).toBe(true);
    expect((await h.pdp.check({ ...check('document', 'edit', 'zed'), tenant: 'acme' })).allowed).toBe(false);
  });

  it('applies contextual tuples, attributes and data to one check only', async () => {
    expect((await h.pdp.check(check('document:d2', 'view', 'frank', { context: { tuples: ['organization:acme#member@user:frank'] } }))).allowed).toBe(true);
    expect((await h.pdp.check(check('document:d2', 'view', 'frank'))).allowed).toBe(false);
    expect((await h.pdp.check(check('document:d9', 'view', 'x', { context: { attributes: ['document:d9$is_public|boolean:true'] } }))).allowed).toBe(true);
    expect((await h.pdp.check({ ...check('document:d9', 'view', 'x'), resource: { type: 'document', id: 'd9', attributes: { is_public: true } } })).allowed).toBe(true);
    expect((await h.pdp.check(check('document:d1', 'read_secret', 'carol', { context: { data: { level: 5 } } }))).allowed).toBe(true);
    expect((await h.pdp.check(check('document:d1', 'read_secret', 'carol', { context: { data: { level: 1 } } }))).allowed).toBe(false);
  });

  it('checkMany answers in order', async () => {
    const ds = await h.pdp.checkMany([check('document:d1', 'edit', 'dave'), check('document:d2', 'viewer', 'bob'), check('document:d2', 'view', 'bob')]);
    expect(ds.map((d) => d.allowed)).toEqual([true, true, false]);
  });

  it('lists permissions, resources and subjects', async () => {
    const p = await h.pdp.subjectPermissions({ tenant: 't1', subject: u('alice'), resource: { type: 'document', id: 'd1' }, context: { data: { level: 5 } } });
    expect(p.permissions).toEqual(expect.objectContaining({ edit: true, view: true, read_secret: true }));
    const r = await h.pdp.lookupResources({ tenant: 't1', subject: u('carol'), action: 'view', resourceType: 'document' });
    expect([...r.ids].sort()).toEqual(['d1', 'd3']);
    const s = await h.pdp.lookupSubjects({ tenant: 't1', resource: { type: 'document', id: 'd1' }, action: 'view', subjectType: 'user' });
    expect([...s.ids].sort()).toEqual(['alice', 'carol', 'dave']);
  });

  it('rejects an unknown tenant with NotFoundError and a failing rule with an error, never a silent denial', async () => {
    await expect(h.pdp.check({ ...check('document:d1', 'edit', 'alice'), tenant: 'nosuch' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.pdp.check(check('document:d1', 'read_secret', 'carol'))).rejects.toMatchObject({ code: 'GH_ERR_EVALUATION' });
  });
});

describe('Pdp contract: embedded and remote agree on random questions', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    a = await embedded();
    b = await remote();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('gives identical decisions', async () => {
    const people = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'root', 'zed'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('t1', 'acme'),
        fc.constantFrom('document:d1', 'document:d2', 'document:d3', 'document:a1', 'document'),
        fc.constantFrom('edit', 'view', 'owner', 'viewer', 'banned'),
        fc.constantFrom(...people),
        async (tenant, resource, action, subject) => {
          const q = { ...check(resource, action, subject), tenant };
          const [x, y] = await Promise.all([a.pdp.check(q), b.pdp.check(q)]);
          expect(y.allowed).toBe(x.allowed);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('Pdp contract: RemotePdp with the permit protocol agrees with EmbeddedPdp on what Permit can ask', () => {
  let a: Harness;
  let s: Running;
  let permit: RemotePdp;
  beforeAll(async () => {
    a = await embedded();
    s = await start();
    permit = new RemotePdp({ url: s.url, apiKey: KEY, protocol: 'permit', timeoutMs: 5000 });
  });
  afterAll(async () => {
    await permit.close();
    await s.server.close();
    await a.close();
  });

  it('gives identical decisions for users, instance and type-level, in any tenant', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('t1', 'acme'),
        fc.constantFrom('document:d1', 'document:d2', 'document:d3', 'document:a1', 'document'),
        fc.constantFrom('edit', 'view', 'owner', 'viewer'),
        fc.constantFrom('alice', 'bob', 'carol', 'dave', 'erin', 'root', 'zed'),
        async (tenant, resource, action, subject) => {
          const q = { ...check(resource, action, subject), tenant };
          const [x, y] = await Promise.all([a.pdp.check(q), permit.check(q)]);
          expect(y.allowed).toBe(x.allowed);
        },
      ),
      { numRuns: 60 },
    );
    const batch = [check('document:d1', 'edit', 'alice'), check('document:d2', 'view', 'bob'), { ...check('document', 'edit', 'root'), tenant: 'acme' }];
    expect((await permit.checkMany(batch)).map((d) => d.allowed)).toEqual((await a.pdp.checkMany(batch)).map((d) => d.allowed));
  });

  it('reports the same granted permissions, even when a rule needs context Permit cannot send', async () => {
    for (const [tenant, resource, subject] of [['t1', { type: 'document', id: 'd1' }, 'dave'], ['acme', { type: 'document' }, 'root'], ['t1', { type: 'document', id: 'd3' }, 'zoe']] as const) {
      const remote = await permit.subjectPermissions({ tenant, subject: u(subject), resource });
      const local = await a.pdp.subjectPermissions({ tenant, subject: u(subject), resource, context: { data: { level: -1 } } });
      const grantedLocally = Object.entries(local.permissions).filter(([name, ok]) => ok && name !== 'read_secret' && !['owner', 'viewer', 'banned', 'org'].includes(name)).map(([name]) => name).sort();
      expect(Object.keys(remote.permissions).filter((n) => n !== 'read_secret').sort()).toEqual(grantedLocally);
    }
  });
});

describe('RemotePdp cache invalidation through the watch feed', () => {
  let s: Running;
  let pdp: RemotePdp;
  let gate: Gatehouse;
  beforeAll(async () => {
    s = await start();
    pdp = new RemotePdp({ url: s.url, apiKey: KEY, timeoutMs: 5000 });
    gate = new Gatehouse({ pdp, cache: { ttlMs: 600_000 } });
  });
  afterAll(async () => {
    await gate.close();
    await pdp.close();
    await s.server.close();
  });

  it('drops a cached allow once the server revokes it', async () => {
    expect(await gate.can('alice', 'edit', 'document:d1')).toBe(true);
    // Wait until the client's change stream is connected to the server.
    for (let i = 0; i < 100; i++) {
      const m = await s.call('GET', '/metrics');
      if (/gatehouse_watch_streams [1-9]/.test(m.body as string)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await gate.can('alice', 'edit', 'document:d1')).toBe(true);
    expect(gate.peek({ subject: 'alice', action: 'edit', resource: 'document:d1' })?.allowed).toBe(true);
    const del = await s.call('POST', '/v1/tenants/t1/relationships/delete', { filter: { entity: { type: 'organization', ids: ['acme'] }, relation: 'admin', subject: { type: 'user', ids: ['alice'] } } });
    expect(del.status).toBe(200);
    let allowed = true;
    for (let i = 0; i < 100 && allowed; i++) {
      await new Promise((r) => setTimeout(r, 20));
      allowed = gate.peek({ subject: 'alice', action: 'edit', resource: 'document:d1' })?.allowed ?? false;
    }
    expect(allowed).toBe(false);
    expect(await gate.can('alice', 'edit', 'document:d1')).toBe(false);
  });
});
