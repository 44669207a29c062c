// The NestJS rows of the performance targets (docs/architecture.md#performance-targets), `nestjs`
// (platform-express) and `nestjs-fastify`: req/s of a NestJS route behind the PermissionGuard (default options) on a
// warm decision cache, against the same route with no guard, in the same run. The two apps live in a child process
// (pinned to core 1 where `taskset` exists, autocannon on core 0); autocannon drives them from this process in pairs
// of short adjacent rounds (order alternating), and the ratio is the median of the pairs' ratios, so the load of a
// shared machine hits both sides of each pair alike. Run by bench/nestjs.mjs and bench/nestjs-fastify.mjs; prints
// one JSON line last.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { corePinning } from './lib/processes.mjs';
import { median } from './lib/stats.mjs';

const ROUND_SECONDS = Number(process.env.BENCH_NESTJS_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_NESTJS_ROUNDS ?? 15);
const CONNECTIONS = 16;
const { enabled: PIN, pin } = corePinning('BENCH_NESTJS_PIN');

if (process.argv[2] === 'serve') await serve(process.argv[3]);

/**
 * Measures one platform and prints the row.
 * @param {'express' | 'fastify'} platform
 */
export async function main(platform) {
  await measure(platform);
}

async function serve(platform) {
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
  const apps = { guarded: await create(GuardedModule), plain: await create(PlainModule) };
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
  const child = fork(fileURLToPath(import.meta.url), ['serve', platform], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  pin(child.pid, 1);
  const ports = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => { reject(new Error(`server exited with ${code}`)); });
  });
  const headers = { 'x-tenant-id': 'acme', 'x-user': 'alice' };
  const serverCpu = () => new Promise((resolve) => {
    child.once('message', ({ cpu }) => { resolve(cpu.user + cpu.system); });
    child.send('cpu');
  });
  // Server CPU µs per request, per port: robust to a busy machine, where req/s mostly measures the neighbours.
  const cpuPerRequest = new Map();
  const run = async (port, seconds) => {
    const before = await serverCpu();
    const result = await autocannon({ url: `http://127.0.0.1:${port}/documents/1`, connections: CONNECTIONS, duration: seconds, headers });
    const after = await serverCpu();
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`port ${port}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    if (seconds === ROUND_SECONDS) cpuPerRequest.set(port, [...(cpuPerRequest.get(port) ?? []), (after - before) / result.requests.total]);
    return result.requests.average;
  };
  // Pairs of adjacent rounds, alternating which side goes first.
  const pairs = async (guardedPort, plainPort, rounds) => {
    const guarded = [];
    const plain = [];
    await run(guardedPort, 1);
    await run(plainPort, 1);
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) {
        guarded.push(await run(guardedPort, ROUND_SECONDS));
        plain.push(await run(plainPort, ROUND_SECONDS));
      } else {
        plain.push(await run(plainPort, ROUND_SECONDS));
        guarded.push(await run(guardedPort, ROUND_SECONDS));
      }
    }
    return { guarded, plain };
  };
  const ratioOf = ({ guarded, plain }) => Math.round(median(guarded.map((g, i) => g / plain[i])) * 1000) / 1000;
  let result;
  let notes = '';
  try {
    result = await pairs(ports.guarded, ports.plain, ROUNDS);
  } catch (err) {
    notes = `failed: ${err.message}`;
  } finally {
    child.send('stop');
    await new Promise((resolve) => { child.once('exit', resolve); setTimeout(() => { child.kill('SIGKILL'); }, 10_000).unref(); });
  }
  const ours = result ? Math.round(median(result.guarded)) : null;
  const peer = result ? Math.round(median(result.plain)) : null;
  const ratio = result ? ratioOf(result) : null;
  if (notes === '') {
    const list = (xs) => xs.map(Math.round).join('/');
    const cpu = (port) => median(cpuPerRequest.get(port) ?? [NaN]);
    const cpuG = cpu(ports.guarded);
    const cpuP = cpu(ports.plain);
    notes = `platform-${platform}, default options, GET /documents/:id, ${CONNECTIONS} connections, ${PIN ? 'autocannon on core 0 and the server on core 1, ' : ''}ratio = median of ${ROUNDS} pairs of adjacent ${ROUND_SECONDS}s rounds; guarded ${list(result.guarded)} vs plain ${list(result.plain)} req/s; server CPU per request ${cpuG.toFixed(1)} vs ${cpuP.toFixed(1)} µs (plain/guarded ${(cpuP / cpuG).toFixed(3)})`;
  }
  const id = platform === 'fastify' ? 'nestjs-fastify' : 'nestjs';
  console.log(JSON.stringify({ id, ours, peer, unit: 'req/s', ratio, target: 0.9, pass: ratio !== null && ratio >= 0.9, notes }));
}
