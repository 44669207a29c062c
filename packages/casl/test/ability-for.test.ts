import { subject } from '@casl/ability';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { abilityFor, rulesFor } from '@gatehouse/casl';
import { InvalidRequestError } from '@gatehouse/core';

import { startFixture } from './fixtures/policy.js';
import type { Fixture } from './fixtures/policy.js';

const doc = (id: string, fields: Record<string, unknown> = {}): Record<string, unknown> =>
  subject('document', { id, ...fields });

describe('abilityFor', () => {
  let f: Fixture;
  let definition: Record<string, unknown>;

  beforeAll(async () => {
    f = await startFixture();
    definition = (await f.engine.readSchema('acme')).definition;
  });
  afterAll(async () => {
    await f.close();
  });

  it('turns an action allowed by type into a rule without conditions, so every instance is allowed', async () => {
    const rules = await rulesFor(f.gate, { tenant: 'acme', subject: 'alice', resources: ['document'] });
    expect(rules).toContainEqual({ action: expect.arrayContaining(['edit', 'view']), subject: 'document' });
    const ability = await abilityFor(f.gate, { tenant: 'acme', subject: 'alice', resources: ['document'] });
    expect(ability.can('edit', doc('1'))).toBe(true);
    expect(ability.can('edit', doc('never-stored'))).toBe(true);
  });

  it('does not allow by type what holds only for some instances (owner is not edit-by-type)', async () => {
    const rules = await rulesFor(f.gate, { tenant: 'acme', subject: 'bob', resources: ['document'] });
    expect(rules.filter((r) => r.conditions === undefined)).toEqual([]);
  });

  it('makes instance rules { id: { $in } } from lookups for a listed type', async () => {
    const rules = await rulesFor(f.gate, { tenant: 'acme', subject: 'bob', resources: ['document'], actions: ['edit'] });
    expect(rules).toEqual([{ action: 'edit', subject: 'document', conditions: { id: { $in: ['1', '3'] } } }]);
    const ability = await abilityFor(f.gate, { tenant: 'acme', subject: 'bob', resources: ['document'] });
    expect(ability.can('edit', doc('1'))).toBe(true);
    expect(ability.can('edit', doc('2'))).toBe(false);
    expect(ability.can('view', doc('2'))).toBe(true);
    expect(ability.can('view', doc('4'))).toBe(true);
    expect(ability.can('delete', doc('1'))).toBe(false);
  });

  it('answers for listed instances from their permissions, and nothing for unlisted ones', async () => {
    const ability = await abilityFor(f.gate, { tenant: 'acme', subject: 'bob', resources: ['document:2', 'document:3'] });
    expect(ability.can('view', doc('2'))).toBe(true);
    expect(ability.can('edit', doc('2'))).toBe(false);
    expect(ability.can('edit', doc('3'))).toBe(true);
    expect(ability.can('edit', doc('1'))).toBe(false);
  });

  it('answers what gate.can answers for every stored document and action', async () => {
    for (const user of ['alice', 'bob', 'mia', 'carol']) {
      const ability = await abilityFor(f.gate, { tenant: 'acme', subject: user, resources: ['document'] });
      for (const id of ['1', '2', '3', '4', '5', '6']) {
        for (const action of ['edit', 'view', 'comment', 'read_open']) {
          const expected = await f.gate.can(user, action, `document:${id}`, { tenant: 'acme' });
          expect([user, action, id, ability.can(action, doc(id))]).toEqual([user, action, id, expected]);
        }
      }
    }
  });

  it('keeps tenants apart: a subject gets nothing from facts of another tenant', async () => {
    const ability = await abilityFor(f.gate, { tenant: 'globex', subject: 'bob', resources: ['document'] });
    expect(ability.can('view', doc('9'))).toBe(true);
    expect(ability.can('edit', doc('1'))).toBe(false);
    expect(ability.can('view', doc('2'))).toBe(false);
  });

  it('translates attribute-only permissions of the schema into Mongo-style conditions on the object fields', async () => {
    const rules = await rulesFor(f.gate, { tenant: 'acme', subject: 'bob', resources: ['document'], schema: definition });
    expect(rules).toContainEqual({
      action: 'comment',
      subject: 'document',
      conditions: { public: true, archived: { $ne: true } },
    });
    expect(rules).toContainEqual({ action: 'view', subject: 'document', conditions: { public: true } });
    // (viewer or public) not banned: banned is a relation, unknown for an unstored object: no condition.
    expect(rules.filter((r) => r.action === 'read_open' && !('id' in (r.conditions ?? {})))).toEqual([]);
    const ability = await abilityFor(f.gate, { tenant: 'acme', subject: 'bob', resources: ['document'], schema: definition });
    expect(ability.can('comment', doc('new', { public: true }))).toBe(true);
    expect(ability.can('comment', doc('new', { public: true, archived: true }))).toBe(false);
    expect(ability.can('comment', doc('new'))).toBe(false);
    expect(ability.can('read_open', doc('new', { public: true }))).toBe(false);
  });

  it('agrees with gate.can given the same fields as contextual attributes', async () => {
    const ability = await abilityFor(f.gate, { tenant: 'acme', subject: 'bob', resources: ['document'], schema: definition });
    for (const fields of [{ public: true }, { public: true, archived: true }, { archived: true }, {}]) {
      const attributes = Object.entries(fields).map(([k, v]) => `document:77$${k}|boolean:${String(v)}`);
      const expected = await f.gate.can('bob', 'comment', 'document:77', { tenant: 'acme', context: { attributes } });
      expect(ability.can('comment', doc('77', fields))).toBe(expected);
    }
  });

  it('uses the configured id field and subject type detection', async () => {
    const ability = await abilityFor(f.gate, {
      tenant: 'acme',
      subject: 'bob',
      resources: ['document'],
      fieldName: '_id',
      detectSubjectType: (o) => String(o.kind),
    });
    expect(ability.can('edit', { kind: 'document', _id: '1' })).toBe(true);
    expect(ability.can('edit', { kind: 'document', _id: '2' })).toBe(false);
    expect(ability.can('edit', { kind: 'document', id: '1' })).toBe(false);
  });

  it('takes a BoundGate (req.gate) and uses its tenant and subject', async () => {
    const ability = await abilityFor(f.gate.bind('acme', 'bob'), { resources: ['document'] });
    expect(ability.can('edit', doc('1'))).toBe(true);
    await expect(abilityFor(f.gate.bind('acme', 'bob'), { tenant: 'globex', resources: ['document'] })).rejects.toThrow(
      InvalidRequestError,
    );
  });

  it('rejects a missing tenant or subject, a bad resource and missing resources with InvalidRequestError', async () => {
    await expect(abilityFor(f.gate, { subject: 'bob', resources: ['document'] })).rejects.toThrow('options.tenant');
    await expect(abilityFor(f.gate, { tenant: 'acme', resources: ['document'] })).rejects.toThrow('options.subject');
    await expect(abilityFor(f.gate, { tenant: 'acme', subject: 'bob', resources: ['doc ument'] })).rejects.toThrow(
      InvalidRequestError,
    );
    await expect(abilityFor(f.gate, { tenant: 'acme', subject: 'bob' })).rejects.toThrow('options.resources');
    await expect(abilityFor(f.gate, { tenant: 'bad tenant!', subject: 'bob', resources: ['document'] })).rejects.toThrow(
      InvalidRequestError,
    );
  });

  it('covers every entity type of the schema when resources are not given', async () => {
    const rules = await rulesFor(f.gate, { tenant: 'acme', subject: 'alice', schema: definition });
    expect(rules.some((r) => r.subject === 'document')).toBe(true);
  });
});
