#!/usr/bin/env node
// lookup-page (docs/architecture.md#performance-targets, issue 14 item 3): the median time of one `lookupEntity`
// page (`pageSize: 1`) at 100 K documents ÷ the same at 1 K documents (target <= 2: a page costs the work of the
// page, not the tenant). Embedded engine, memory store, default options. Documents belong to 10 organizations;
// alice is a member of one (she may view 10 % of the documents through `org.member`), bob owns 5 documents of
// his own (a sparse answer). Each measured page continues the walk with the token of the page before (a walk
// restarts at its end), so first, middle and late pages all count. Prints one JSON line last.
import { performance } from 'node:perf_hooks';
import { median, round } from './lib/stats.mjs';

const { Engine } = await import('@gatehouse/engine');

const TARGET = 2;
const PAGES = 2_000;
const SCHEMA = `
entity user {}
entity organization { relation member @user }
entity document {
  relation org @organization
  relation owner @user
  permission view = owner or org.member
}`;

async function tenantOf(n) {
  const engine = await Engine.create({ schema: SCHEMA });
  const tuples = ['organization:o3#member@user:alice'];
  for (let i = 0; i < n; i++) {
    const id = `doc-${String(i).padStart(6, '0')}`;
    tuples.push(`document:${id}#org@organization:o${i % 10}`);
    if (i % Math.floor(n / 5) === 7) tuples.push(`document:${id}#owner@user:bob`);
  }
  for (let i = 0; i < tuples.length; i += 1000) await engine.write({ tenant: 't1', tuples: tuples.slice(i, i + 1000) });
  return engine;
}

/** Median ms of a page_size 1 page over `PAGES` pages of continued walks; also the whole answer's time. */
async function measure(engine, user) {
  const request = { tenant: 't1', entityType: 'document', permission: 'view', subject: `user:${user}`, pageSize: 1 };
  let token = '';
  for (let i = 0; i < 200; i++) token = (await engine.lookupEntity({ ...request, continuousToken: token })).continuousToken; // warm-up
  token = '';
  const times = [];
  for (let i = 0; i < PAGES; i++) {
    const t0 = performance.now();
    const page = await engine.lookupEntity({ ...request, continuousToken: token });
    times.push(performance.now() - t0);
    token = page.continuousToken;
  }
  const t0 = performance.now();
  const whole = await engine.lookupEntity({ ...request, pageSize: 0 });
  const wholeMs = performance.now() - t0;
  return { page: median(times), wholeMs, wholeIds: whole.ids.length };
}

let result;
try {
  const small = await tenantOf(1_000);
  const large = await tenantOf(100_000);
  const a1 = await measure(small, 'alice');
  const a100 = await measure(large, 'alice');
  const b1 = await measure(small, 'bob');
  const b100 = await measure(large, 'bob');
  const ratio = a100.page / a1.page;
  const us = (ms) => round(ms * 1000, 1);
  result = {
    id: 'lookup-page',
    ours: us(a100.page),
    peer: us(a1.page),
    unit: 'µs median page (100 K / 1 K docs)',
    ratio: round(ratio, 2),
    target: `<= ${TARGET}`,
    pass: ratio <= TARGET,
    notes: `alice (10 % via org.member): page ${us(a100.page)} µs at 100 K vs ${us(a1.page)} µs at 1 K; bob (5 owned, sparse): ${us(b100.page)} vs ${us(b1.page)} µs (ratio ${round(b100.page / b1.page, 2)}); a first page of the default size (1,000) at 100 K: ${a100.wholeIds} ids in ${round(a100.wholeMs, 1)} ms (a page ends early on half its step budget); median of ${PAGES} continued page_size 1 pages; memory store, defaults`,
  };
} catch (err) {
  result = { id: 'lookup-page', ours: null, peer: null, unit: 'µs median page', ratio: null, target: `<= ${TARGET}`, pass: false, notes: `failed: ${err?.stack ?? err}` };
}
console.log(JSON.stringify(result));
