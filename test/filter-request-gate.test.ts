// req.gate.plan in an Express list route: the request's tenant and subject plan the filter; each user sees their
// own list, and another tenant's grants never show.
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { fromHeader, gatehouse } from '@gatehouse/express';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import type { Condition, QueryPlan } from '@gatehouse/core';

const SCHEMA = `
entity user {}
entity tenant { relation admin @user }
entity document { relation owner @user attribute public boolean permission view = owner or public or tenant.admin }
`;

interface Doc { id: string; tenant: string; public: boolean }
const ROWS: Doc[] = [
  { id: '1', tenant: 'acme', public: false },
  { id: '2', tenant: 'acme', public: true },
  { id: '3', tenant: 'acme', public: false },
  { id: '9', tenant: 'beta', public: false },
];

/** The app's in-memory "database": evaluates a plan's condition on a row (what the ORM adapters do in SQL). */
function matches(c: Condition, row: Doc): boolean {
  if ('and' in c) return c.and.every((x) => matches(x, row));
  if ('or' in c) return c.or.some((x) => matches(x, row));
  if ('not' in c) return !matches(c.not, row);
  if (c.field === 'id' && 'in' in c) return c.in.includes(row.id);
  if (c.field === 'public' && 'eq' in c) return row.public === c.eq;
  throw new Error(`unmapped ${JSON.stringify(c)}`);
}

function visible(plan: QueryPlan, tenant: string): string[] {
  const rows = ROWS.filter((r) => r.tenant === tenant);
  if (plan.kind === 'never') return [];
  if (plan.kind === 'always') return rows.map((r) => r.id);
  return rows.filter((r) => matches(plan.condition, r)).map((r) => r.id);
}

describe('req.gate.plan in an Express list route', () => {
  it('plans for the request\'s tenant and subject', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    await engine.createTenant('acme');
    await engine.createTenant('beta');
    await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice', 'tenant:acme#admin@user:root'] });
    await engine.write({ tenant: 'beta', tuples: ['document:3#owner@user:alice', 'tenant:beta#admin@user:bob'] });
    const app = express();
    app.use(gatehouse({ pdp: new EmbeddedPdp(engine), tenant: fromHeader('x-tenant-id'), subject: (req) => req.get('x-user') }));
    app.get('/documents', async (req, res) => {
      const gate = req.gate;
      if (gate === undefined) throw new Error('no gate');
      res.json(visible(await gate.plan('view', 'document'), gate.tenant));
    });
    const list = async (tenant: string, user: string): Promise<unknown> => (await request(app).get('/documents').set('x-tenant-id', tenant).set('x-user', user).expect(200)).body;
    expect(await list('acme', 'alice')).toEqual(['1', '2']);
    expect(await list('acme', 'root')).toEqual(['1', '2', '3']);
    // bob administers beta, not acme; alice's beta ownership of document 3 does not carry over.
    expect(await list('acme', 'bob')).toEqual(['2']);
    expect(await list('beta', 'bob')).toEqual(['9']);
    await engine.close();
  });
});
