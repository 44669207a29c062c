import { Gatehouse } from '@gatehouse/core';
import type { ChangeEvent } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';

const SCHEMA = `
entity user {}
entity tenant {
  relation admin @user
  relation viewer @user
}
entity document {
  relation owner @user
  relation banned @user
  attribute public boolean
  permission edit = owner or tenant.admin
  permission view = edit or public or tenant.viewer
}`;

describe('EmbeddedPdp', () => {
  it('runs the quick start of docs/architecture.md#the-client exactly as written: a delete is seen by the very next check', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    await engine.createTenant('acme');
    const written = await engine.write({
      tenant: 'acme',
      tuples: ['document:1#owner@user:alice', 'tenant:acme#admin@user:bob'],
      attributes: ['document:1$public|boolean:true'],
    });
    expect(written.snapToken).toMatch(/^\d+$/);
    const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
    try {
      expect(await gate.can('alice', 'edit', 'document:1', { tenant: 'acme' })).toBe(true);
      const deleted = await engine.delete({ tenant: 'acme', tuples: ['document:1#owner@user:alice'] });
      expect(BigInt(deleted.snapToken) > BigInt(written.snapToken)).toBe(true);
      expect(await gate.can('alice', 'edit', 'document:1', { tenant: 'acme' })).toBe(false);
      expect(await gate.can('bob', 'edit', 'document:1', { tenant: 'acme' })).toBe(true);
      expect(await gate.can('bob', 'edit', 'document:1')).toBe(false);
    } finally {
      await gate.close();
    }
  });

  it('implements the Pdp calls: check, checkMany, subjectPermissions, lookups, subscribe, compareSnapTokens', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    const pdp = new EmbeddedPdp(engine);
    const events: ChangeEvent[] = [];
    const stop = pdp.subscribe((e) => events.push(e));
    const { snapToken } = await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice', 'tenant:t1#viewer@user:vic'] });
    expect(events).toEqual([{ tenant: 't1', kind: 'data', snapToken }]);
    stop();
    const alice = { type: 'user', id: 'alice' };
    expect(await pdp.check({ tenant: 't1', subject: alice, action: 'edit', resource: { type: 'document', id: '1' } })).toMatchObject({ allowed: true, reason: 'allowed' });
    expect(await pdp.check({ tenant: 't1', subject: alice, action: 'edit', resource: { type: 'document', id: '2' } })).toMatchObject({ allowed: false, reason: 'denied' });
    const many = await pdp.checkMany([
      { tenant: 't1', subject: alice, action: 'edit', resource: { type: 'document', id: '1' } },
      { tenant: 't1', subject: { type: 'user', id: 'vic' }, action: 'view', resource: { type: 'document' } },
      { tenant: 't1', subject: { type: 'user', id: 'vic' }, action: 'edit', resource: { type: 'document' } },
    ]);
    expect(many.map((d) => d.allowed)).toEqual([true, true, false]);
    const perms = await pdp.subjectPermissions({ tenant: 't1', subject: { type: 'user', id: 'vic' }, resource: { type: 'document' } });
    expect(perms.permissions).toMatchObject({ edit: false, view: true });
    expect((await pdp.lookupResources({ tenant: 't1', subject: alice, action: 'edit', resourceType: 'document' })).ids).toEqual(['1']);
    expect((await pdp.lookupSubjects({ tenant: 't1', resource: { type: 'document', id: '1' }, action: 'edit', subjectType: 'user' })).ids).toEqual(['alice']);
    expect(pdp.compareSnapTokens('9', '10')).toBeLessThan(0);
    expect(pdp.compareSnapTokens('10', '10')).toBe(0);
    await pdp.close();
  });

  it('passes resource and subject attributes of a request as contextual attributes of that check', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    const pdp = new EmbeddedPdp(engine);
    const req = { tenant: 't1', subject: { type: 'user', id: 'zoe' }, action: 'view', resource: { type: 'document', id: '5', attributes: { public: true } } };
    expect((await pdp.check(req)).allowed).toBe(true);
    expect((await pdp.check({ ...req, resource: { type: 'document', id: '5' } })).allowed).toBe(false);
  });

  it('makes Gatehouse deny with reason depth_exceeded when the budget runs out', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine), cache: false });
    try {
      const d = await gate.check({ tenant: 't1', subject: 'alice', action: 'view', resource: 'document:1', depth: 1 });
      expect(d).toMatchObject({ allowed: false, reason: 'depth_exceeded' });
    } finally {
      await gate.close();
    }
  });
});
