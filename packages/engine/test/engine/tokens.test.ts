import { describe, expect, it } from '@jest/globals';

import { InvalidRequestError } from '@gatehouse/core';
import { Engine } from '@gatehouse/engine';

import { rejection } from './rejection.js';

const SCHEMA = `
entity user {}
entity document {
  relation owner @user
  relation viewer @user
  attribute public boolean
  permission view = owner or viewer or public
}`;

async function engineWithData(): Promise<{ engine: Engine; snapToken: string }> {
  const engine = await Engine.create({ schema: SCHEMA });
  const { snapToken } = await engine.write({
    tenant: 't1',
    tuples: ['document:1#owner@user:alice', 'document:2#viewer@user:alice', 'document:3#viewer@user:alice', 'document:1#viewer@user:bob', 'document:1#viewer@user:carol'],
    attributes: ['document:1$public|boolean:false', 'document:2$public|boolean:false'],
  });
  return { engine, snapToken };
}

const alice = { type: 'user', id: 'alice' };

describe('Engine token validation', () => {
  it.each(['zzz', '1.5', '-1', ' 1', '0x10'])('rejects the malformed snap token %j on every read, naming it and what was expected', async (token) => {
    const { engine } = await engineWithData();
    const calls: Promise<unknown>[] = [
      engine.check({ tenant: 't1', subject: alice, action: 'view', resource: 'document:1', consistency: { atLeastAsFresh: token } }),
      engine.checkMany([{ tenant: 't1', subject: alice, action: 'view', resource: 'document:1', consistency: { atLeastAsFresh: token } }]),
      engine.explain({ tenant: 't1', subject: alice, action: 'view', resource: 'document:1', consistency: { atLeastAsFresh: token } }),
      engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject: alice, snapToken: token }),
      engine.lookupSubject({ tenant: 't1', entity: { type: 'document', id: '1' }, permission: 'view', subjectReference: { type: 'user' }, snapToken: token }),
      engine.subjectPermissions({ tenant: 't1', entity: { type: 'document', id: '1' }, subject: alice, snapToken: token }),
      engine.expand({ tenant: 't1', entity: { type: 'document', id: '1' }, permission: 'view', snapToken: token }),
      engine.readRelationships({ tenant: 't1', snapToken: token }),
      engine.readAttributes({ tenant: 't1', snapToken: token }),
    ];
    for (const call of calls) {
      const err = await rejection(call);
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as Error).message).toContain(`snap token ${JSON.stringify(token)}`);
      expect((err as Error).message).toMatch(/expected .*decimal/);
    }
  });

  it('rejects a snap token ahead of the head of a memory-store engine as a token it never issued', async () => {
    const { engine, snapToken } = await engineWithData();
    const ahead = String(Number(snapToken) + 1);
    const err = await rejection(engine.check({ tenant: 't1', subject: alice, action: 'view', resource: 'document:1', consistency: { atLeastAsFresh: ahead } }));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as Error).message).toContain(`snap token "${ahead}"`);
    expect((err as Error).message).toContain(`its latest is "${snapToken}"`);
    await expect(engine.readRelationships({ tenant: 't1', snapToken: ahead })).rejects.toBeInstanceOf(InvalidRequestError);
    // The head itself and older tokens are fine.
    await expect(engine.check({ tenant: 't1', subject: alice, action: 'view', resource: 'document:1', consistency: { atLeastAsFresh: snapToken } })).resolves.toMatchObject({ allowed: true });
    await expect(engine.readRelationships({ tenant: 't1', snapToken: '1' })).resolves.toMatchObject({ tuples: [] });
  });

  it.each(['garbage!!', '@@@', '1', 'l1.', 'l1.@@', 'l1.AA'] )('rejects the lookup continuousToken %j that it did not issue', async (token) => {
    const { engine } = await engineWithData();
    for (const call of [
      engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject: alice, pageSize: 1, continuousToken: token }),
      engine.lookupSubject({ tenant: 't1', entity: { type: 'document', id: '1' }, permission: 'view', subjectReference: { type: 'user' }, pageSize: 1, continuousToken: token }),
    ]) {
      const err = await rejection(call);
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as Error).message).toContain(`continuousToken ${JSON.stringify(token)}`);
      expect((err as Error).message).toContain('expected the continuousToken of a previous page');
    }
  });

  it('pages lookups with the tokens it issues', async () => {
    const { engine } = await engineWithData();
    const ids: string[] = [];
    let token = '';
    do {
      const page = await engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject: alice, pageSize: 1, continuousToken: token });
      ids.push(...page.ids);
      token = page.continuousToken;
    } while (token !== '');
    expect(ids).toEqual(['1', '2', '3']);
    const first = await engine.lookupSubject({ tenant: 't1', entity: { type: 'document', id: '1' }, permission: 'view', subjectReference: { type: 'user' }, pageSize: 2 });
    expect(first.ids).toEqual(['alice', 'bob']);
    await expect(engine.lookupSubject({ tenant: 't1', entity: { type: 'document', id: '1' }, permission: 'view', subjectReference: { type: 'user' }, pageSize: 2, continuousToken: first.continuousToken })).resolves.toEqual({ ids: ['carol'], continuousToken: '' });
  });

  it.each(['garbage!!', '@@@', 'zzz', '-1'])('rejects the read/list continuousToken %j that it did not issue', async (token) => {
    const { engine } = await engineWithData();
    for (const call of [
      engine.readRelationships({ tenant: 't1', pageSize: 1, continuousToken: token }),
      engine.readAttributes({ tenant: 't1', pageSize: 1, continuousToken: token }),
      engine.listSchemas('t1', { pageSize: 1, continuousToken: token }),
    ]) {
      const err = await rejection(call);
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as Error).message).toContain(`continuousToken ${JSON.stringify(token)}`);
    }
    if (token !== 'zzz') await expect(engine.listTenants({ continuousToken: token })).rejects.toThrow(/continuousToken .*expected/);
  });

  it('pages reads with the tokens it issues', async () => {
    const { engine } = await engineWithData();
    const seen: string[] = [];
    let token = '';
    do {
      const page = await engine.readRelationships({ tenant: 't1', pageSize: 2, continuousToken: token });
      seen.push(...page.tuples.map((t) => `${t.entity.id}#${t.relation}@${t.subject.id}`));
      token = page.continuousToken;
    } while (token !== '');
    expect(seen).toHaveLength(5);
    const a1 = await engine.readAttributes({ tenant: 't1', pageSize: 1 });
    const a2 = await engine.readAttributes({ tenant: 't1', pageSize: 1, continuousToken: a1.continuousToken });
    expect([...a1.attributes, ...a2.attributes].map((a) => a.entity.id)).toEqual(['1', '2']);
  });
});
