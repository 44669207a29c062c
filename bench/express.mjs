// DESIGN §9 `express`: req/s of an Express 5 route behind gatehouse() + authorize() on a warm decision cache,
// against the same route with neither, in the same run. Both apps live in one child process (127.0.0.1, port 0);
// autocannon drives them from this process in alternating rounds so drift of the shared machine hits both.
// Prints one JSON line last.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROUND_SECONDS = Number(process.env.BENCH_EXPRESS_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_EXPRESS_ROUNDS ?? 3);
const CONNECTIONS = 16;

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

  const show = (req, res) => {
    res.json({ id: req.params.id, title: 'Roadmap' });
  };
  const guarded = express();
  const gate = gatehouse({ pdp: new EmbeddedPdp(engine), tenant: fromHeader('x-tenant-id'), subject: (req) => req.headers['x-user'] });
  guarded.use(gate);
  guarded.get('/documents/:id', authorize('view', { type: 'document', id: fromParam('id') }), show);
  const plain = express();
  plain.get('/documents/:id', show);

  const listen = (app) => new Promise((resolve) => { const server = app.listen(0, '127.0.0.1', () => { resolve(server); }); });
  const servers = [await listen(guarded), await listen(plain)];
  process.send({ guarded: servers[0].address().port, plain: servers[1].address().port });
  process.on('message', async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => { server.close(resolve); });
    }
    process.send({ stats: gate.client.stats });
    await gate.client.close();
    await engine.close();
    process.disconnect();
  });
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  const child = fork(fileURLToPath(import.meta.url), ['serve'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ports = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => { reject(new Error(`server exited with ${code}`)); });
  });
  const headers = { 'x-tenant-id': 'acme', 'x-user': 'alice' };
  const run = async (port, seconds) => {
    const result = await autocannon({ url: `http://127.0.0.1:${port}/documents/1`, connections: CONNECTIONS, duration: seconds, headers });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`port ${port}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result.requests.average;
  };
  const guarded = [];
  const plain = [];
  let notes = '';
  let stats;
  try {
    await run(ports.guarded, 1);
    await run(ports.plain, 1);
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first so a slow phase of the shared machine does not favour one side.
      if (i % 2 === 0) {
        guarded.push(await run(ports.guarded, ROUND_SECONDS));
        plain.push(await run(ports.plain, ROUND_SECONDS));
      } else {
        plain.push(await run(ports.plain, ROUND_SECONDS));
        guarded.push(await run(ports.guarded, ROUND_SECONDS));
      }
    }
  } catch (err) {
    notes = `failed: ${err.message}`;
  } finally {
    const statsMessage = new Promise((resolve) => { child.on('message', (m) => { if (m.stats) resolve(m.stats); }); });
    child.send('stop');
    stats = await Promise.race([statsMessage, new Promise((resolve) => { setTimeout(resolve, 5000).unref(); })]);
    await new Promise((resolve) => { child.once('exit', resolve); setTimeout(() => { child.kill('SIGKILL'); }, 10_000).unref(); });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ours = guarded.length === ROUNDS ? Math.round(median(guarded)) : null;
  const peer = plain.length === ROUNDS ? Math.round(median(plain)) : null;
  const ratio = ours !== null && peer ? Math.round((ours / peer) * 1000) / 1000 : null;
  if (notes === '') {
    const cache = stats ? `; cache ${stats.hits} hits / ${stats.misses} misses` : '';
    notes = `Express 5, GET /documents/:id, ${CONNECTIONS} connections, median of ${ROUNDS} alternating ${ROUND_SECONDS}s rounds; authorize ${guarded.map(Math.round).join('/')} vs plain ${plain.map(Math.round).join('/')} req/s${cache}`;
  }
  console.log(JSON.stringify({ id: 'express', ours, peer, unit: 'req/s', ratio, target: 0.9, pass: ratio !== null && ratio >= 0.9, notes }));
}
