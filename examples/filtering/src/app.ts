import { Gatehouse } from '@gatehouse/core';
import type { QueryPlan } from '@gatehouse/core';
import { accessibleWhere } from '@gatehouse/drizzle';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { PGlite } from '@electric-sql/pglite';
import { asc } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { boolean, pgTable, text } from 'drizzle-orm/pg-core';

import { POLICY } from './schema.js';

/** The app's own table: the policy's attributes `public` and `status` live in its columns. */
export const documents = pgTable('documents', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  isPublic: boolean('is_public').notNull().default(false),
  status: text('status').notNull().default('active'),
});

const ROWS = [
  { id: 'd1', title: 'Alice: roadmap', isPublic: false, status: 'active' },
  { id: 'd2', title: 'Bob: budget', isPublic: false, status: 'active' },
  { id: 'd3', title: 'Handbook', isPublic: true, status: 'active' },
  { id: 'd4', title: 'Alice: old notes', isPublic: false, status: 'archived' },
  { id: 'd5', title: 'Old handbook', isPublic: true, status: 'archived' },
  { id: 'd6', title: 'Carol: draft', isPublic: false, status: 'active' },
];

/** What the example found for one user. */
export interface Listing {
  readonly user: string;
  readonly plan: QueryPlan;
  readonly rows: readonly { readonly id: string; readonly title: string }[];
  readonly count: number;
}

/**
 * Sets up the PDP (ownership tuples and a tenant role; no document attributes are written to it) and an
 * in-memory PostgreSQL (PGlite) table, then lists, in one query each, the documents two users may view.
 */
export async function run(users: readonly string[] = ['alice', 'bob']): Promise<Listing[]> {
  const engine = await Engine.create({ schema: POLICY });
  await engine.write({ tenant: 't1', tuples: ['document:d1#owner@user:alice', 'document:d4#owner@user:alice', 'document:d2#owner@user:bob', 'document:d6#owner@user:carol', 'tenant:t1#admin@user:bob'] });
  const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });

  const client = new PGlite();
  const db = drizzle(client);
  await client.exec(`CREATE TABLE documents (id text PRIMARY KEY, title text NOT NULL, is_public boolean NOT NULL DEFAULT false, status text NOT NULL DEFAULT 'active')`);
  await db.insert(documents).values(ROWS);

  const out: Listing[] = [];
  for (const user of users) {
    const plan = await gate.plan(user, 'view', 'document', { tenant: 't1' });
    const where = accessibleWhere(plan, { id: documents.id, fields: { public: documents.isPublic, status: documents.status } });
    const rows = await db.select({ id: documents.id, title: documents.title }).from(documents).where(where).orderBy(asc(documents.id)).limit(50);
    const count = await db.$count(documents, where);
    out.push({ user, plan, rows, count });
  }
  await gate.close();
  await engine.close();
  await client.close();
  return out;
}
