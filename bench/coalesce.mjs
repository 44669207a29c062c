#!/usr/bin/env node
// coalesce (docs/architecture.md#performance-targets): 100 concurrent distinct checks through Gatehouse + RemotePdp against a local node:http server
// that speaks the Gatehouse protocol's check and bulk-check (it evaluates a small role table and counts requests).
// ratio = HTTP requests made for the 100 checks (lower is better), target <= 2. Five rounds, each on a fresh client
// (cold cache), reports the worst round.
import { Gatehouse } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';
import { createServer } from 'node:http';

const TARGET = 2;
const CHECKS = 100;
const ROUNDS = 5;

// Role table: user uN has role (N % 3) in its tenant; roles grant actions on documents.
const GRANTS = { 0: new Set(['read', 'edit']), 1: new Set(['read']), 2: new Set() };
const allowed = (tenant, subject, permission) => subject.type === 'user' && GRANTS[Number(subject.id.slice(1)) % 3].has(permission) && tenant === 'acme';
const verdict = (ok) => (ok ? 'CHECK_RESULT_ALLOWED' : 'CHECK_RESULT_DENIED');

let requests = 0;
const server = createServer((req, res) => {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (c) => {
    text += c;
  });
  req.on('end', () => {
    const m = /^\/v1\/tenants\/([^/]+)\/permissions\/(check|bulk-check)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || m === null) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":5,"message":"not found","details":[]}');
      return;
    }
    requests++;
    const body = JSON.parse(text);
    const tenant = decodeURIComponent(m[1]);
    const answer =
      m[2] === 'check'
        ? { can: verdict(allowed(tenant, body.subject, body.permission)), metadata: { check_count: 1 } }
        : { results: body.items.map((i) => ({ can: verdict(allowed(tenant, i.subject, i.permission)), metadata: { check_count: 1 } })) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
});

let result;
try {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const perRound = [];
  let wrong = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const pdp = new RemotePdp({ url, watch: false, timeoutMs: 5000 });
    const gate = new Gatehouse({ pdp, timeoutMs: 5000 });
    const before = requests;
    const checks = Array.from({ length: CHECKS }, (_, i) => ({ tenant: 'acme', subject: `u${i}`, action: i % 2 ? 'edit' : 'read', resource: `document:${round * 1000 + i}` }));
    const decisions = await Promise.all(checks.map((c) => gate.check(c)));
    perRound.push(requests - before);
    decisions.forEach((d, i) => {
      const c = checks[i];
      if (d.allowed !== allowed('acme', { type: 'user', id: c.subject }, c.action) || (d.reason !== 'allowed' && d.reason !== 'denied')) wrong++;
    });
    await gate.close();
    await pdp.close();
  }
  const worst = Math.max(...perRound);
  result = {
    id: 'coalesce',
    ours: worst,
    peer: null,
    unit: 'HTTP requests',
    ratio: worst,
    target: `<= ${TARGET}`,
    pass: worst <= TARGET && wrong === 0,
    notes: `${CHECKS} concurrent distinct gate.check() calls, cold cache, RemotePdp (gatehouse protocol) -> local node:http server speaking bulk-check; requests per round ${perRound.join(',')}; wrong answers ${wrong}`,
  };
} catch (err) {
  result = { id: 'coalesce', ours: null, peer: null, unit: 'HTTP requests', ratio: null, target: `<= ${TARGET}`, pass: false, notes: `failed: ${err?.stack ?? err}` };
} finally {
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
}
console.log(JSON.stringify(result));
