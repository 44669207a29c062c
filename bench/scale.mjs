#!/usr/bin/env node
// scale (docs/architecture.md#performance-targets): check p99 at 1 M tuples ÷ the same check's p99 at 10 K tuples (also 100 K), in the memory
// store, decision cache off. Each check is timed alone (`await engine.check()`); a mix of deep allowed, direct and
// denied checks over data of the same per-entity shape. p99 is the median of 5 runs of 20,000 checks.
import { performance } from 'node:perf_hooks';

import { checks, load, REBAC_SCHEMA } from './lib/rebac-data.mjs';

const { Engine } = await import('@gatehouse/engine');

async function p99At(n) {
  const engine = await Engine.create({ schema: REBAC_SCHEMA });
  const tuples = await load(engine, n);
  const reqs = checks(n, 20_000);
  for (let k = 0; k < 5; k++) for (const r of reqs) await engine.check(r); // warm-up (JIT)
  const p99s = [];
  const p50s = [];
  const lat = new Float64Array(reqs.length);
  for (let rep = 0; rep < 5; rep++) {
    globalThis.gc?.();
    for (let i = 0; i < reqs.length; i++) {
      const t0 = performance.now();
      await engine.check(reqs[i]);
      lat[i] = performance.now() - t0;
    }
    const sorted = [...lat].sort((a, b) => a - b);
    p99s.push(sorted[Math.floor(sorted.length * 0.99)] * 1000);
    p50s.push(sorted[Math.floor(sorted.length * 0.5)] * 1000);
  }
  await engine.close();
  p99s.sort((a, b) => a - b);
  p50s.sort((a, b) => a - b);
  return { tuples, p99: p99s[2], p50: p50s[2] };
}

const target = 2;
let result;
try {
  const small = await p99At(10_000);
  const mid = await p99At(100_000);
  const large = await p99At(1_000_000);
  const ratio = large.p99 / small.p99;
  const f = (x) => Math.round(x * 100) / 100;
  result = {
    id: 'scale',
    ours: f(large.p99),
    peer: f(small.p99),
    unit: 'µs p99',
    ratio: f(ratio),
    target: `<= ${target}`,
    pass: ratio <= target,
    notes: `p99/p50 µs: 10K ${f(small.p99)}/${f(small.p50)}, 100K ${f(mid.p99)}/${f(mid.p50)} (ratio ${f(mid.p99 / small.p99)}), 1M ${f(large.p99)}/${f(large.p50)} (${large.tuples} tuples); memory store, cache off`,
  };
} catch (err) {
  result = { id: 'scale', ours: null, peer: null, unit: 'µs p99', ratio: null, target: `<= ${target}`, pass: false, notes: `failed: ${err?.stack ?? err}` };
}
console.log(JSON.stringify(result));
