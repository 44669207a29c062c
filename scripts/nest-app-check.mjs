/* global fetch, AbortSignal */
// Part of scripts/pack-install-test.mjs: a NestJS 12 app laid out as `nest new` makes it (ESM, `main.ts` passing
// `instrument: ObserveInstrument` from `@nestjs/observe`, which wraps every provider in a Proxy), with
// @gatehouse/nestjs, core and engine installed from the packed tarballs and the module code of
// packages/nestjs/README.md. It must answer 200 to the owner, 403 to another user and 401 without a user.
// The Observe agent's collector is a local stub (OBSERVE_ENDPOINT), and the app binds 127.0.0.1, so nothing leaves
// the machine.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const MAIN = `import { NestFactory } from '@nestjs/core';
import { AppModule, ObserveInstrument } from './app.module.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule, {
    instrument: ObserveInstrument,
  });
  app.enableShutdownHooks();
  await app.listen(process.env.PORT ?? 3000, '127.0.0.1');
  console.log(\`listening on \${await app.getUrl()}\`);
}
await bootstrap();
`;

const MODULE = `import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import type { MiddlewareConsumer, NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { createObserveModule } from '@nestjs/observe';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { fromHeader, fromParam, GatehouseModule, Permission, PermissionGuard, Tenant } from '@gatehouse/nestjs';

export const { ObserveModule, ObserveInstrument } = createObserveModule();

const engine = await Engine.create({
  schema: \`
    entity user {}
    entity tenant { relation admin @user }
    entity document {
      relation owner @user
      permission view = owner or tenant.admin
    }\`,
});
await engine.createTenant('acme');
await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'] });

interface RequestWithUser { headers: Record<string, string | string[] | undefined>; user?: { id: string } }

function fakeAuth(req: RequestWithUser, _res: unknown, next: () => void): void {
  const id = req.headers['x-user'];
  if (typeof id === 'string' && id !== '') req.user = { id };
  next();
}

@Controller('documents')
class DocumentsController {
  @Get(':id')
  @Permission('view', 'document', { id: fromParam('id') })
  view(@Param('id') id: string, @Tenant() tenant: string) {
    return { id, tenant };
  }
}

@Module({
  imports: [
    ObserveModule.forRoot({ appKey: 'YOUR_APP_KEY', appSecret: 'YOUR_APP_SECRET', serviceId: 'gatehouse-pack-test' }),
    GatehouseModule.forRoot({
      pdp: new EmbeddedPdp(engine),
      tenant: fromHeader('x-tenant-id'),
      subject: (req) => (req as RequestWithUser).user?.id,
    }),
  ],
  controllers: [DocumentsController],
  providers: [{ provide: APP_GUARD, useClass: PermissionGuard }],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(fakeAuth).forRoutes('*');
  }
}
`;

// The compiler options `nest new` (CLI 12) writes for an ESM app.
const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    resolvePackageJsonExports: true,
    esModuleInterop: true,
    isolatedModules: true,
    declaration: true,
    removeComments: true,
    emitDecoratorMetadata: true,
    experimentalDecorators: true,
    allowSyntheticDefaultImports: true,
    target: 'ES2023',
    sourceMap: true,
    outDir: './dist',
    baseUrl: './',
    incremental: true,
    skipLibCheck: true,
    strictNullChecks: true,
    forceConsistentCasingInFileNames: true,
    noImplicitAny: false,
    strictBindCallApply: false,
    noFallthroughCasesInSwitch: false,
    types: ['node'],
  },
  include: ['src'],
};

/** A free loopback port. */
async function freePort() {
  const s = createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/**
 * Builds, starts and asks the app; pushes what went wrong onto `problems`.
 * @param {{ work: string, byName: Map<string, string>, run: Function, ROOT: string, problems: string[] }} ctx
 */
export async function checkStockNestApp({ work, byName, run, ROOT, problems }) {
  const app = join(work, 'nest-app');
  mkdirSync(join(app, 'src'), { recursive: true });
  const example = JSON.parse(readFileSync(join(ROOT, 'examples', 'nestjs-app', 'package.json'), 'utf8')).dependencies;
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'nest-new-app', private: true, version: '0.0.1', type: 'module' }, null, 2));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  writeFileSync(join(app, 'src', 'main.ts'), MAIN);
  writeFileSync(join(app, 'src', 'app.module.ts'), MODULE);
  const third = ['@nestjs/common', '@nestjs/core', '@nestjs/observe', '@nestjs/platform-express', 'reflect-metadata', 'rxjs'].map((n) => `${n}@${example[n]}`);
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...['@gatehouse/core', '@gatehouse/engine', '@gatehouse/nestjs'].map((n) => byName.get(n)), ...third, `typescript@${root.typescript}`, `@types/node@${root['@types/node']}`], {
    cwd: app,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, stdio: ['ignore', 'inherit', 'inherit'] });

  const collector = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const port = await freePort();
  const child = spawn(process.execPath, [join(app, 'dist', 'main.js')], {
    cwd: app,
    env: { ...process.env, PORT: String(port), OBSERVE_ENDPOINT: `http://127.0.0.1:${collector.address().port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the app did not listen within 30 s:\n${output}`)), 30_000);
      const seen = (chunk) => {
        output += chunk;
        if (output.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the app exited (${code}) before listening:\n${output}`));
      });
    });
    const ask = async (user) => {
      const headers = { 'x-tenant-id': 'acme', ...(user === undefined ? {} : { 'x-user': user }) };
      const res = await fetch(`http://127.0.0.1:${port}/documents/1`, { headers, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      return res.status;
    };
    const got = { owner: await ask('alice'), other: await ask('carol'), anonymous: await ask(undefined) };
    const want = { owner: 200, other: 403, anonymous: 401 };
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`stock Nest app: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}\n${output}`);
    else console.log(`stock Nest 12 app under Observe: owner 200, other user 403, no user 401`);
  } catch (err) {
    problems.push(`stock Nest app: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
    collector.closeAllConnections();
    await new Promise((resolve) => collector.close(resolve));
  }
}
