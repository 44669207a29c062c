import { describe, expect, it } from '@jest/globals';

import { EvaluationError, Gatehouse, InvalidRequestError, NotFoundError } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';

const SCHEMA = `
entity user {}
entity document {
  relation owner @user
  attribute limit integer
  permission edit = owner
  permission view = owner or public_now(limit)
  permission approve = owner and within(limit)
}
rule public_now(limit integer) {
  context.data.public == true
}
rule within(limit integer) {
  context.data.amount <= limit
}`;

async function setup(): Promise<Engine> {
  const engine = await Engine.create({ schema: SCHEMA });
  await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'], attributes: ['document:1$limit|integer:100'] });
  return engine;
}

const alice = { type: 'user', id: 'alice' };

describe('Engine.subjectPermissions', () => {
  it('answers every other permission when one rule reads a missing context.data key, that one false with its error', async () => {
    const engine = await setup();
    const res = await engine.subjectPermissions({ tenant: 't1', entity: { type: 'document', id: '1' }, subject: alice, context: { data: { public: false } }, onError: 'deny' });
    expect(res.permissions).toEqual({ owner: true, edit: true, view: true, approve: false });
    expect(Object.keys(res.errors ?? {})).toEqual(['approve']);
    expect(res.errors?.approve).toMatch(/within.*amount|amount/);
  });

  it('reports no errors when every permission evaluates', async () => {
    const engine = await setup();
    const res = await engine.subjectPermissions({ tenant: 't1', entity: { type: 'document', id: '1' }, subject: alice, context: { data: { public: false, amount: 50 } }, onError: 'deny' });
    expect(res).toEqual({ permissions: { owner: true, edit: true, view: true, approve: true } });
  });

  it('fails each permission closed on its own for a subject without the short-circuiting owner', async () => {
    const engine = await setup();
    const res = await engine.subjectPermissions({ tenant: 't1', entity: { type: 'document', id: '1' }, subject: { type: 'user', id: 'bob' }, onlyPermission: true, onError: 'deny' });
    // view reads context.data.public, approve never reaches its rule (owner is false first).
    expect(res.permissions).toEqual({ edit: false, view: false, approve: false });
    expect(Object.keys(res.errors ?? {})).toEqual(['view']);
  });

  it('rejects the whole call with the EvaluationError by default, as in Permify', async () => {
    const engine = await setup();
    await expect(engine.subjectPermissions({ tenant: 't1', entity: { type: 'document', id: '1' }, subject: alice, context: { data: { public: false } } })).rejects.toBeInstanceOf(EvaluationError);
  });

  it('keeps typed errors for request-level problems', async () => {
    const engine = await setup();
    await expect(engine.subjectPermissions({ tenant: 'nope', entity: { type: 'document', id: '1' }, subject: alice, onError: 'deny' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(engine.subjectPermissions({ tenant: 't1', entity: { type: 'folder', id: '1' }, subject: alice, onError: 'deny' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(engine.subjectPermissions({ tenant: 't1', entity: { type: 'document', id: 'a b' }, subject: alice, onError: 'deny' })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('lets a Gatehouse client (EmbeddedPdp) get the permissions that evaluate, the failed one denied', async () => {
    const engine = await setup();
    const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
    try {
      const permissions = await gate.permissions({ tenant: 't1', subject: 'alice', resource: 'document:1', context: { data: { public: false } } });
      expect(permissions).toMatchObject({ edit: true, view: true, approve: false });
    } finally {
      await gate.close();
    }
  });
});
