// The NestJS rows of the performance targets (docs/architecture.md#performance-targets), `nestjs`
// (platform-express) and `nestjs-fastify`: req/s of a NestJS route behind the PermissionGuard (default options) on a
// warm decision cache, against the same route with no guard, in the same run. The two apps live in one child process
// (pinned to core 1 where `taskset` exists, autocannon on core 0); autocannon drives them from this process in pairs
// of short adjacent rounds (order alternating), and the ratio is the median of the pairs' ratios, so the load of a
// shared machine hits both sides of each pair alike. The pairs are spread over several server processes (4), which
// create the apps in alternating orders: two identical bare apps in one process measured up to 10 % apart for that
// process's life, and the ratio of one process moved from 0.76 to 0.99 between processes, so one process is one
// sample. Run by bench/nestjs.mjs and bench/nestjs-fastify.mjs; prints
// one JSON line last.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { corePinning } from './lib/processes.mjs';
import { median } from './lib/stats.mjs';

const ROUND_SECONDS = Number(process.env.BENCH_NESTJS_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_NESTJS_ROUNDS ?? 16);
const PROCESSES = Number(process.env.BENCH_NESTJS_PROCESSES ?? 4);
const CONNECTIONS = 16;
const { enabled: PIN, pin } = corePinning('BENCH_NESTJS_PIN');

if (process.argv[2] === 'serve') await serve(process.argv[3], process.argv[4] ?? 'guarded-first');

/**
 * Measures one platform and prints the row.
 * @param {'express' | 'fastify'} platform
 */
export async function main(platform) {
  await measure(platform);
}

async function serve(platform, order) {
  await import('reflect-metadata');
  const { Controller, Get, Module, Param } = await import('@nestjs/common');
  const { APP_GUARD, NestFactory } = await import('@nestjs/core');
  const { Engine, EmbeddedPdp } = await import('@gatehouse/engine');
  const { GatehouseModule, Permission, PermissionGuard, fromHeader, fromParam } = await import('@gatehouse/nestjs');

  const engine = await Engine.create({
    schema: 'entity user {}\nentity tenant { relation admin @user }\nentity document {\n relation owner @user\n permission view = owner or tenant.admin\n}',
  });
  await engine.createTenant('acme');
  await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'] });

  // The same handler, once with @Permission() under the global guard, once bare.
  function documentsController(guarded) {
    class DocumentsController {
      get(id) {
        return { id, title: 'Roadmap' };
      }
    }
    const proto = DocumentsController.prototype;
    const decorators = [Get(':id'), ...(guarded ? [Permission('view', 'document', { id: fromParam('id') })] : [])];
    Reflect.decorate(decorators, proto, 'get', Object.getOwnPropertyDescriptor(proto, 'get'));
    Param('id')(proto, 'get', 0);
    Reflect.defineMetadata('design:paramtypes', [String], proto, 'get');
    Controller('documents')(DocumentsController);
    return DocumentsController;
  }

  // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module, decorated by hand below
  class GuardedModule {}
  Module({
    imports: [
      GatehouseModule.forRoot({
        pdp: new EmbeddedPdp(engine),
        tenant: fromHeader('x-tenant-id'),
        subject: (req) => req.headers['x-user'],
      }),
    ],
    controllers: [documentsController(true)],
    providers: [{ provide: APP_GUARD, useClass: PermissionGuard }],
  })(GuardedModule);
  // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module, decorated by hand below
  class PlainModule {}
  Module({ controllers: [documentsController(false)] })(PlainModule);

  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const create = async (module) => platform === 'fastify'
    ? await NestFactory.create(module, new FastifyAdapter(), { logger: false })
    : await NestFactory.create(module, { logger: false });
  // Two identical apps in one process can differ by several per cent for the life of the process (seen with two
  // bare apps); the measurement runs two processes that create the apps in opposite orders.
  const apps = {};
  for (const name of order === 'plain-first' ? ['plain', 'guarded'] : ['guarded', 'plain']) apps[name] = await create(name === 'guarded' ? GuardedModule : PlainModule);
  const ports = {};
  for (const [name, app] of Object.entries(apps)) {
    await app.listen(0, '127.0.0.1');
    ports[name] = app.getHttpServer().address().port;
  }
  process.send(ports);
  process.on('message', async (message) => {
    if (message === 'cpu') {
      process.send({ cpu: process.cpuUsage() });
      return;
    }
    for (const app of Object.values(apps)) await app.close();
    await engine.close();
    process.disconnect();
  });
}

async function measure(platform) {
  const autocannon = (await import('autocannon')).default;
  pin(process.pid, 0);
  const headers = { 'x-tenant-id': 'acme', 'x-user': 'alice' };
  // Server CPU µs per request of each side: robust to a busy machine, where req/s mostly measures the neighbours.
  const cpuPerRequest = { guarded: [], plain: [] };
  const result = { guarded: [], plain: [] };

  /** One server process (the apps created in `order`), `rounds` pairs of adjacent rounds, order alternating. */
  const session = async (order, rounds) => {
    const child = fork(fileURLToPath(import.meta.url), ['serve', platform, order], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    pin(child.pid, 1);
    try {
      const ports = await new Promise((resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', (code) => { reject(new Error(`server exited with ${code}`)); });
      });
      const serverCpu = () => new Promise((resolve) => {
        child.once('message', ({ cpu }) => { resolve(cpu.user + cpu.system); });
        child.send('cpu');
      });
      const run = async (side, seconds) => {
        const before = await serverCpu();
        const out = await autocannon({ url: `http://127.0.0.1:${ports[side]}/documents/1`, connections: CONNECTIONS, duration: seconds, headers });
        const after = await serverCpu();
        if (out.non2xx > 0 || out.errors > 0) throw new Error(`${side}: ${out.non2xx} non-2xx, ${out.errors} errors`);
        if (seconds === ROUND_SECONDS) {
          cpuPerRequest[side].push((after - before) / out.requests.total);
          result[side].push(out.requests.average);
        }
      };
      await run('guarded', 1);
      await run('plain', 1);
      for (let i = 0; i < rounds; i++) {
        for (const side of i % 2 === 0 ? ['guarded', 'plain'] : ['plain', 'guarded']) await run(side, ROUND_SECONDS);
      }
    } finally {
      if (child.connected) child.send('stop');
      await new Promise((resolve) => {
        if (child.exitCode !== null) { resolve(); return; }
        child.once('exit', resolve);
        setTimeout(() => { child.kill('SIGKILL'); }, 10_000).unref();
      });
    }
  };
  const ratioOf = ({ guarded, plain }) => Math.round(median(guarded.map((g, i) => g / plain[i])) * 1000) / 1000;
  let notes = '';
  const perProcess = [];
  try {
    // The pairs spread over the processes; the guarded app created first in every other one.
    for (let p = 0; p < PROCESSES; p++) {
      const share = Math.floor(ROUNDS / PROCESSES) + (p < ROUNDS % PROCESSES ? 1 : 0);
      perProcess.push(share);
      await session(p % 2 === 0 ? 'guarded-first' : 'plain-first', share);
    }
  } catch (err) {
    notes = `failed: ${err.message}`;
  }
  const complete = notes === '' && result.guarded.length === ROUNDS && result.plain.length === ROUNDS;
  const ours = complete ? Math.round(median(result.guarded)) : null;
  const peer = complete ? Math.round(median(result.plain)) : null;
  const ratio = complete ? ratioOf(result) : null;
  if (notes === '') {
    const list = (xs) => xs.map(Math.round).join('/');
    const cpuG = median(cpuPerRequest.guarded);
    const cpuP = median(cpuPerRequest.plain);
    let at = 0;
    const byProcess = perProcess.map((n, p) => {
      const part = { guarded: result.guarded.slice(at, at + n), plain: result.plain.slice(at, at + n) };
      at += n;
      return `${ratioOf(part)} (${p % 2 === 0 ? 'guarded' : 'bare'} app created first)`;
    }).join(', ');
    notes = `platform-${platform}, default options, GET /documents/:id, ${CONNECTIONS} connections, ${PIN ? 'autocannon on core 0 and the server on core 1, ' : ''}ratio = median of ${ROUNDS} pairs of adjacent ${ROUND_SECONDS}s rounds in ${PROCESSES} server processes (per process: ${byProcess}); guarded ${list(result.guarded)} vs plain ${list(result.plain)} req/s; server CPU per request ${cpuG.toFixed(1)} vs ${cpuP.toFixed(1)} µs (plain/guarded ${(cpuP / cpuG).toFixed(3)})`;
  }
  const id = platform === 'fastify' ? 'nestjs-fastify' : 'nestjs';
  console.log(JSON.stringify({ id, ours, peer, unit: 'req/s', ratio, target: 0.9, pass: ratio !== null && ratio >= 0.9, notes }));
}
