import { Engine } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

const SCHEMA = `
entity user {}
entity group { relation member @user @group#member }
entity folder {
  relation parent @folder
  relation viewer @user @group#member
  permission view = viewer or parent.view
}
entity document {
  relation folder @folder
  relation owner @user
  relation banned @user
  permission view = (owner or folder.view) not banned
}`;

const id = fc.constantFrom('1', '2', '3', '4');
const user = fc.constantFrom('a', 'b', 'c');
const tuple = fc.oneof(
  fc.tuple(id, user).map(([g, u]) => `group:${g}#member@user:${u}`),
  fc.tuple(id, id).map(([g, h]) => `group:${g}#member@group:${h}#member`),
  fc.tuple(id, id).map(([f, p]) => `folder:${f}#parent@folder:${p}`),
  fc.tuple(id, user).map(([f, u]) => `folder:${f}#viewer@user:${u}`),
  fc.tuple(id, id).map(([f, g]) => `folder:${f}#viewer@group:${g}#member`),
  fc.tuple(id, id).map(([d, f]) => `document:${d}#folder@folder:${f}`),
  fc.tuple(id, user).map(([d, u]) => `document:${d}#owner@user:${u}`),
  fc.tuple(id, user).map(([d, u]) => `document:${d}#banned@user:${u}`),
);

describe('lookupEntity (property)', () => {
  it('returns exactly the entities a check allows, on random (also cyclic) data', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(tuple, { maxLength: 30 }), async (tuples) => {
        const engine = await Engine.create({ schema: SCHEMA, maxDepth: 50 });
        // A tuple whose subject is its own entity#relation is rejected by validation; the rest is written.
        for (const t of tuples) await engine.write({ tenant: 't1', tuples: [t] }).catch(() => undefined);
        for (const type of ['document', 'folder'] as const) {
          for (const u of ['a', 'b', 'c']) {
            const expected: string[] = [];
            for (const i of ['1', '2', '3', '4']) {
              const d = await engine.check({ tenant: 't1', subject: { type: 'user', id: u }, action: 'view', resource: { type, id: i } });
              if (d.allowed) expected.push(i);
            }
            const { ids } = await engine.lookupEntity({ tenant: 't1', entityType: type, permission: 'view', subject: `user:${u}` });
            expect(ids).toEqual(expected);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
