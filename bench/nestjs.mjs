// DESIGN §9 `nestjs`: req/s of a NestJS route behind the PermissionGuard on a warm decision cache, against the
// same route with no guard, in the same run. The two apps (express platform) live in a child process; autocannon
// drives them from this process in pairs of short adjacent rounds (order alternating), and the ratio is the median
// of the pairs' ratios, so the load of a shared machine hits both sides of each pair alike. Prints one JSON line last.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROUND_SECONDS = Number(process.env.BENCH_NESTJS_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_NESTJS_ROUNDS ?? 9);
const CONNECTIONS = 16;

if (process.argv[2] === 'serve') {
  await serve();
} else {
  await measure();
}

async function serve() {
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

  const guarded = await NestFactory.create(GuardedModule, { logger: false });
  const plain = await NestFactory.create(PlainModule, { logger: false });
  await guarded.listen(0, '127.0.0.1');
  await plain.listen(0, '127.0.0.1');
  process.send({ guarded: guarded.getHttpServer().address().port, plain: plain.getHttpServer().address().port });
  process.on('message', async () => {
    await guarded.close();
    await plain.close();
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
    child.send('stop');
    await new Promise((resolve) => { child.once('exit', resolve); setTimeout(() => { child.kill('SIGKILL'); }, 10_000).unref(); });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const complete = guarded.length === ROUNDS && plain.length === ROUNDS;
  const ours = complete ? Math.round(median(guarded)) : null;
  const peer = complete ? Math.round(median(plain)) : null;
  const ratio = complete ? Math.round(median(guarded.map((g, i) => g / plain[i])) * 1000) / 1000 : null;
  if (notes === '') {
    notes = `express platform, GET /documents/:id, ${CONNECTIONS} connections, median of ${ROUNDS} pairs of adjacent ${ROUND_SECONDS}s rounds (ratio: median of pair ratios); guarded ${guarded.map(Math.round).join('/')} vs plain ${plain.map(Math.round).join('/')} req/s`;
  }
  console.log(JSON.stringify({ id: 'nestjs', ours, peer, unit: 'req/s', ratio, target: 0.9, pass: ratio !== null && ratio >= 0.9, notes }));
}
