// The second process of bench/invalidate.mjs: a Gatehouse client with its decision cache on, over RemotePdp with
// the watch feed on (SSE). Driven by its parent over IPC:
//   { type: 'init', url }          → { type: 'ready' } once the change stream is connected
//   { type: 'prime', doc, snap }   → { type: 'primed' } once the write with snap token `snap` has been seen on the
//                                    feed and `check()` has put an allow for alice/view/document:<doc> in the cache
//   { type: 'poll', doc }          → { type: 'polling' } (the cached allow is there), then polls `gate.check()`
//                                    every 1 ms and sends { type: 'gone', checks, eventToGoneMs } when the check no
//                                    longer answers the stale allow
//   { type: 'close' }              → closes the client and the PDP, then leaves the IPC channel and exits
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Gatehouse } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';

const TENANT = 't1';
let pdp;
let gate;
let headSeen;
let lastEventAt = 0;
const waiters = new Set();

const send = (message) => process.send?.(message);
const input = (doc) => ({ tenant: TENANT, subject: 'alice', action: 'view', resource: `document:${doc}` });

function seen(snap) {
  return headSeen !== undefined && pdp.compareSnapTokens(headSeen, snap) >= 0;
}

function waitFor(predicate, what, timeoutMs = 10_000) {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const waiter = () => {
      if (!predicate()) return;
      clearTimeout(timer);
      waiters.delete(waiter);
      resolve();
    };
    const timer = setTimeout(() => {
      waiters.delete(waiter);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    waiters.add(waiter);
  });
}

async function init(url) {
  pdp = new RemotePdp({ url, protocol: 'gatehouse', watch: true });
  gate = new Gatehouse({ pdp, cache: { ttlMs: 60_000 } });
  let connected = false;
  pdp.subscribe((event) => {
    if (event.tenant !== TENANT && event.tenant !== '*') return;
    lastEventAt = performance.now();
    if (event.kind === 'reset') connected = true;
    if (event.snapToken !== undefined && (headSeen === undefined || pdp.compareSnapTokens(event.snapToken, headSeen) > 0)) {
      headSeen = event.snapToken;
    }
    for (const w of [...waiters]) w();
  });
  // The first call for a tenant opens its change stream; a connected stream announces itself with a reset.
  await gate.check(input('none'));
  await waitFor(() => connected, 'the change stream to connect');
}

async function prime(doc, snap) {
  await waitFor(() => seen(snap), `the change event of snap token ${snap}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const d = await gate.check(input(doc));
    const hit = gate.peek(input(doc));
    if (d.allowed && hit?.allowed === true && hit.cached === true) return;
    if (Date.now() > deadline) throw new Error(`no cached allow for document:${doc} (check: ${JSON.stringify(d)})`);
    await sleep(1);
  }
}

async function poll(doc) {
  const hit = gate.peek(input(doc));
  if (hit?.allowed !== true || hit.cached !== true) throw new Error(`the cached allow for document:${doc} is gone before the revoke`);
  send({ type: 'polling' });
  const deadline = Date.now() + 10_000;
  let checks = 0;
  for (;;) {
    const d = await gate.check(input(doc));
    checks++;
    if (!d.allowed) {
      send({ type: 'gone', checks, eventToGoneMs: performance.now() - lastEventAt, reason: d.reason });
      return;
    }
    if (Date.now() > deadline) throw new Error(`document:${doc} still allowed 10 s after the revoke`);
    await sleep(1);
  }
}

process.on('message', (message) => {
  const run = async () => {
    switch (message.type) {
      case 'init':
        await init(message.url);
        send({ type: 'ready' });
        break;
      case 'prime':
        await prime(message.doc, message.snap);
        send({ type: 'primed' });
        break;
      case 'poll':
        await poll(message.doc);
        break;
      case 'close':
        await gate?.close();
        await pdp?.close();
        process.disconnect?.();
        break;
      default:
        throw new Error(`unknown message ${JSON.stringify(message)}`);
    }
  };
  run().catch((err) => {
    send({ type: 'error', message: err?.message ?? String(err) });
  });
});
