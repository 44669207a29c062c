#!/usr/bin/env node
// postgres: the engine on PostgresStore vs the same engine on MemoryStore, in one run.
// - checks/s (the ratio; target ≥ 0.8): a ReBAC check (`document#edit` via org → admin, 9,000 tuples), decision
//   cache off, sequential `await engine.check()`. Checks run against each engine's in-memory view either way, so
//   PostgreSQL should cost nothing here; this guards against the durable path leaking into checks.
// - write tuples/s: `engine.write()` in batches of 1,000 tuples (one transaction each), beside `store.commit()` of
//   the same batches on a bare PostgresStore (the ceiling: what the engine adds is validation and applying the
//   commit to its view).
// - start-up: `Engine.create({ store: new PostgresStore(…) })` over a database holding N tuples (default 1,000,000;
//   `--tuples N` or GATEHOUSE_BENCH_PG_TUPLES=N for less). The N rows are seeded with one INSERT … SELECT.
// Each part uses its own PostgreSQL schema, dropped at the end. Prints one JSON line last.
import { performance } from 'node:perf_hooks';

import { parseTuple } from '@gatehouse/core';
import { Engine } from '@gatehouse/engine';
import { PostgresStore } from '@gatehouse/store-postgres';
import pg from 'pg';
import { REBAC_SCHEMA } from './lib/rebac-data.mjs';

const URL = process.env.GATEHOUSE_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const flagAt = process.argv.indexOf('--tuples');
const LOAD_TUPLES = Number(flagAt > 0 ? process.argv[flagAt + 1] : (process.env.GATEHOUSE_BENCH_PG_TUPLES ?? 1_000_000));
const WRITE_TUPLES = 30_000;
const BATCH = 1000;
const CHECK_MS = 2500;
const ROUNDS = 3;


const schemas = [];
const uniqueSchema = (tag) => {
  const s = `gh_bench_${tag}_${process.pid}`;
  schemas.push(s);
  return s;
};

async function sql(text, values = []) {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

function emit(result) {
  process.stdout.write(`${JSON.stringify({ id: 'postgres', ...result })}\n`);
}

function rebacTuples() {
  const out = [];
  for (let u = 0; u < 1000; u++) out.push(`organization:o${Math.floor(u / 10)}#${u % 10 === 0 ? 'admin' : 'member'}@user:u${u}`);
  for (let d = 0; d < 2000; d++) {
    out.push(`document:d${d}#org@organization:o${d % 100}`);
    out.push(`document:d${d}#owner@user:u${(d * 7 + 3) % 1000}`);
    out.push(`document:d${d}#viewer@user:u${(d * 13 + 5) % 1000}`);
    out.push(`document:d${d}#viewer@user:u${(d * 17 + 11) % 1000}`);
  }
  return out;
}

async function writeAll(engine, tuples) {
  for (let i = 0; i < tuples.length; i += BATCH) await engine.write({ tenant: 't1', tuples: tuples.slice(i, i + BATCH) });
}

async function checksPerSecond(engine) {
  const reqs = Array.from({ length: 1024 }, (_, i) => {
    const d = (i * 37) % 2000;
    return { tenant: 't1', subject: { type: 'user', id: `u${(d % 100) * 10}` }, action: 'edit', resource: { type: 'document', id: `d${d}` } };
  });
  for (let i = 0; i < 2000; i++) await engine.check(reqs[i & 1023]);
  let n = 0;
  const start = performance.now();
  let allowed = 0;
  while (performance.now() - start < CHECK_MS) {
    for (let i = 0; i < 256; i++) if ((await engine.check(reqs[(n + i) & 1023])).allowed) allowed++;
    n += 256;
  }
  if (allowed !== n) throw new Error(`expected every check to be allowed, got ${allowed}/${n}`);
  return n / ((performance.now() - start) / 1000);
}

async function main() {
  try {
    await sql('SELECT 1');
  } catch (err) {
    emit({ ours: null, peer: null, unit: 'checks/s', ratio: null, target: 0.8, pass: false, notes: `PostgreSQL at ${URL} not reachable: ${err.message}` });
    return;
  }
  const notes = [];

  // Checks and writes: the same engine on both stores.
  const memory = await Engine.create({ schema: REBAC_SCHEMA });
  const onPg = await Engine.create({ schema: REBAC_SCHEMA, store: new PostgresStore({ connectionString: URL, schema: uniqueSchema('checks') }) });
  const data = rebacTuples();
  await writeAll(memory, data);
  await writeAll(onPg, data);
  const mem = [];
  const pgc = [];
  for (let r = 0; r < ROUNDS; r++) {
    mem.push(await checksPerSecond(memory));
    pgc.push(await checksPerSecond(onPg));
  }
  const best = (xs) => Math.max(...xs);
  const ours = best(pgc);
  const peer = best(mem);

  const memWrites = Array.from({ length: WRITE_TUPLES }, (_, i) => `document:m${i}#viewer@user:u${i % 1000}`);
  let t = performance.now();
  await writeAll(memory, memWrites);
  const memWrite = WRITE_TUPLES / ((performance.now() - t) / 1000);
  // engine.write on PostgreSQL vs the ceiling, store.commit of the same batches on a bare store (no engine, no
  // view), interleaved round by round so both see the same machine load; best round of each.
  const bare = new PostgresStore({ connectionString: URL, schema: uniqueSchema('commit') });
  await bare.open();
  const pgRounds = [];
  const commitRounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const writes = Array.from({ length: WRITE_TUPLES }, (_, i) => `document:r${r}w${i}#viewer@user:u${i % 1000}`);
    const parsed = writes.map((w) => parseTuple(w));
    t = performance.now();
    await writeAll(onPg, writes);
    pgRounds.push(WRITE_TUPLES / ((performance.now() - t) / 1000));
    t = performance.now();
    for (let i = 0; i < parsed.length; i += BATCH) await bare.commit({ tenant: 't1', createTuples: parsed.slice(i, i + BATCH) });
    commitRounds.push(WRITE_TUPLES / ((performance.now() - t) / 1000));
  }
  await bare.close();
  const pgWrite = best(pgRounds);
  const commitWrite = best(commitRounds);
  notes.push(
    `write ${Math.round(pgWrite)} tuples/s on PostgreSQL (engine.write, ${BATCH} tuples per transaction, best of ${ROUNDS}: ` +
      `${pgRounds.map(Math.round).join('/')}) = ${Math.round((pgWrite / commitWrite) * 100)}% of store.commit alone ` +
      `(${commitRounds.map(Math.round).join('/')}) vs ${Math.round(memWrite)} in memory`,
  );
  await memory.close();
  await onPg.close();

  // Start-up: load N tuples from PostgreSQL into a new engine's view.
  const loadSchema = uniqueSchema('load');
  const seedStore = new PostgresStore({ connectionString: URL, schema: loadSchema });
  await seedStore.open();
  await seedStore.writeSchema('t1', REBAC_SCHEMA);
  const { snapToken } = await seedStore.commit({ tenant: 't1', createTuples: [] });
  await seedStore.close();
  t = performance.now();
  await sql(
    `INSERT INTO "${loadSchema}".relation_tuples (tenant_id, entity_type, entity_id, relation, subject_type, subject_id, subject_relation, created_tx_id)
     SELECT 't1', 'document', 'd' || g, 'viewer', 'user', 'u' || (g % 100000), '', $1 FROM generate_series(1, $2::int) AS g`,
    [snapToken, LOAD_TUPLES],
  );
  await sql(`ANALYZE "${loadSchema}".relation_tuples`);
  const seedS = (performance.now() - t) / 1000;
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  t = performance.now();
  const loaded = await Engine.create({ schema: REBAC_SCHEMA, store: new PostgresStore({ connectionString: URL, schema: loadSchema }) });
  const loadS = (performance.now() - t) / 1000;
  globalThis.gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const probe = await loaded.check({ tenant: 't1', subject: { type: 'user', id: 'u7' }, action: 'view', resource: { type: 'document', id: 'd7' } });
  if (!probe.allowed) throw new Error('the loaded engine does not see the seeded tuples');
  await loaded.close();
  notes.push(
    `start-up with ${LOAD_TUPLES.toLocaleString('en')} tuples: ${loadS.toFixed(1)} s (${Math.round(LOAD_TUPLES / loadS).toLocaleString('en')} rows/s, view +${Math.round(heapMb)} MiB heap; seeding took ${seedS.toFixed(1)} s)`,
  );
  notes.push(`checks/s best of ${ROUNDS} rounds of ${CHECK_MS} ms: PostgreSQL ${pgc.map(Math.round).join('/')}, memory ${mem.map(Math.round).join('/')}`);

  const ratio = ours / peer;
  emit({ ours: Math.round(ours), peer: Math.round(peer), unit: 'checks/s', ratio: Math.round(ratio * 100) / 100, target: 0.8, pass: ratio >= 0.8, notes: notes.join('; ') });
}

try {
  await main();
} catch (err) {
  emit({ ours: null, peer: null, unit: 'checks/s', ratio: null, target: 0.8, pass: false, notes: `failed: ${err?.stack ?? err}` });
  process.exitCode = 1;
} finally {
  for (const s of schemas) await sql(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
}
