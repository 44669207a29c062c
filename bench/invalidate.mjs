#!/usr/bin/env node
// invalidate (docs/architecture.md#performance-targets): revoke in one process → the stale decision is gone in another, on loopback. Three
// processes: our PDP server (`gatehouse serve`, the package's bin, with bench/remote.perm); a client process
// (bench/lib/invalidate-client.mjs) running a Gatehouse client with its decision cache on over RemotePdp with the
// watch feed (SSE) on; and this one. Per round: grant `document:dN#owner@user:alice` through /data/write, let the
// client cache the allow of alice/view/document:dN, have it poll `gate.check()` every 1 ms, then revoke through
// /data/delete and time from just before the delete request until the client's message that `check()` no longer
// answers allow arrives here over IPC (so the figure includes the delete's HTTP call and the IPC hop). 2 warm-up
// rounds, 20 measured; median and max. No peer. Prints one JSON line last.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startGatehouseServer } from './lib/gatehouse-server.mjs';
import { stopChild, stopOnSignal } from './lib/processes.mjs';
import { median, percentile, round } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET_MS = 100;
const WARMUP = 2;
const ROUNDS = Number(process.env.BENCH_INVALIDATE_ROUNDS ?? 20);

async function post(url, path, body) {
  const res = await globalThis.fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Talks to the client process: one outstanding request at a time, answered by a message of the given type. */
function messenger(child) {
  let pending;
  child.on('message', (message) => {
    const p = pending;
    if (p === undefined) return;
    if (message.type === 'error') {
      pending = undefined;
      p.reject(new Error(`client process: ${message.message}`));
    } else if (message.type === p.type) {
      pending = undefined;
      p.resolve({ ...message, at: performance.now() });
    }
  });
  child.on('exit', (code, signal) => {
    pending?.reject(new Error(`client process exited (${code ?? signal})`));
    pending = undefined;
  });
  /** Resolves with the next message of type `type` (and its arrival time), after sending `message` if given. */
  return (type, message, timeoutMs = 15_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending = undefined;
        reject(new Error(`client process: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      pending = {
        type,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      if (message !== undefined) child.send(message);
    });
}

async function main() {
  let server;
  let client;
  const stopClient = async () => {
    if (client !== undefined) await stopChild(client);
  };
  const unhook = stopOnSignal(stopClient);
  try {
    server = await startGatehouseServer({ schemaFile: join(here, 'remote.perm') });
    client = fork(join(here, 'lib', 'invalidate-client.mjs'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const ask = messenger(client);
    await ask('ready', { type: 'init', url: server.url });

    const times = [];
    const deletes = [];
    const eventToGone = [];
    let allowsWhilePolling = 0;
    for (let r = 0; r < WARMUP + ROUNDS; r++) {
      const doc = `d${r}`;
      const tuple = `document:${doc}#owner@user:alice`;
      const { snap_token: snap } = await post(server.url, '/v1/tenants/t1/data/write', { tuples: [tuple] });
      await ask('primed', { type: 'prime', doc, snap });
      await ask('polling', { type: 'poll', doc });
      const gone = ask('gone');
      const t0 = performance.now();
      await post(server.url, '/v1/tenants/t1/data/delete', {
        tuple_filter: { entity: { type: 'document', ids: [doc] }, relation: 'owner', subject: { type: 'user', ids: ['alice'] } },
      });
      const deleted = performance.now();
      const g = await gone;
      if (g.reason !== 'denied') throw new Error(`after the revoke the client answered ${g.reason}, not a denial`);
      if (r < WARMUP) continue;
      times.push(g.at - t0);
      deletes.push(deleted - t0);
      eventToGone.push(g.eventToGoneMs);
      allowsWhilePolling += g.checks - 1;
    }

    client.send({ type: 'close' });
    const clientClean = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 5_000);
      client.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
    });
    await stopClient();
    const serverKilled = await server.stop();
    server = undefined;

    const med = median(times);
    const max = Math.max(...times);
    return {
      id: 'invalidate',
      ours: round(med),
      peer: null,
      unit: 'ms',
      ratio: round(med),
      target: `<= ${TARGET_MS} ms`,
      pass: med <= TARGET_MS,
      notes: [
        `revoke via POST /data/delete in one process → the other process's cached allow gone (gate.check() answers denied), ${ROUNDS} rounds after ${WARMUP} warm-up: median ${round(med)} ms, p90 ${round(percentile(times, 90))} ms, max ${round(max)} ms, min ${round(Math.min(...times))} ms`,
        `3 processes: gatehouse serve (bin, --log-level warn), client process (Gatehouse cache on, ttl 60 s, over RemotePdp with the SSE watch feed), this one; the time runs from just before the delete request to the client's IPC message, so it includes the delete's HTTP round trip (median ${round(median(deletes))} ms) and the IPC hop; client polls check() every 1 ms`,
        `in the client, from the change event's arrival to the first denied check (a cache miss answered by the server): median ${round(median(eventToGone))} ms; allows answered while polling (before and after the delete committed): ${allowsWhilePolling} in ${ROUNDS} rounds`,
        `client exited cleanly: ${clientClean ? 'yes' : 'no'}; server stopped with ${serverKilled ? 'SIGKILL' : 'SIGTERM'}`,
      ].join('; '),
    };
  } finally {
    await stopClient();
    await server?.stop();
    unhook();
  }
}

let result;
try {
  result = await main();
} catch (err) {
  result = { id: 'invalidate', ours: null, peer: null, unit: 'ms', ratio: null, target: `<= ${TARGET_MS} ms`, pass: false, notes: `failed: ${err?.message ?? err}` };
  process.exitCode = 1;
}
console.log(JSON.stringify(result));
