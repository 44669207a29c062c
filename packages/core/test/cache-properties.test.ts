import { describe, expect, it } from '@jest/globals';
import { formatResource, formatSubject, Gatehouse, parseResource, parseSubject } from '@gatehouse/core';
import fc from 'fast-check';

import { TablePdp } from './fixtures/table-pdp.js';

/** A fixed, arbitrary truth: every normalised (tenant, subject, action, resource) is allowed or not by its hash. */
function oracle(tenant: string, subject: string, action: string, resource: string): boolean {
  const text = `${tenant} ${formatSubject(parseSubject(subject))} ${action} ${formatResource(parseResource(resource))}`;
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h & 1) === 1;
}

// Small alphabets on purpose: near-collisions ("a" vs "a.b", "user:x" vs "x", "doc:1" vs "doc:1:2") are the point.
const tenant = fc.constantFrom('t1', 'a', 'a.b', 'A', 'a-b', 'ab');
const subject = fc.constantFrom('x', 'user:x', 'user:y', 'y', 'team:x#member', 'team:x', 'team:x#admin', 'user:x:1', 'x:1');
const action = fc.constantFrom('read', 'edit', 'reader');
const resource = fc.constantFrom('doc', 'doc:1', 'doc:1:2', 'doc:12', 'docs:1', 'doc:2', 'folder:1');
const check = fc.record({ tenant, subject, action, resource });

describe('DecisionCache properties', () => {
  it('serves a cached decision only for the exact key it was stored under', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(check, { minLength: 1, maxLength: 60 }), fc.boolean(), async (checks, concurrent) => {
        const pdp = new TablePdp();
        pdp.inspect = undefined;
        const decide = (r: Parameters<TablePdp['check']>[0]): { allowed: boolean; reason: 'allowed' | 'denied' } => {
          const allowed = oracle(r.tenant, formatSubject(r.subject), r.action, formatResource(r.resource));
          return { allowed, reason: allowed ? 'allowed' : 'denied' };
        };
        pdp.check = async (r) => await Promise.resolve(decide(r));
        pdp.checkMany = async (rs) => await Promise.resolve(rs.map(decide));
        const gate = new Gatehouse({ pdp });
        const run = async (c: (typeof checks)[number]): Promise<void> => {
          const d = await gate.check(c);
          expect(d.allowed).toBe(oracle(c.tenant, c.subject, c.action, c.resource));
          const peeked = gate.peek(c);
          if (peeked !== undefined) expect(peeked.allowed).toBe(d.allowed);
        };
        if (concurrent) await Promise.all(checks.map(run));
        else for (const c of checks) await run(c);
        for (const c of checks) expect(gate.peek(c)?.allowed).toBe(oracle(c.tenant, c.subject, c.action, c.resource));
      }),
      { numRuns: 150 },
    );
  });

  it('after a change event for tenant T serves no decision computed before it for T, while other tenants keep theirs', async () => {
    // A narrow key space, so that writes hit keys that were checked (and cached) before.
    const narrow = fc.record({
      tenant: fc.constantFrom('a', 'a.b', 't1'),
      subject: fc.constantFrom('x', 'user:x', 'y'),
      action: fc.constant('read'),
      resource: fc.constantFrom('doc:1', 'doc'),
    });
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('check' as const), c: narrow }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constantFrom('grant' as const, 'revoke' as const), c: narrow }), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 80 }), async (ops) => {
        const pdp = new TablePdp();
        const gate = new Gatehouse({ pdp, cache: { ttlMs: 3_600_000 } });
        const truth = new Set<string>();
        const norm = (c: (typeof ops)[number]['c']): string =>
          `${c.tenant} ${formatSubject(parseSubject(c.subject))} ${c.action} ${formatResource(parseResource(c.resource))}`;
        // Keys checked in a tenant since that tenant last changed: these must still be hits.
        const warm = new Map<string, Set<string>>();
        for (const { kind, c } of ops) {
          const s = formatSubject(parseSubject(c.subject));
          const r = formatResource(parseResource(c.resource));
          if (kind === 'check') {
            const d = await gate.check(c);
            expect(d.allowed).toBe(truth.has(norm(c)));
            const key = `${c.subject} ${c.action} ${c.resource}`;
            const seen = warm.get(c.tenant) ?? new Set<string>();
            if (seen.has(key)) expect(d.cached).toBe(true);
            seen.add(key);
            warm.set(c.tenant, seen);
          } else {
            if (kind === 'grant') {
              truth.add(norm(c));
              pdp.grant(c.tenant, s, c.action, r);
            } else {
              truth.delete(norm(c));
              pdp.revoke(c.tenant, s, c.action, r);
            }
            warm.delete(c.tenant);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
