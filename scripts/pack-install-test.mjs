#!/usr/bin/env node
// The packages as a user gets them. Usage: node scripts/pack-install-test.mjs  (run by .ci/run, never by npm test)
//  1. `npm pack` every publishable workspace package (each builds itself in `prepack`);
//  2. checks each tarball: LICENSE and README.md inside, no *.tsbuildinfo, every source map's sources inside it;
//     then publint on it (warnings are errors);
//  3. installs @gatehouse/core, engine and pdp-server from the tarballs into a temporary app OUTSIDE the repository
//     (third-party dependencies come from the npm cache, else the registry), checks that pg and ioredis were not
//     installed (store-postgres is an optional peer), compiles a TypeScript ESM consumer and a CommonJS one
//     (`module: nodenext`, require() of the ESM packages) and runs an embedded check in each (one allow, one deny);
//     runs the installed `gatehouse --version` and `gatehouse serve --postgres …` (the missing-peer message);
//  4. builds a NestJS 12 app laid out as `nest new` makes it (Observe instrumentation in main.ts) on the tarballs and
//     asks it for 200 / 403 / 401 (scripts/nest-app-check.mjs).
// Exits non-zero on the first problem, naming it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkStockNestApp } from './nest-app-check.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'gatehouse-pack-'));
const keep = process.env.KEEP_PACK_TEST === '1';
const problems = [];

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, ...opts });
}

function step(title) {
  console.log(`\n== ${title}`);
}

try {
  // 1. pack
  const dirs = root.workspaces
    .filter((w) => w.startsWith('packages/'))
    .filter((w) => existsSync(join(ROOT, w, 'package.json')))
    .filter((w) => JSON.parse(readFileSync(join(ROOT, w, 'package.json'), 'utf8')).private !== true);
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  step(`npm pack ${dirs.length} packages (prepack builds each)`);
  const packOut = run('npm', ['pack', '--json', '--pack-destination', tarballs, ...dirs.flatMap((d) => ['-w', d])], { cwd: ROOT });
  // The prepack scripts print to the same stdout: the JSON report is the array that starts on a line of its own.
  const packed = JSON.parse(packOut.slice(packOut.lastIndexOf('\n[\n') + 1));
  const byName = new Map(packed.map((p) => [p.name, join(tarballs, p.filename)]));

  // 2. what is inside
  step('tarball contents, source maps, publint');
  for (const p of packed) {
    const files = new Set(p.files.map((f) => f.path));
    const name = p.name;
    if (!files.has('LICENSE')) problems.push(`${name}: no LICENSE in the tarball`);
    else if (!readFileSync(join(ROOT, dirs.find((d) => JSON.parse(readFileSync(join(ROOT, d, 'package.json'), 'utf8')).name === name), 'LICENSE'), 'utf8').includes('Apache License')) {
      problems.push(`${name}: LICENSE is not the Apache License`);
    }
    if (!files.has('README.md')) problems.push(`${name}: no README.md in the tarball`);
    for (const f of files) if (f.endsWith('.tsbuildinfo')) problems.push(`${name}: ${f} is in the tarball`);
    const unpacked = join(work, 'unpacked', name);
    mkdirSync(unpacked, { recursive: true });
    run('tar', ['-xzf', byName.get(name), '-C', unpacked]);
    let maps = 0;
    for (const f of files) {
      if (!f.endsWith('.map')) continue;
      maps++;
      const map = JSON.parse(readFileSync(join(unpacked, 'package', f), 'utf8'));
      map.sources.forEach((source, i) => {
        const target = posix.normalize(posix.join(posix.dirname(f), map.sourceRoot ?? '', source));
        if (!files.has(target) && typeof map.sourcesContent?.[i] !== 'string') problems.push(`${name}: ${f} points at ${source}, which is not in the tarball`);
      });
    }
    const lint = spawnSync('npx', ['--no-install', 'publint', 'run', '--strict', join(unpacked, 'package')], { cwd: ROOT, encoding: 'utf8' });
    const lintOut = `${lint.stdout}${lint.stderr}`.trim();
    if (lint.status !== 0) problems.push(`${name}: publint:\n${lintOut}`);
    console.log(`${name}: ${files.size} files, ${maps} source maps, publint ${lint.status === 0 ? 'clean' : 'FAILED'}`);
  }

  // 3. a user's app
  const app = join(work, 'app');
  mkdirSync(app);
  step(`install into ${app}`);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'gatehouse-consumer', private: true, version: '1.0.0' }, null, 2));
  // What a user of the embedded engine and the CLI installs, with the @gatehouse packages those depend on.
  const want = new Set(['@gatehouse/core', '@gatehouse/engine', '@gatehouse/pdp-server']);
  for (const name of want) {
    const dir = dirs.find((d) => JSON.parse(readFileSync(join(ROOT, d, 'package.json'), 'utf8')).name === name);
    const deps = Object.keys(JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')).dependencies ?? {});
    for (const dep of deps) if (byName.has(dep)) want.add(dep);
  }
  const ts = root.devDependencies.typescript;
  const typesNode = root.devDependencies['@types/node'];
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...[...want].map((n) => byName.get(n)), `typescript@${ts}`, `@types/node@${typesNode}`], {
    cwd: app,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (const absent of ['pg', 'ioredis', '@gatehouse/store-postgres']) {
    if (existsSync(join(app, 'node_modules', absent))) problems.push(`${absent} was installed with @gatehouse/pdp-server; it must stay optional`);
  }

  const schema = 'entity user {}\\nentity document {\\n  relation owner @user\\n  permission edit = owner\\n}';
  const body = (indent) =>
    [
      `const engine = await Engine.create({ schema: '${schema}' });`,
      `await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });`,
      'const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });',
      "const allowed = await gate.can('alice', 'edit', 'document:1');",
      "const denied = await gate.can('bob', 'edit', 'document:1');",
      'await gate.close();',
      'await engine.close();',
      "if (allowed !== true || denied !== false) throw new Error(`expected allow then deny, got ${String(allowed)} ${String(denied)}`);",
    ]
      .map((l) => indent + l)
      .join('\n');
  writeFileSync(
    join(app, 'esm.mts'),
    `import { Gatehouse } from '@gatehouse/core';\nimport { EmbeddedPdp, Engine } from '@gatehouse/engine';\n\n${body('')}\nconsole.log('esm: alice may edit, bob may not');\n`,
  );
  writeFileSync(
    join(app, 'cjs.cts'),
    `// CommonJS: compiled to require() of the ESM-only packages (node >= 20.19); no top-level await.\nimport { Gatehouse } from '@gatehouse/core';\nimport { EmbeddedPdp, Engine } from '@gatehouse/engine';\n\nasync function main(): Promise<void> {\n${body('  ')}\n  console.log('cjs: alice may edit, bob may not');\n}\n\nmain().catch((err: unknown) => {\n  console.error(err);\n  process.exitCode = 1;\n});\n`,
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'out',
        },
        files: ['esm.mts', 'cjs.cts'],
      },
      null,
      2,
    ),
  );
  step('compile the ESM and CommonJS consumers (tsc, module nodenext, skipLibCheck false)');
  run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, stdio: ['ignore', 'inherit', 'inherit'] });
  const cjs = readFileSync(join(app, 'out', 'cjs.cjs'), 'utf8');
  if (!/require\("@gatehouse\/core"\)/.test(cjs)) problems.push('the CommonJS consumer was not compiled to require()');
  step('run them');
  for (const out of ['esm.mjs', 'cjs.cjs']) {
    const r = spawnSync(process.execPath, [join(app, 'out', out)], { cwd: app, encoding: 'utf8' });
    process.stdout.write(r.stdout);
    if (r.status !== 0) problems.push(`${out} exited ${String(r.status)}:\n${r.stderr}`);
  }

  step('the installed gatehouse CLI');
  const version = spawnSync('npx', ['--no-install', 'gatehouse', '--version'], { cwd: app, encoding: 'utf8' });
  const expected = JSON.parse(readFileSync(join(ROOT, 'packages', 'pdp-server', 'package.json'), 'utf8')).version;
  if (version.stdout.trim() !== expected) problems.push(`gatehouse --version printed ${JSON.stringify(version.stdout)} (${version.stderr}), expected ${expected}`);
  else console.log(`gatehouse --version: ${expected}`);
  const pg = spawnSync('npx', ['--no-install', 'gatehouse', 'serve', '--dev', '--port', '0', '--postgres', 'postgres://127.0.0.1:1/none'], { cwd: app, encoding: 'utf8' });
  // Whichever optional store loads first (the server's or the admin trail's) names what to install.
  if (pg.status !== 2 || !/could not be loaded/.test(pg.stderr) || !/@gatehouse\/store-postgres|"pg"/.test(pg.stderr)) {
    problems.push(`gatehouse serve --postgres without @gatehouse/store-postgres: exit ${String(pg.status)}, ${pg.stderr}`);
  } else {
    console.log(`gatehouse serve --postgres without the peer: exit 2, "${pg.stderr.trim().slice(0, 120)}…"`);
  }

  step('a stock `nest new` app (NestJS 12, Observe instrumentation) on the tarballs: 200 / 403 / 401');
  await checkStockNestApp({ work, byName, run, ROOT, problems });
} catch (err) {
  if (problems.length === 0) problems.push(err instanceof Error ? err.message : String(err));
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\npack-and-install: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('\npack-and-install: every package packs clean; ESM and CommonJS consumers compile and check; a stock Nest app answers 200/403/401');
