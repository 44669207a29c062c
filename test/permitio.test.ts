// The real permitio SDK (node) against the Gatehouse PDP server: check, bulkCheck, checkAllTenants and
// getUserPermissions over a multi-tenant RBAC policy with several roles per user and per tenant.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Permit } from 'permitio';
import { fixture, KEY, start } from './fixtures/server/helpers.js';
import type { Running } from './fixtures/server/helpers.js';
import { parseSeedData } from '@gatehouse/pdp-server';

describe('permitio SDK against the PDP server', () => {
  let s: Running;
  let permit: Permit;

  beforeAll(async () => {
    s = await start({ schema: fixture('rbac.perm'), data: parseSeedData(fixture('rbac-data.yaml')) });
    permit = new Permit({ pdp: s.url, token: KEY, log: { level: 'error' } });
  });
  afterAll(async () => {
    await s.server.close();
  });

  it('check: roles in the named tenant decide; "default" (or no tenant) is the default tenant', async () => {
    // alice: admin in acme, viewer+editor in globex, viewer in the default tenant.
    expect(await permit.check('alice', 'delete', { type: 'document', tenant: 'acme' })).toBe(true);
    expect(await permit.check('alice', 'delete', { type: 'document', tenant: 'globex' })).toBe(false);
    expect(await permit.check('alice', 'write', { type: 'document', tenant: 'globex' })).toBe(true);
    expect(await permit.check('alice', 'read', 'document')).toBe(true);
    expect(await permit.check('alice', 'write', 'document')).toBe(false);
    expect(await permit.check({ key: 'bob', attributes: { dept: 'eng' } }, 'delete', { type: 'document', tenant: 'default' })).toBe(true);
    // an instance role in one tenant only
    expect(await permit.check('dave', 'write', { type: 'document', key: 'plan', tenant: 'acme' })).toBe(true);
    expect(await permit.check('dave', 'write', { type: 'document', key: 'plan', tenant: 'globex' })).toBe(false);
    // unknown tenant or action: a denial, not an error
    expect(await permit.check('alice', 'read', { type: 'document', tenant: 'nosuch' })).toBe(false);
    expect(await permit.check('alice', 'fly', { type: 'document', tenant: 'acme' })).toBe(false);
  });

  it('bulkCheck answers in order', async () => {
    const answers = await permit.bulkCheck([
      { user: 'bob', action: 'write', resource: { type: 'document', tenant: 'acme' } },
      { user: 'bob', action: 'delete', resource: { type: 'document', tenant: 'acme' } },
      { user: 'bob', action: 'pay', resource: { type: 'invoice', key: 'inv1', tenant: 'globex' } },
      { user: 'carol', action: 'pay', resource: { type: 'invoice', tenant: 'globex' } },
      { user: 'carol', action: 'read', resource: 'invoice' },
    ]);
    expect(answers).toEqual([true, false, true, true, false]);
  });

  it('checkAllTenants lists exactly the tenants where the check is allowed', async () => {
    const read = await permit.checkAllTenants('alice', 'read', 'document');
    expect(read.map((t) => t.key).sort()).toEqual(['acme', 'default', 'globex']);
    const del = await permit.checkAllTenants('alice', 'delete', 'document');
    expect(del.map((t) => t.key)).toEqual(['acme']);
    const pay = await permit.checkAllTenants({ key: 'carol' }, 'pay', { type: 'invoice' });
    expect(pay.map((t) => t.key)).toEqual(['globex']);
    expect(await permit.checkAllTenants('nobody', 'read', 'document')).toEqual([]);
  });

  it('getUserPermissions reports tenant permissions and roles, and instance permissions', async () => {
    const all = await permit.getUserPermissions('bob');
    // globex: bob holds no tenant role there, only the payer relation on one invoice.
    expect(Object.keys(all).sort()).toEqual(['__tenant:acme', '__tenant:default', 'invoice:inv1']);
    const acme = all['__tenant:acme'] as any;
    expect(acme.tenant).toEqual({ key: 'acme', attributes: {} });
    expect([...acme.roles].sort()).toEqual(['editor', 'viewer']);
    expect([...acme.permissions].sort()).toEqual(['document:read', 'document:write', 'invoice:read']);
    const dflt = all['__tenant:default'] as any;
    expect(dflt.roles).toEqual(['admin']);
    expect([...dflt.permissions].sort()).toEqual(['document:delete', 'document:read', 'document:write', 'invoice:pay', 'invoice:read']);
    const inv = all['invoice:inv1'] as any;
    expect(inv.roles).toEqual(['payer']);
    expect([...inv.permissions].sort()).toEqual(['invoice:pay', 'invoice:read']);
    expect((inv).tenant).toBe('globex');

    const filtered = await permit.getUserPermissions('alice', ['globex'], undefined, ['document']);
    expect(Object.keys(filtered)).toEqual(['__tenant:globex']);
    expect([...(filtered['__tenant:globex'] as any).permissions].sort()).toEqual(['document:read', 'document:write']);
    expect([...(filtered['__tenant:globex'] as any).roles].sort()).toEqual(['editor', 'viewer']);
  });

  it('a wrong token makes the SDK throw (and return false with throwOnError: false)', async () => {
    const bad = new Permit({ pdp: s.url, token: 'wrong', log: { level: 'fatal' } });
    await expect(bad.check('alice', 'read', 'document')).rejects.toThrow();
    expect(await bad.check('alice', 'read', 'document', {}, { throwOnError: false } as any)).toBe(false);
  });
});
