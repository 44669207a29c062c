// Query plans through both ORM adapters on real PostgreSQL: for random schemas (relations, usersets, hops, tenant
// roles, boolean / integer / double / string attributes, rules over them, and / or / not, recursion through a
// parent), random tuples and random rows, the rows the database returns for accessibleWhere(plan, mapping) are
// exactly the rows the check allows with the row's attributes as context. Another tenant's facts never leak in.
// Skips when PostgreSQL is not reachable, unless GATEHOUSE_REQUIRE_SERVICES=1.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { asc } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { boolean, doublePrecision, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { PrismaPg } from '@prisma/adapter-pg';
import { Gatehouse } from '@gatehouse/core';
import type { AttributeInput, Condition, QueryPlan } from '@gatehouse/core';
import { accessibleWhere as drizzleWhere } from '@gatehouse/drizzle';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { accessibleWhere as prismaWhere } from '@gatehouse/prisma';

import { generatePrismaClient } from './fixtures/filter/prisma-client.js';
import type { GeneratedClient } from './fixtures/filter/prisma-client.js';
import { PG_URL as BASE, postgresAbsent } from './fixtures/postgres.js';

const DB = `gh_filter_${String(process.pid)}`;
const URL_ = BASE.replace(/\/[^/]*$/, `/${DB}`);

const docs = pgTable('docs', {
  id: text('id').primaryKey(),
  flag: boolean('flag'),
  pinned: boolean('pinned'),
  size: integer('size'),
  score: doublePrecision('score'),
  label: text('label'),
});

const MODELS = `model Doc {
  id String @id
  flag Boolean?
  pinned Boolean?
  size Int?
  score Float?
  label String?
  @@map("docs")
}`;

const RULES = `
rule r_num(size integer) { size > 2 }
rule r_frac(size integer) { size >= 2.5 }
rule r_dbl(score double) { score <= 1.5 }
rule r_str(label string) { label in ["a", "x"] }
rule r_ne(label string) { "b" != label }
rule r_mix(flag boolean, size integer, label string) { flag ? size < 3 : label != "b" }
rule r_neg(size integer, score double) { !(size == 0) && score > -1.0 }
`;

const LEAVES = [
  'owner', 'editor', 'folder.view', 'tenant.admin', 'tenant.member', 'flag', 'pinned',
  'r_num(size)', 'r_frac(size)', 'r_dbl(score)', 'r_str(label)', 'r_ne(label)', 'r_mix(flag, size, label)', 'r_neg(size, score)',
];
// `view` may hop to a parent's `edit`, and `edit` may use the same document's `view`: a path can come back to the
// planned row at another permission, where the check reads the row's own attributes again.
const VIEW_LEAVES = [...LEAVES, 'parent.view', 'parent.edit'];
const EDIT_LEAVES = [...LEAVES, 'view', 'parent.view'];

type Expr = string | { op: 'and' | 'or' | 'not'; l: Expr; r: Expr };
const exprArb = (leaves: readonly string[]): fc.Arbitrary<Expr> =>
  fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...leaves),
      fc.record({ op: fc.constantFrom('and' as const, 'or' as const, 'not' as const), l: tie('e'), r: tie('e') }),
    ),
  })).e;

function render(e: Expr): string {
  return typeof e === 'string' ? e : `(${render(e.l)} ${e.op} ${render(e.r)})`;
}

function schemaOf(view: Expr, edit: Expr, recursive: boolean): string {
  const flat = (e: Expr): string => (recursive ? render(e) : render(e).replaceAll('parent.view', 'pinned').replaceAll('parent.edit', 'flag'));
  return `
entity user {}
entity tenant { relation admin @user relation member @user }
entity team { relation member @user }
entity folder { relation viewer @user attribute shared boolean permission view = viewer or shared }
entity doc {
  relation owner @user
  relation editor @user @team#member
  relation folder @folder
  relation parent @doc
  attribute flag boolean
  attribute pinned boolean
  attribute size integer
  attribute score double
  attribute label string
  permission view = ${flat(view)}
  permission edit = ${flat(edit)}
}
${RULES}`;
}

const USERS = ['u1', 'u2', 'u3'];
const DOCS = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'];
const ROW_IDS = [...DOCS, 'd7', 'd8'];
const TUPLES: string[] = [];
for (const d of DOCS) {
  for (const u of USERS) TUPLES.push(`doc:${d}#owner@user:${u}`, `doc:${d}#editor@user:${u}`);
  TUPLES.push(`doc:${d}#editor@team:t#member`, `doc:${d}#folder@folder:f1`, `doc:${d}#folder@folder:f2`);
  for (const p of DOCS) TUPLES.push(`doc:${d}#parent@doc:${p}`);
}
for (const u of USERS) TUPLES.push(`team:t#member@user:${u}`, `folder:f1#viewer@user:${u}`, `tenant:t1#admin@user:${u}`, `tenant:t1#member@user:${u}`);

interface Row {
  id: string;
  flag: boolean | null;
  pinned: boolean | null;
  size: number | null;
  score: number | null;
  label: string | null;
}

const rowArb = (id: string): fc.Arbitrary<Row> =>
  fc.record({
    id: fc.constant(id),
    flag: fc.option(fc.boolean(), { nil: null }),
    pinned: fc.option(fc.boolean(), { nil: null }),
    size: fc.option(fc.integer({ min: -2, max: 5 }), { nil: null }),
    score: fc.option(fc.constantFrom(-1.5, -1, 0, 1.5, 2, 3.25), { nil: null }),
    label: fc.option(fc.constantFrom('', 'a', 'b', 'x'), { nil: null }),
  });

const caseArb = fc.record({
  view: exprArb(VIEW_LEAVES),
  edit: exprArb(EDIT_LEAVES),
  recursive: fc.boolean(),
  tuples: fc.uniqueArray(fc.constantFrom(...TUPLES), { maxLength: 14 }),
  shared: fc.boolean(),
  rows: fc.tuple(...ROW_IDS.map(rowArb)),
});

function rowAttributes(r: Row): AttributeInput[] {
  const out: AttributeInput[] = [];
  for (const name of ['flag', 'pinned', 'size', 'score', 'label'] as const) {
    const value = r[name];
    if (value !== null) out.push({ entity: { type: 'doc', id: r.id }, attribute: name, value });
  }
  return out;
}

function idsOf(c: Condition, out = new Set<string>()): Set<string> {
  if ('and' in c) for (const x of c.and) idsOf(x, out);
  else if ('or' in c) for (const x of c.or) idsOf(x, out);
  else if ('not' in c) idsOf(c.not, out);
  else if (c.field === 'id' && 'in' in c) for (const id of c.in) out.add(String(id));
  return out;
}

interface PrismaDocs {
  doc: { findMany: (a: unknown) => Promise<{ id: string }[]> };
  $disconnect: () => Promise<void>;
}

describe('query plans through Prisma and Drizzle on PostgreSQL', () => {
  let absent: string | undefined;
  let pool: pg.Pool;
  let db: NodePgDatabase;
  let prisma: PrismaDocs;
  let generated: GeneratedClient | undefined;

  beforeAll(async () => {
    absent = await postgresAbsent();
    if (absent !== undefined) return;
    const admin = new pg.Client({ connectionString: BASE });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB}`);
    await admin.end();
    pool = new pg.Pool({ connectionString: URL_, max: 2 });
    await pool.query('CREATE TABLE docs (id text PRIMARY KEY, flag boolean, pinned boolean, size integer, score double precision, label text)');
    db = drizzle(pool);
    generated = await generatePrismaClient('filter-property', MODELS);
    const PrismaClient = generated.module.PrismaClient as new (o: unknown) => PrismaDocs;
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: URL_ }) });
  }, 180_000);

  afterAll(async () => {
    if (absent !== undefined) return;
    await prisma.$disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await generated?.remove();
    const admin = new pg.Client({ connectionString: BASE });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.end();
  });

  it('returns exactly the rows the check allows, for random schemas, tuples and rows', async () => {
    if (absent !== undefined) return;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ view, edit, recursive, tuples, shared, rows }) => {
        const engine = await Engine.create({ schema: schemaOf(view, edit, recursive) });
        try {
          const valid = recursive ? tuples : tuples.filter((t) => !t.includes('#parent@'));
          await engine.write({ tenant: 't1', tuples: valid, attributes: shared ? ['folder:f2$shared|boolean:true'] : [] });
          // Another tenant grants everyone everything on the same ids, and owns ids t1 never has.
          await engine.createTenant('other');
          await engine.write({
            tenant: 'other',
            tuples: [...USERS.flatMap((u) => [...DOCS, 'x1'].map((d) => `doc:${d}#owner@user:${u}`)), ...USERS.map((u) => `tenant:other#admin@user:${u}`)],
            attributes: ['folder:f1$shared|boolean:true'],
          });
          const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine), cache: false, throwOnError: true });
          await pool.query('TRUNCATE docs');
          await db.insert(docs).values(rows);
          for (const [user, action] of USERS.flatMap((u) => [[u, 'view'], [u, 'edit']] as const)) {
            const plan: QueryPlan = await gate.plan(user, action, 'doc', { tenant: 't1' });
            if (plan.kind === 'conditional') expect([...idsOf(plan.condition)].filter((id) => !DOCS.includes(id))).toEqual([]);
            const expected: string[] = [];
            for (const r of rows) {
              if (await gate.can(user, action, `doc:${r.id}`, { tenant: 't1', context: { attributes: rowAttributes(r) } })) expected.push(r.id);
            }
            const fields = { flag: docs.flag, pinned: docs.pinned, size: docs.size, score: docs.score, label: docs.label };
            const viaDrizzle = await db.select({ id: docs.id }).from(docs).where(drizzleWhere(plan, { id: docs.id, fields })).orderBy(asc(docs.id));
            const viaPrisma = await prisma.doc.findMany({
              where: prismaWhere(plan, { id: 'id', fields: { flag: 'flag', pinned: 'pinned', size: 'size', score: 'score', label: 'label' } }),
              select: { id: true },
              orderBy: { id: 'asc' },
            });
            const context = `${user} ${action}: ${JSON.stringify(plan)}`;
            expect({ context, ids: viaDrizzle.map((r) => r.id) }).toEqual({ context, ids: expected.sort() });
            expect({ context, ids: viaPrisma.map((r) => r.id) }).toEqual({ context, ids: expected.sort() });
          }
          await gate.close();
        } finally {
          await engine.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});
