import { readFileSync } from 'node:fs';

import { subject } from '@casl/ability';
import { describe, expect, it } from '@jest/globals';
import { abilityFor } from '@gatehouse/casl';
import { Gatehouse } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import fc from 'fast-check';

// The document policy of the examples (casl-frontend, nestjs-app, express-app).
const schema = readFileSync(new URL('../examples/casl-frontend/policy/schema.perm', import.meta.url), 'utf8');

const USERS = ['u1', 'u2', 'u3'];
const IDS = ['1', '2', '3', '4', '5'];
const ACTIONS = ['view', 'edit', 'share', 'delete', 'create'];

const tuple = fc.oneof(
  fc.tuple(fc.constantFrom(...IDS), fc.constantFrom('owner', 'viewer'), fc.constantFrom(...USERS)).map(
    ([id, relation, user]) => `document:${id}#${relation}@user:${user}`,
  ),
  fc.tuple(fc.constantFrom('admin', 'editor', 'viewer'), fc.constantFrom(...USERS)).map(([role, user]) => `tenant:acme#${role}@user:${user}`),
  // Facts of another tenant must never show up in acme's abilities.
  fc.tuple(fc.constantFrom(...IDS), fc.constantFrom(...USERS)).map(([id, user]) => `other:document:${id}#owner@user:${user}`),
);

const world = fc.record({
  tuples: fc.uniqueArray(tuple, { maxLength: 14 }),
  publicIds: fc.subarray(IDS),
  user: fc.constantFrom(...USERS, 'stranger'),
  // 'document' (type + lookups) or a list of instances.
  resources: fc.oneof(fc.constant(['document']), fc.subarray(IDS, { minLength: 1 }).map((ids) => ids.map((id) => `document:${id}`))),
});

describe('abilityFor over the example document policy (property)', () => {
  it('answers ability.can(action, document) exactly as gate.can for covered resources, and never more for others', async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ tuples, publicIds, user, resources }) => {
        const engine = await Engine.create({ schema });
        await engine.createTenant('acme');
        await engine.createTenant('other');
        const acme = tuples.filter((t) => !t.startsWith('other:'));
        const other = tuples.filter((t) => t.startsWith('other:')).map((t) => t.slice('other:'.length));
        await engine.write({ tenant: 'acme', tuples: acme, attributes: publicIds.map((id) => `document:${id}$public|boolean:true`) });
        if (other.length > 0) await engine.write({ tenant: 'other', tuples: other });
        const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
        try {
          const ability = await abilityFor(gate, { tenant: 'acme', subject: user, resources });
          const covered = resources[0] === 'document' ? [...IDS, '99'] : (resources as readonly string[]).map((r) => r.slice('document:'.length));
          for (const id of [...IDS, '99']) {
            for (const action of ACTIONS) {
              const expected = await gate.can(user, action, `document:${id}`, { tenant: 'acme' });
              const actual = ability.can(action, subject('document', { id }));
              if (covered.includes(id)) expect({ id, action, allowed: actual }).toEqual({ id, action, allowed: expected });
              else if (actual) expect({ id, action, allowed: expected }).toEqual({ id, action, allowed: true });
            }
          }
        } finally {
          await gate.close();
          await engine.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
