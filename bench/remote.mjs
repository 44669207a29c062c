#!/usr/bin/env node
// remote (docs/architecture.md#performance-targets): a PDP check over loopback, 32 in flight, no decision cache. Ours: `gatehouse serve` (the
// package's bin, its own process) with bench/remote.perm, asked through our real client, RemotePdp (protocol
// 'gatehouse', `pdp.check()` called directly: no Gatehouse cache, no coalescing into bulk calls). Peer: the Cerbos
// PDP 0.55.0 binary (its own process) with bench/cerbos/policies/document.yaml, asked through @cerbos/grpc 0.25.0
// `checkResource()` + `isAllowed()`. The same 1,000 prepared requests (roles admin/editor/viewer/member, action
// view or edit, the principal owns the document in half of them), one action per call, every answer checked
// against the expected one. Counts follow protocols/peers.md: 32 in flight 10,000 calls, sequential 5,000,
// latency 2,000; warm-up first; 3 repeats, medians. Prints one JSON line last.
import { channel } from 'node:diagnostics_channel';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { GRPC } from '@cerbos/grpc';
import { RemotePdp } from '@gatehouse/core/remote';
import { startCerbos } from './lib/cerbos.mjs';
import { startGatehouseServer } from './lib/gatehouse-server.mjs';
import { stopOnSignal } from './lib/processes.mjs';
import { concurrentRate, latencyMicros, median, round, sequentialRate } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET = 2;
const REQUESTS = 1000;
const IN_FLIGHT = 32;
const N_CONCURRENT = Number(process.env.BENCH_REMOTE_CONCURRENT ?? 10_000);
const N_SEQUENTIAL = Number(process.env.BENCH_REMOTE_SEQUENTIAL ?? 5_000);
const N_LATENCY = Number(process.env.BENCH_REMOTE_LATENCY ?? 2_000);
const N_WARMUP = 3_000;
/** Longest time of one measured phase, so the whole run stays under 3 minutes on a loaded machine. */
const PHASE_MS = Number(process.env.BENCH_REMOTE_PHASE_MS ?? 5_000);
const REPEATS = 3;
const ROLES = ['admin', 'editor', 'viewer', 'member'];

/**
 * The 1,000 requests. Bits of i: bit 0 = the principal owns the document (exactly half), bits 1-2 = role,
 * bit 3 = action, so every 16 consecutive requests cover every combination. Principal u<i> holds one role;
 * document d<i> is owned by u<i> or by x<i> (a user with no role).
 */
function requests() {
  const out = [];
  for (let i = 0; i < REQUESTS; i++) {
    const own = i % 2 === 0;
    const role = ROLES[(i >> 1) % 4];
    const action = (i >> 3) % 2 === 0 ? 'view' : 'edit';
    const user = `u${i}`;
    const owner = own ? user : `x${i}`;
    const allowed = role === 'admin' || role === 'editor' || (role === 'viewer' && action === 'view') || own;
    out.push({ user, role, doc: `d${i}`, owner, action, allowed });
  }
  return out;
}

/**
 * The Gatehouse data, written through the server's API (`/data/write`, at most 1,000 facts per write): one role
 * tuple per principal, one owner tuple per document.
 */
async function writeData(url, reqs) {
  const tuples = reqs.flatMap((r) => [`tenant:t1#${r.role}@user:${r.user}`, `document:${r.doc}#owner@user:${r.owner}`]);
  for (let i = 0; i < tuples.length; i += 1000) {
    const res = await globalThis.fetch(`${url}/v1/tenants/t1/data/write`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tuples: tuples.slice(i, i + 1000) }),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`data/write answered ${res.status}: ${text}`);
  }
  return tuples.length;
}

/** Connection and response-header accounting of every undici client in this process (RemotePdp's pool). */
function undiciWatcher() {
  const stats = { connections: 0, connectErrors: 0, responses: 0, closeHeader: 0, keepAliveHeader: undefined };
  const onConnected = () => stats.connections++;
  const onError = () => stats.connectErrors++;
  const onHeaders = ({ response }) => {
    stats.responses++;
    const h = response.headers;
    for (let i = 0; i < h.length; i += 2) {
      const name = String(h[i]).toLowerCase();
      const value = String(h[i + 1]).toLowerCase();
      if (name === 'connection' && value === 'close') stats.closeHeader++;
      if (name === 'keep-alive') stats.keepAliveHeader = value;
    }
  };
  channel('undici:client:connected').subscribe(onConnected);
  channel('undici:client:connectError').subscribe(onError);
  channel('undici:request:headers').subscribe(onHeaders);
  return stats;
}

async function main() {
  const reqs = requests();
  let ours;
  let cerbos;
  let pdp;
  let grpc;
  let watcher;
  const stopped = { ours: false, peer: false };
  const unhook = stopOnSignal(async () => {
    await cerbos?.stop();
  });
  try {
    ours = await startGatehouseServer({ schemaFile: join(here, 'remote.perm') });
    const tupleCount = await writeData(ours.url, reqs);
    cerbos = await startCerbos();
    watcher = undiciWatcher();
    pdp = new RemotePdp({ url: ours.url, protocol: 'gatehouse', watch: false, timeoutMs: 10_000 });
    grpc = new GRPC(cerbos.grpcTarget, { tls: false });

    const wrong = { ours: 0, peer: 0 };
    const oursCall = async (i) => {
      const r = reqs[i % REQUESTS];
      const d = await pdp.check({
        tenant: 't1',
        subject: { type: 'user', id: r.user },
        action: r.action,
        resource: { type: 'document', id: r.doc },
      });
      if (d.allowed !== r.allowed) wrong.ours++;
    };
    const peerCall = async (i) => {
      const r = reqs[i % REQUESTS];
      const result = await grpc.checkResource({
        principal: { id: r.user, roles: [r.role] },
        resource: { kind: 'document', id: r.doc, attr: { owner: r.owner } },
        actions: [r.action],
      });
      if (result.isAllowed(r.action) !== r.allowed) wrong.peer++;
    };

    // Both engines must agree with the expected answer (and so with each other) on every request.
    for (const [name, call] of [['ours', oursCall], ['peer', peerCall]]) {
      await concurrentRate(REQUESTS, IN_FLIGHT, call);
      if (wrong[name] > 0) throw new Error(`${name === 'ours' ? 'Gatehouse' : 'Cerbos'} gave ${wrong[name]} wrong answers out of ${REQUESTS}`);
    }
    const allowedCount = reqs.filter((r) => r.allowed).length;

    // Warm-up (JIT, connections, both servers' caches of compiled policies).
    for (const call of [oursCall, peerCall]) {
      await concurrentRate(N_WARMUP, IN_FLIGHT, call, PHASE_MS);
      await sequentialRate(500, call, PHASE_MS);
    }

    const runs = { ours: [], peer: [] };
    const calls = { ours: 0, peer: 0 };
    for (let rep = 0; rep < REPEATS; rep++) {
      // Alternate which engine goes first, so neither always runs on a machine the other just heated.
      const order = rep % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
      const result = { ours: {}, peer: {} };
      for (const phase of ['concurrent', 'sequential', 'latency']) {
        for (const name of order) {
          const call = name === 'ours' ? oursCall : peerCall;
          let measured;
          if (phase === 'concurrent') {
            measured = await concurrentRate(N_CONCURRENT, IN_FLIGHT, call, PHASE_MS);
            result[name].concurrent = measured.rate;
          } else if (phase === 'sequential') {
            measured = await sequentialRate(N_SEQUENTIAL, call, PHASE_MS);
            result[name].sequential = measured.rate;
          } else {
            measured = await latencyMicros(N_LATENCY, call, PHASE_MS);
            Object.assign(result[name], { p50: measured.p50, p99: measured.p99 });
          }
          calls[name] += measured.calls;
        }
      }
      runs.ours.push(result.ours);
      runs.peer.push(result.peer);
    }
    if (wrong.ours > 0 || wrong.peer > 0) throw new Error(`wrong answers during the runs: ours=${wrong.ours} peer=${wrong.peer}`);
    const keepAlive = { ...watcher };

    const med = (name, key) => median(runs[name].map((r) => r[key]));
    const o = { concurrent: med('ours', 'concurrent'), sequential: med('ours', 'sequential'), p50: med('ours', 'p50'), p99: med('ours', 'p99') };
    const p = { concurrent: med('peer', 'concurrent'), sequential: med('peer', 'sequential'), p50: med('peer', 'p50'), p99: med('peer', 'p99') };
    const spread = (name) => runs[name].map((r) => Math.round(r.concurrent)).join('/');
    const ratio = o.concurrent / p.concurrent;

    // Stop our server while the client's keep-alive connections are still open (idle): it must close them
    // and exit at once, not wait for the client or for its keep-alive timeout.
    const stopStart = performance.now();
    stopped.ours = !(await ours.stop());
    const oursStopMs = performance.now() - stopStart;
    await pdp.close();
    pdp = undefined;
    grpc.close();
    grpc = undefined;
    const peerStopStart = performance.now();
    stopped.peer = !(await cerbos.stop());
    const peerStopMs = performance.now() - peerStopStart;
    unhook();

    return {
      id: 'remote',
      ours: round(o.concurrent),
      peer: round(p.concurrent),
      unit: 'checks/s',
      ratio: round(ratio, 2),
      target: `>= ${TARGET}x`,
      pass: ratio >= TARGET,
      notes: [
        `${IN_FLIGHT} in flight, cache off, ${REQUESTS} prepared requests (${allowedCount} allowed), 1 action per call, every answer checked (0 wrong; measured calls ours ${calls.ours.toLocaleString('en-US')}, peer ${calls.peer.toLocaleString('en-US')}, each phase up to ${N_CONCURRENT}/${N_SEQUENTIAL}/${N_LATENCY} calls or ${PHASE_MS / 1000} s); medians of ${REPEATS} repeats (runs ours ${spread('ours')}, peer ${spread('peer')}; ratio per repeat ${runs.ours.map((r, i) => round(r.concurrent / runs.peer[i].concurrent, 2)).join('/')})`,
        `ours: gatehouse serve (bin, own process, --log-level warn) + RemotePdp protocol 'gatehouse' (undici Pool, 16 keep-alive connections, watch off) calling pdp.check() directly; owner rule = stored relation document#owner (edit = owner or tenant.admin or tenant.editor; view = edit or tenant.viewer), roles = tenant relations (${tupleCount.toLocaleString('en-US')} tuples written via /data/write)`,
        `peer: Cerbos 0.55.0 binary (own process) via @cerbos/grpc 0.25.0 checkResource()+isAllowed(), roles in the request, owner as resource attr + CEL condition`,
        `sequential: ours ${round(o.sequential)}/s, peer ${round(p.sequential)}/s; latency p50/p99 µs: ours ${round(o.p50)}/${round(o.p99)}, peer ${round(p.p50)}/${round(p.p99)}`,
        `keep-alive: our server kept every connection open and reused it: ${keepAlive.responses.toLocaleString('en-US')} responses over ${keepAlive.connections} TCP connection(s) in the whole run, ${keepAlive.closeHeader} answered "connection: close", ${keepAlive.connectErrors} connect errors, header "keep-alive: ${keepAlive.keepAliveHeader ?? 'none'}"; SIGTERM with the client's ${keepAlive.connections} idle keep-alive connections still open: exited in ${round(oursStopMs)} ms${stopped.ours ? '' : ' (SIGKILL needed)'}`,
        `servers stopped: ours SIGTERM ${stopped.ours ? 'ok' : 'SIGKILL'}, Cerbos SIGTERM ${stopped.peer ? 'ok' : 'SIGKILL'} in ${round(peerStopMs)} ms`,
      ].join('; '),
    };
  } finally {
    await pdp?.close().catch(() => {});
    grpc?.close();
    await Promise.allSettled([ours?.stop(), cerbos?.stop()]);
    unhook();
  }
}

let result;
try {
  result = await main();
} catch (err) {
  result = { id: 'remote', ours: null, peer: null, unit: 'checks/s', ratio: null, target: `>= ${TARGET}x`, pass: false, notes: `failed: ${err?.message ?? err}` };
  process.exitCode = 1;
}
console.log(JSON.stringify(result));
