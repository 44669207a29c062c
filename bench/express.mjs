// docs/architecture.md#performance-targets `express`: req/s of an Express 5 route behind gatehouse() + authorize() on a warm decision cache,
// against the same route with neither, in the same run. The apps run in one child process (127.0.0.1, port 0 each),
// as the NestJS rows do, so that the process's heap and placement on the machine are the same for all of them;
// autocannon drives them from this process in short alternating rounds. The machine is shared, so the ratio is the
// median of the per-round ratios (each pair ran back to back); the notes add the server CPU time per request, which
// load on other cores disturbs less. Prints one JSON line last.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { corePinning } from './lib/processes.mjs';
import { median } from './lib/stats.mjs';

const ROUND_SECONDS = Number(process.env.BENCH_EXPRESS_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_EXPRESS_ROUNDS ?? 16);
const CONNECTIONS = 16;
// On a machine with two or more cores, autocannon (this process) runs on core 0 and the server on core 1, so the
// load generator and the server under test do not take turns on the same core. Off with BENCH_EXPRESS_PIN=0, or
// where `taskset` is missing.
const { enabled: PIN, pin } = corePinning('BENCH_EXPRESS_PIN');

if (process.argv[2] === 'serve') {
  await serve();
} else {
  await measure();
}

async function serve() {
  const express = (await import('express')).default;
  const { Engine, EmbeddedPdp } = await import('@gatehouse/engine');
  const { authorize, fromHeader, fromParam, gatehouse } = await import('@gatehouse/express');
  const engine = await Engine.create({
    schema: 'entity user {}\nentity tenant { relation admin @user }\nentity document {\n relation owner @user\n permission view = owner or tenant.admin\n}',
  });
  await engine.createTenant('acme');
  await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'] });
  const gate = gatehouse({
    pdp: new EmbeddedPdp(engine),
    tenant: fromHeader('x-tenant-id'),
    subject: (req) => req.headers['x-user'],
  });
  const show = (req, res) => {
    res.json({ id: req.params.id, title: 'Roadmap' });
  };
  const byId = { type: 'document', id: fromParam('id') };
  // Three apps in this one process: the same route bare, behind gate.authorize() (one layer), and behind
  // app.use(gatehouse()) + authorize() (two layers). Sharing the process, they share its heap and its luck.
  const apps = { plain: express(), guarded: express(), mounted: express() };
  apps.plain.get('/documents/:id', show);
  apps.guarded.get('/documents/:id', gate.authorize('view', byId), show);
  apps.mounted.use(gate);
  apps.mounted.get('/documents/:id', authorize('view', byId), show);
  const servers = {};
  const ports = {};
  for (const [kind, app] of Object.entries(apps)) {
    servers[kind] = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => { resolve(s); }); });
    ports[kind] = servers[kind].address().port;
  }
  process.send({ ports });
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send({ cpu: user + system });
      return;
    }
    for (const server of Object.values(servers)) {
      server.closeAllConnections();
      await new Promise((resolve) => { server.close(resolve); });
    }
    process.send({ stats: gate.client.stats });
    await gate.client.close();
    await engine.close();
    process.disconnect();
  });
}

function start() {
  const child = fork(fileURLToPath(import.meta.url), ['serve'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  pin(child.pid, 1);
  const ready = new Promise((resolve, reject) => {
    child.once('message', (m) => { resolve(m.ports); });
    child.once('exit', (code) => { reject(new Error(`server exited with ${code}`)); });
  });
  const ask = (key) => new Promise((resolve) => {
    const on = (m) => { if (m[key] !== undefined) { child.off('message', on); resolve(m[key]); } };
    child.on('message', on);
  });
  return { child, ready, ask };
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  pin(process.pid, 0);
  const server = start();
  const headers = { 'x-tenant-id': 'acme', 'x-user': 'alice' };
  const samples = { guarded: [], plain: [], mounted: [] };
  const cpuPerRequest = { guarded: [], plain: [], mounted: [] };
  const run = async (kind, seconds, record = true) => {
    const cpuBefore = server.ask('cpu');
    server.child.send('cpu');
    const before = await cpuBefore;
    const result = await autocannon({ url: `http://127.0.0.1:${(await server.ready)[kind]}/documents/1`, connections: CONNECTIONS, duration: seconds, headers });
    const cpuAfter = server.ask('cpu');
    server.child.send('cpu');
    const after = await cpuAfter;
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${kind}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    if (record) {
      samples[kind].push(result.requests.average);
      cpuPerRequest[kind].push((after - before) / result.requests.total);
    }
  };
  let notes = '';
  let stats;
  try {
    await run('guarded', 1, false);
    await run('plain', 1, false);
    await run('mounted', 1, false);
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first so a slow phase of the shared machine does not favour one side; the pair that
      // makes the ratio always runs back to back.
      const order = i % 2 === 0 ? ['guarded', 'plain', 'mounted'] : ['mounted', 'plain', 'guarded'];
      for (const kind of order) await run(kind, ROUND_SECONDS);
    }
  } catch (err) {
    notes = `failed: ${err.message}`;
  } finally {
    const { child } = server;
    const statsMessage = server.ask('stats');
    if (child.connected) child.send('stop');
    stats = await Promise.race([statsMessage, new Promise((resolve) => { setTimeout(resolve, 5000).unref(); })]);
    await new Promise((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', resolve);
      setTimeout(() => { child.kill('SIGKILL'); }, 10_000).unref();
    });
  }
  const complete = samples.guarded.length === ROUNDS && samples.plain.length === ROUNDS;
  const ours = complete ? Math.round(median(samples.guarded)) : null;
  const peer = complete ? Math.round(median(samples.plain)) : null;
  const ratio = complete ? Math.round(median(samples.guarded.map((g, i) => g / samples.plain[i])) * 1000) / 1000 : null;
  if (notes === '') {
    const cpuG = median(cpuPerRequest.guarded);
    const cpuP = median(cpuPerRequest.plain);
    const cpuM = median(cpuPerRequest.mounted);
    const mountedRatio = median(samples.mounted.map((u, i) => u / samples.plain[i])).toFixed(3);
    const cache = stats ? `; cache ${stats.hits} hits / ${stats.misses} misses` : '';
    notes = `Express 5, default options, GET /documents/:id, ${CONNECTIONS} connections, the three apps in one process, ${PIN ? 'autocannon on core 0 and the server on core 1, ' : ''}${ROUNDS} alternating ${ROUND_SECONDS}s rounds; ratio = median of per-round ratios; ` +
      `gate.authorize() (one layer) ${samples.guarded.map(Math.round).join('/')} vs plain ${samples.plain.map(Math.round).join('/')} req/s; ` +
      `server CPU ${cpuG.toFixed(1)} vs ${cpuP.toFixed(1)} µs/request (plain/authorize ${(cpuP / cpuG).toFixed(3)})${cache}; ` +
      `app.use(gatehouse()) + authorize() (two layers) ${samples.mounted.map(Math.round).join('/')} req/s, ratio ${mountedRatio}, server CPU ${cpuM.toFixed(1)} µs/request`;
  }
  console.log(JSON.stringify({ id: 'express', ours, peer, unit: 'req/s', ratio, target: 0.9, pass: ratio !== null && ratio >= 0.9, notes }));
}
