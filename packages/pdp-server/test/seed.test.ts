import { describe, expect, it } from '@jest/globals';
import { Engine } from '@gatehouse/engine';
import { applySeedData, parseSeedData } from '../src/seed.js';

const schema = `
entity user {}
entity document {
  relation owner @user
  attribute public boolean
  permission view = owner or public
}`;

describe('seed data (--data)', () => {
  it('loads a seed larger than one write allows, in every tenant it names', async () => {
    const engine = await Engine.create({ schema });
    try {
      const relationships = Array.from({ length: 2500 }, (_, i) => `document:${String(i)}#owner@user:u${String(i)}`);
      const attributes = Array.from({ length: 1200 }, (_, i) => `document:p${String(i)}$public|boolean:true`);
      await applySeedData(engine, { relationships, attributes, tenants: { acme: { relationships: ['document:1#owner@user:ann'] } } });
      expect((await engine.check({ tenant: 't1', subject: { type: 'user', id: 'u2499' }, action: 'view', resource: { type: 'document', id: '2499' } })).allowed).toBe(true);
      expect((await engine.check({ tenant: 't1', subject: { type: 'user', id: 'x' }, action: 'view', resource: { type: 'document', id: 'p1199' } })).allowed).toBe(true);
      expect((await engine.check({ tenant: 'acme', subject: { type: 'user', id: 'ann' }, action: 'view', resource: { type: 'document', id: '1' } })).allowed).toBe(true);
      expect((await engine.check({ tenant: 'acme', subject: { type: 'user', id: 'u1' }, action: 'view', resource: { type: 'document', id: '1' } })).allowed).toBe(false);
    } finally {
      await engine.close();
    }
  });

  it('rejects a data file whose relationships are not a list of strings, naming the key', () => {
    expect(() => parseSeedData('relationships: 3')).toThrow(/relationships must be a list of strings/);
  });
});
