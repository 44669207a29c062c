// Gatehouse over the embedded engine: decisions cached, and ended at once by writes, deletes and schema changes
// (the embedded PDP's change listeners run before write/delete resolve).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Gatehouse } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';

const SCHEMA = `entity user {}
entity tenant {
  relation admin @user
}
entity document {
  relation owner @user
  permission edit = owner or tenant.admin
}`;

describe('Gatehouse with EmbeddedPdp', () => {
  let engine: Engine;
  let gate: Gatehouse;
  beforeEach(async () => {
    engine = await Engine.create({ schema: SCHEMA });
    await engine.createTenant('acme');
    await engine.createTenant('globex');
    gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
  });
  afterEach(async () => {
    await gate.close();
    await engine.close();
  });

  it('serves repeated checks from the cache and sees a write or delete at once', async () => {
    expect(await gate.can('alice', 'edit', 'document:1', { tenant: 'acme' })).toBe(false);
    await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'] });
    expect(await gate.can('alice', 'edit', 'document:1', { tenant: 'acme' })).toBe(true);
    expect((await gate.check({ tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:1' })).cached).toBe(true);
    await engine.delete({ tenant: 'acme', tuples: ['document:1#owner@user:alice'] });
    expect(await gate.can('alice', 'edit', 'document:1', { tenant: 'acme' })).toBe(false);
  });

  it('keeps other tenants\' decisions when one tenant changes', async () => {
    await engine.write({ tenant: 'globex', tuples: ['document:1#owner@user:alice'] });
    expect(await gate.can('alice', 'edit', 'document:1', { tenant: 'globex' })).toBe(true);
    await engine.write({ tenant: 'acme', tuples: ['tenant:acme#admin@user:bob'] });
    expect((await gate.check({ tenant: 'globex', subject: 'alice', action: 'edit', resource: 'document:1' })).cached).toBe(true);
    expect(await gate.can('bob', 'edit', 'document', { tenant: 'acme' })).toBe(true);
    expect(await gate.can('bob', 'edit', 'document', { tenant: 'globex' })).toBe(false);
  });

  it('serves atLeastAsFresh from the cache only when the entry is as fresh as the token', async () => {
    const { snapToken } = await engine.write({ tenant: 'acme', tuples: ['document:2#owner@user:alice'] });
    const first = await gate.check({ tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:2', consistency: { atLeastAsFresh: snapToken } });
    expect(first).toMatchObject({ allowed: true, cached: false });
    const again = await gate.check({ tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:2', consistency: { atLeastAsFresh: snapToken } });
    expect(again.cached).toBe(true);
  });

  it('ends the decisions of tenants that inherit the default schema when it changes', async () => {
    await engine.write({ tenant: 'acme', tuples: ['document:3#owner@user:alice'] });
    expect(await gate.can('alice', 'edit', 'document:3', { tenant: 'acme' })).toBe(true);
    await engine.writeSchema('t1', SCHEMA.replace('permission edit = owner or tenant.admin', 'permission edit = tenant.admin'));
    expect(await gate.can('alice', 'edit', 'document:3', { tenant: 'acme' })).toBe(false);
  });
});
