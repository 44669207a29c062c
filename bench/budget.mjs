#!/usr/bin/env node
// budget (docs/architecture.md#performance-targets, issue 14 item 2): the worst `/healthz` round trip, in ms, while
// 10 concurrent budget-busting checks run on the server. The server is `gatehouse serve` (the package's bin, its
// own process, default options: the default step budget). Each of 10 clients sends, again and again, the review's
// probe: `rule big(xs integer[]) { xs.all(x, xs.all(y, xs.all(z, x + y + z > 0))) }` checked with a contextual
// 1,000-integer list (every answer must be 422 GH_ERR_BUDGET_EXCEEDED). Meanwhile one prober asks /healthz in a
// loop; the row is the worst round trip of the measured window (target <= 100 ms). Prints one JSON line last.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGatehouseServer } from './lib/gatehouse-server.mjs';

const TARGET = 100;
const CLIENTS = 10;
const WARMUP_MS = 2_000;
const MEASURE_MS = Number(process.env.BENCH_BUDGET_MS ?? 10_000);

const SCHEMA = `
entity user {}
entity doc {
  attribute xs integer[]
  permission cube = big(xs)
}
rule big(xs integer[]) { xs.all(x, xs.all(y, xs.all(z, x + y + z > 0))) }
`;
const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
const body = JSON.stringify({
  entity: { type: 'doc', id: '1' },
  permission: 'cube',
  subject: { type: 'user', id: 'mallory' },
  context: { attributes: [{ entity: { type: 'doc', id: '1' }, attribute: 'xs', value: { '@type': 'type.googleapis.com/base.v1.IntegerArrayValue', data: thousand } }] },
});

const round = (x) => Math.round(x * 10) / 10;

/** CPU time (user + system) a process has used, in ms, from /proc (Linux; `undefined` elsewhere). */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}
let result;
const dir = mkdtempSync(join(tmpdir(), 'gh-bench-budget-'));
const schemaFile = join(dir, 'budget.perm');
writeFileSync(schemaFile, SCHEMA);
let server;
try {
  server = await startGatehouseServer({ schemaFile });
  const url = `${server.url}/v1/tenants/t1/permissions/check`;
  let stop = false;
  let busts = 0;
  let wrong = 0;
  const checkTimes = [];
  const client = async () => {
    while (!stop) {
      const t0 = performance.now();
      const res = await globalThis.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const answer = await res.json();
      checkTimes.push(performance.now() - t0);
      if (res.status === 422 && answer?.details?.[0]?.reason === 'GH_ERR_BUDGET_EXCEEDED') busts++;
      else wrong++;
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  await sleep(WARMUP_MS);
  const rtts = [];
  const cpuBefore = cpuMs(server.pid);
  const bustsBefore = busts;
  const until = performance.now() + MEASURE_MS;
  while (performance.now() < until) {
    const t0 = performance.now();
    const res = await globalThis.fetch(`${server.url}/healthz`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
    rtts.push(performance.now() - t0);
    await sleep(5);
  }
  const cpuAfter = cpuMs(server.pid);
  const bustsDuring = busts - bustsBefore;
  stop = true;
  await Promise.all(clients);
  const cpuPerBust = cpuBefore === undefined || cpuAfter === undefined || bustsDuring === 0 ? undefined : (cpuAfter - cpuBefore) / bustsDuring;
  if (wrong > 0) throw new Error(`${wrong} busting checks were not answered 422 GH_ERR_BUDGET_EXCEEDED`);
  rtts.sort((a, b) => a - b);
  checkTimes.sort((a, b) => a - b);
  const worst = rtts.at(-1);
  result = {
    id: 'budget',
    ours: round(worst),
    peer: null,
    unit: 'ms worst /healthz',
    ratio: round(worst),
    target: `<= ${TARGET}`,
    pass: worst <= TARGET,
    notes: `${rtts.length} /healthz probes over ${MEASURE_MS / 1000} s: p50 ${round(rtts[rtts.length >> 1])} ms, p99 ${round(rtts[Math.floor(rtts.length * 0.99)])} ms; ${busts} busting checks answered 422 (median ${round(checkTimes[checkTimes.length >> 1])} ms each with ${CLIENTS} in flight); server CPU per busting check ${cpuPerBust === undefined ? 'n/a' : `${round(cpuPerBust)} ms`}; default budget; machine load average ${loadavg().map((l) => l.toFixed(1)).join('/')}`,
  };
} catch (err) {
  result = { id: 'budget', ours: null, peer: null, unit: 'ms worst /healthz', ratio: null, target: `<= ${TARGET}`, pass: false, notes: `failed: ${err?.stack ?? err}` };
} finally {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
