import { Engine } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

const SCHEMA = `
entity user {}
entity tenant { relation admin @user }
entity group { relation member @user @group#member }
entity document {
  relation owner @user
  relation viewer @user @group#member
  attribute public boolean
  permission view = owner or viewer or public or tenant.admin
}`;

const TENANTS = ['t1', 'acme', 'globex', 'initech'];
const ids = fc.constantFrom('1', '2', '3');
const users = fc.constantFrom('alice', 'bob', 'carol');
const op = fc.oneof(
  fc.record({ kind: fc.constant('owner' as const), tenant: fc.constantFrom(...TENANTS), doc: ids, user: users }),
  fc.record({ kind: fc.constant('group' as const), tenant: fc.constantFrom(...TENANTS), doc: ids, group: ids, user: users }),
  fc.record({ kind: fc.constant('public' as const), tenant: fc.constantFrom(...TENANTS), doc: ids }),
  fc.record({ kind: fc.constant('admin' as const), tenant: fc.constantFrom(...TENANTS), user: users }),
  fc.record({ kind: fc.constant('delete' as const), tenant: fc.constantFrom(...TENANTS), user: users }),
);

describe('tenant isolation (property)', () => {
  it('answers every check in a tenant exactly as an engine holding only that tenant\'s writes would', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const shared = await Engine.create({ schema: SCHEMA });
        const alone = new Map<string, Engine>();
        for (const t of TENANTS) {
          const e = await Engine.create({ schema: SCHEMA, defaultTenant: t });
          alone.set(t, e);
          if (t !== 't1') await shared.createTenant(t);
        }
        for (const o of ops) {
          for (const engine of [shared, alone.get(o.tenant)]) {
            if (engine === undefined) continue;
            const tenant = o.tenant;
            if (o.kind === 'owner') await engine.write({ tenant, tuples: [`document:${o.doc}#owner@user:${o.user}`] });
            if (o.kind === 'group') await engine.write({ tenant, tuples: [`group:${o.group}#member@user:${o.user}`, `document:${o.doc}#viewer@group:${o.group}#member`] });
            if (o.kind === 'public') await engine.write({ tenant, attributes: [`document:${o.doc}$public|boolean:true`] });
            if (o.kind === 'admin') await engine.write({ tenant, tuples: [`tenant:${tenant}#admin@user:${o.user}`] });
            if (o.kind === 'delete') await engine.delete({ tenant, tupleFilter: { subject: { type: 'user', ids: [o.user] } } });
          }
        }
        for (const t of TENANTS) {
          const own = alone.get(t);
          if (own === undefined) continue;
          for (const user of ['alice', 'bob', 'carol']) {
            const lookup = { entityType: 'document', permission: 'view', subject: `user:${user}` };
            expect((await shared.lookupEntity({ tenant: t, ...lookup })).ids).toEqual((await own.lookupEntity({ tenant: t, ...lookup })).ids);
            for (const doc of ['1', '2', '3']) {
              const req = { subject: { type: 'user', id: user }, action: 'view', resource: { type: 'document', id: doc } };
              expect((await shared.check({ tenant: t, ...req })).allowed).toBe((await own.check({ tenant: t, ...req })).allowed);
            }
          }
          expect((await shared.readRelationships({ tenant: t })).tuples.length).toBe((await own.readRelationships({ tenant: t })).tuples.length);
        }
      }),
      { numRuns: 40 },
    );
  });
});
