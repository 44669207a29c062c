#!/usr/bin/env node
// memory (docs/architecture.md#performance-targets): bytes per stored tuple in the memory store at 1 M tuples (also 10 K and 100 K): heap used plus
// ArrayBuffer memory (the store's typed-array columns and indexes live outside the JS heap, so both count), after a
// full GC, minus the same measure of an engine with the schema and no data, divided by the tuples stored. Needs
// `node --expose-gc` (bench/run.mjs passes it; this script re-runs itself with it otherwise).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { load, REBAC_SCHEMA } from './lib/rebac-data.mjs';

if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { Engine } = await import('@gatehouse/engine');

function used() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function bytesPerTuple(n) {
  const engine = await Engine.create({ schema: REBAC_SCHEMA });
  // Compile the schema plan and warm the code paths with a check, so the baseline holds everything but the data.
  await engine.check({ tenant: 't1', subject: { type: 'user', id: 'x' }, action: 'view', resource: { type: 'document', id: 'x' } });
  const before = used();
  const tuples = await load(engine, n);
  await engine.check({ tenant: 't1', subject: { type: 'user', id: 'u0' }, action: 'view', resource: { type: 'document', id: 'd0' } });
  const after = used();
  await engine.close();
  return { tuples, bytes: (after - before) / tuples };
}

const target = 150;
let result;
try {
  const small = await bytesPerTuple(10_000);
  const mid = await bytesPerTuple(100_000);
  const large = await bytesPerTuple(1_000_000);
  const f = (x) => Math.round(x * 10) / 10;
  result = {
    id: 'memory',
    ours: f(large.bytes),
    peer: null,
    unit: 'bytes/tuple',
    ratio: f(large.bytes),
    target: `<= ${target}`,
    pass: large.bytes <= target,
    notes: `heapUsed + arrayBuffers after GC: 10K ${f(small.bytes)}, 100K ${f(mid.bytes)}, 1M ${f(large.bytes)} bytes/tuple (${large.tuples} tuples; MVCC rows, forward and reverse indexes, interned ids)`,
  };
} catch (err) {
  result = { id: 'memory', ours: null, peer: null, unit: 'bytes/tuple', ratio: null, target: `<= ${target}`, pass: false, notes: `failed: ${err?.stack ?? err}` };
}
console.log(JSON.stringify(result));
