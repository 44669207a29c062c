#!/usr/bin/env node
// filter: "the first 50 documents alice may view, ordered by id, and how many there are" over 100,000 documents in
// PostgreSQL, through a Gatehouse query plan + an ORM, against a hand-written SQL query that encodes the same
// rules against the app's own columns (the physical limit).
//
// Policy: view = owner or (public and tenant.member) or tenant.admin. alice owns 2 % of the documents (tuples in the
// PDP), ~7.7 % are public (the app's is_public column), alice is a member of the tenant: ~9.6 % visible to her.
// Each iteration runs every variant once, in turn (interleaved, so load on the machine hits all alike), starting one
// variant later each time (so the garbage one variant leaves is collected during each of the others alike); a variant's
// time is the median over the iterations of (plan or lookup, if any) + page query + count query. Variants:
//   hand SQL          one pg query pair with the rules in SQL (owner_id column, memberships table), the peer
//   plan + Prisma     gate.plan() → @gatehouse/prisma accessibleWhere → findMany + count (Prisma 7, adapter-pg)
//   plan + Drizzle    gate.plan() → @gatehouse/drizzle accessibleWhere (id set as ONE array parameter) → select + $count
//   @casl/prisma      accessibleBy(ability).Document with the equivalent CASL rules → findMany + count
//   lookup + IN       gate.lookupResources() (every visible id, computed by the PDP) → findMany({ id: { in } }) + count
// The ratio is (plan + Prisma) ÷ hand SQL (target ≤ 2), the median of the per-iteration ratios. Every variant must return the same ids and count.
// Uses its own database, dropped at the end. Prints one JSON line last.
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { createPrismaAbility } from '@casl/prisma';
import { AbilityBuilder } from '@casl/ability';
import { accessibleBy } from '@casl/prisma';
import { Gatehouse } from '@gatehouse/core';
import { accessibleWhere as drizzleWhere } from '@gatehouse/drizzle';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { accessibleWhere as prismaWhere } from '@gatehouse/prisma';
import { PrismaPg } from '@prisma/adapter-pg';
import { and, asc, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { boolean, integer, pgTable, text } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { register } from 'tsx/esm/api';

const here = dirname(fileURLToPath(import.meta.url));
const BASE = process.env.GATEHOUSE_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const DB = `gh_bench_filter_${process.pid}`;
const URL_ = BASE.replace(/\/[^/]*$/, `/${DB}`);
const DOCS = Number(process.env.GATEHOUSE_BENCH_FILTER_DOCS ?? 100_000);
const ITERATIONS = Number(process.env.GATEHOUSE_BENCH_FILTER_ITERATIONS ?? 40);
const TENANT = 'acme';

const SCHEMA = `
entity user {}
entity tenant { relation admin @user relation member @user }
entity document {
  relation owner @user
  attribute public boolean
  permission view = owner or (public and tenant.member) or tenant.admin
}`;

const ownerOf = (i) => (i % 50 === 0 ? 'alice' : `u${i % 997}`);
const isPublic = (i) => i % 13 === 0;

const documents = pgTable('documents', {
  id: integer('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  ownerId: text('owner_id').notNull(),
  isPublic: boolean('is_public').notNull(),
  title: text('title').notNull(),
});

async function admin(text) {
  const c = new pg.Client({ connectionString: BASE });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function prismaClient() {
  const dir = join(here, '.tmp', `prisma-filter-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'schema.prisma'), `generator client {
  provider = "prisma-client"
  output = "./client"
  moduleFormat = "esm"
}
datasource db {
  provider = "postgresql"
}
model Document {
  id       Int     @id
  tenantId String  @map("tenant_id")
  ownerId  String  @map("owner_id")
  isPublic Boolean @map("is_public")
  title    String
  @@map("documents")
}
`);
  // prisma generate needs no schema engine but tries to download one; any executable stops that.
  await promisify(execFile)(process.execPath, [join(here, '..', 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', join(dir, 'schema.prisma')], {
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
  });
  register(); // the generated client is TypeScript
  const { PrismaClient } = await import(pathToFileURL(join(dir, 'client', 'client.ts')).href);
  return { prisma: new PrismaClient({ adapter: new PrismaPg({ connectionString: URL_, max: 4 }) }), dir };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB}`);
  const pool = new pg.Pool({ connectionString: URL_, max: 4 });
  let prismaDir;
  let prisma;
  try {
    // The app's tables: documents with the owner and public columns, and its own memberships (for the hand query).
    await pool.query(`CREATE TABLE documents (id integer PRIMARY KEY, tenant_id text NOT NULL, owner_id text NOT NULL, is_public boolean NOT NULL, title text NOT NULL)`);
    await pool.query('CREATE INDEX documents_owner ON documents (tenant_id, owner_id)');
    await pool.query(`CREATE TABLE memberships (tenant_id text NOT NULL, user_id text NOT NULL, role text NOT NULL, PRIMARY KEY (tenant_id, user_id, role))`);
    await pool.query(
      `INSERT INTO documents SELECT i, $1, CASE WHEN i % 50 = 0 THEN 'alice' ELSE 'u' || (i % 997) END, i % 13 = 0, 'document ' || i FROM generate_series(1, $2) AS i`,
      [TENANT, DOCS],
    );
    await pool.query(`INSERT INTO memberships VALUES ($1, 'alice', 'member'), ($1, 'bob', 'admin')`, [TENANT]);
    await pool.query('ANALYZE documents; ANALYZE memberships');

    // The PDP: ownership tuples and the roles. The public flag is written too, only for "lookup + IN" (a plan
    // reads it from the row).
    const engine = await Engine.create({ schema: SCHEMA });
    await engine.createTenant(TENANT);
    const facts = [];
    for (let i = 1; i <= DOCS; i++) {
      facts.push({ t: `document:${i}#owner@user:${ownerOf(i)}` });
      if (isPublic(i)) facts.push({ a: `document:${i}$public|boolean:true` });
    }
    facts.push({ t: `tenant:${TENANT}#member@user:alice` }, { t: `tenant:${TENANT}#admin@user:bob` });
    for (let i = 0; i < facts.length; i += 1000) {
      const batch = facts.slice(i, i + 1000);
      await engine.write({ tenant: TENANT, tuples: batch.filter((f) => f.t).map((f) => f.t), attributes: batch.filter((f) => f.a).map((f) => f.a) });
    }
    const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine), timeoutMs: 60_000 });
    const alice = gate.bind(TENANT, 'alice');

    ({ prisma, dir: prismaDir } = await prismaClient());
    const db = drizzle(pool);

    const handPage = `SELECT id, title FROM documents d WHERE d.tenant_id = $1 AND (d.owner_id = $2
      OR (d.is_public AND EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = $1 AND m.user_id = $2 AND m.role = 'member'))
      OR EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = $1 AND m.user_id = $2 AND m.role = 'admin'))`;
    const variants = {
      'hand SQL': async () => {
        const page = await pool.query(`${handPage} ORDER BY id LIMIT 50`, [TENANT, 'alice']);
        const count = await pool.query(`SELECT count(*)::int AS n FROM (${handPage}) v`, [TENANT, 'alice']);
        return { ids: page.rows.map((r) => r.id), count: count.rows[0].n };
      },
      'plan + Prisma': async () => {
        const plan = await alice.plan('view', 'document');
        const where = { AND: [{ tenantId: TENANT }, prismaWhere(plan, { id: 'id', fields: { public: 'isPublic' }, parseId: Number })] };
        const page = await prisma.document.findMany({ where, select: { id: true, title: true }, orderBy: { id: 'asc' }, take: 50 });
        const count = await prisma.document.count({ where });
        return { ids: page.map((r) => r.id), count };
      },
      'plan + Drizzle': async () => {
        const plan = await alice.plan('view', 'document');
        const where = and(eq(documents.tenantId, TENANT), drizzleWhere(plan, { id: documents.id, fields: { public: documents.isPublic } }));
        const page = await db.select({ id: documents.id, title: documents.title }).from(documents).where(where).orderBy(asc(documents.id)).limit(50);
        const count = await db.$count(documents, where);
        return { ids: page.map((r) => r.id), count };
      },
      '@casl/prisma': async () => {
        // The same rules as CASL conditions, built per request as an app would from its roles.
        const { can, build } = new AbilityBuilder(createPrismaAbility);
        can('read', 'Document', { tenantId: TENANT, ownerId: 'alice' });
        can('read', 'Document', { tenantId: TENANT, isPublic: true }); // alice is a member
        const where = accessibleBy(build(), 'read').ofType('Document');
        const page = await prisma.document.findMany({ where, select: { id: true, title: true }, orderBy: { id: 'asc' }, take: 50 });
        const count = await prisma.document.count({ where });
        return { ids: page.map((r) => r.id), count };
      },
      'lookup + IN': async () => {
        const ids = (await alice.lookupResources('view', 'document')).map(Number);
        const where = { tenantId: TENANT, id: { in: ids } };
        const page = await prisma.document.findMany({ where, select: { id: true, title: true }, orderBy: { id: 'asc' }, take: 50 });
        const count = await prisma.document.count({ where });
        return { ids: page.map((r) => r.id), count };
      },
    };

    const planTimes = [];
    const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    const failed = {};
    let reference;
    for (let it = -3; it < ITERATIONS; it++) {
      const p0 = performance.now();
      await alice.plan('view', 'document');
      if (it >= 0) planTimes.push(performance.now() - p0);
      const order = Object.entries(variants);
      const start = ((it % order.length) + order.length) % order.length;
      for (const [name, run] of [...order.slice(start), ...order.slice(0, start)]) {
        if (failed[name] !== undefined) continue;
        const t0 = performance.now();
        let result;
        try {
          result = await run();
        } catch (err) {
          failed[name] = `${err?.code ?? err?.name ?? 'error'}: ${String(err?.message ?? err).split('\n')[0].slice(0, 160)}`;
          continue;
        }
        const ms = performance.now() - t0;
        reference ??= result;
        if (JSON.stringify(result) !== JSON.stringify(reference)) throw new Error(`${name} returned ${JSON.stringify(result).slice(0, 200)}, hand SQL ${JSON.stringify(reference).slice(0, 200)}`);
        if (it >= 0) times[name].push(ms);
      }
    }
    const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.length > 0 ? median(v) : null]));
    // Each iteration runs the variants back to back, so its ratios share the machine's load of that moment: the
    // ratio reported is the median of the per-iteration ratios (the times are medians too).
    const hand = times['hand SQL'];
    const pairedRatio = (k) => (times[k].length === hand.length && hand.length > 0 ? median(times[k].map((t, i) => t / hand[i])) : null);
    const plan = await alice.plan('view', 'document');
    const ids = plan.kind === 'conditional' ? JSON.stringify(plan.condition).match(/"in":\[[^\]]*\]/)?.[0].split(',').length : 0;
    const r2 = (x) => (x === null ? 'failed' : `${Math.round(x * 100) / 100} ms`);
    const ratio = pairedRatio('plan + Prisma');
    const notes = [
      `${DOCS.toLocaleString('en-US')} docs, ${reference.count} visible (${Math.round((reference.count / DOCS) * 1000) / 10} %), plan id set ${ids} ids, gate.plan() alone ${r2(median(planTimes))}; page(50)+count, median of ${ITERATIONS} iterations (ratios: median of per-iteration ratios)`,
      ...Object.entries(med).map(([k, v]) => `${k} ${r2(v)}${v !== null && k !== 'hand SQL' ? ` (${Math.round((pairedRatio(k) ?? NaN) * 100) / 100}x)` : ''}${failed[k] ? ` [${failed[k]}]` : ''}`),
    ].join('; ');
    await gate.close();
    await engine.close();
    process.stdout.write(`${JSON.stringify({ id: 'filter', ours: med['plan + Prisma'], peer: med['hand SQL'], unit: 'ms (lower is better)', ratio, target: '≤ 2', pass: ratio <= 2, notes })}\n`);
  } finally {
    await prisma?.$disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
    if (prismaDir !== undefined) await rm(prismaDir, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}

await main();
