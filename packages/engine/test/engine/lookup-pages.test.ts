// Lookup continuation tokens: signed, bound to their question, pinned to a snapshot the engine still holds.
import { InvalidRequestError } from '@gatehouse/core';
import { Engine, MemoryStore } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';

import { rejection } from './rejection.js';

const SCHEMA = 'entity user {}\nentity document { relation owner @user permission edit = owner }';

async function filled(options: { store?: MemoryStore; pageTokenKey?: string } = {}): Promise<Engine> {
  const engine = await Engine.create({ schema: SCHEMA, ...options });
  if ((await engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'edit', subject: 'user:alice' })).ids.length === 0) {
    await engine.write({ tenant: 't1', tuples: ['1', '2', '3', '4'].map((d) => `document:${d}#owner@user:alice`) });
  }
  return engine;
}

const request = { tenant: 't1', entityType: 'document', permission: 'edit', subject: 'user:alice', pageSize: 1 } as const;

describe('lookup continuation tokens', () => {
  it('read every page at the snapshot of the first page', async () => {
    const engine = await filled();
    const first = await engine.lookupEntity(request);
    expect(first.ids).toEqual(['1']);
    await engine.write({ tenant: 't1', tuples: ['document:0#owner@user:alice', 'document:25#owner@user:alice'] });
    await engine.delete({ tenant: 't1', tuples: ['document:3#owner@user:alice'] });
    const ids = [...first.ids];
    let token = first.continuousToken;
    while (token !== '') {
      const page = await engine.lookupEntity({ ...request, continuousToken: token });
      ids.push(...page.ids);
      token = page.continuousToken;
    }
    expect(ids).toEqual(['1', '2', '3', '4']);
    expect((await engine.lookupEntity({ ...request, pageSize: 0 })).ids).toEqual(['0', '1', '2', '25', '4']);
  });

  it('refuse a token whose snapshot the store compacted away: start again', async () => {
    const store = new MemoryStore();
    const engine = await filled({ store });
    const first = await engine.lookupEntity(request);
    await engine.delete({ tenant: 't1', tuples: ['document:2#owner@user:alice'] });
    store.compact();
    const err = await rejection(engine.lookupEntity({ ...request, continuousToken: first.continuousToken }));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as Error).message).toMatch(/start again from the first page/);
  });

  it('are accepted by another engine only when it holds the same pageTokenKey', async () => {
    const store = new MemoryStore();
    const key = 'a-shared-secret-of-32-characters';
    const a = await filled({ store, pageTokenKey: key });
    const b = await filled({ store, pageTokenKey: key });
    const c = await filled({ store });
    const first = await a.lookupEntity(request);
    await expect(b.lookupEntity({ ...request, continuousToken: first.continuousToken })).resolves.toMatchObject({ ids: ['2'] });
    await expect(c.lookupEntity({ ...request, continuousToken: first.continuousToken })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('are bound to their question: another subject, permission, scope or page kind refuses them', async () => {
    const engine = await filled();
    const { continuousToken } = await engine.lookupEntity(request);
    for (const other of [{ subject: 'user:bob' }, { permission: 'owner' }, { scope: { document: ['1', '2'] } }, { context: { data: { x: 1 } } }]) {
      await expect(engine.lookupEntity({ ...request, ...other, continuousToken })).rejects.toBeInstanceOf(InvalidRequestError);
    }
    await expect(engine.lookupSubject({ tenant: 't1', entity: { type: 'document', id: '1' }, permission: 'edit', subjectReference: { type: 'user' }, continuousToken })).rejects.toBeInstanceOf(InvalidRequestError);
    // The page size may change between pages.
    await expect(engine.lookupEntity({ ...request, pageSize: 10, continuousToken })).resolves.toEqual({ ids: ['2', '3', '4'], continuousToken: '' });
  });
});
