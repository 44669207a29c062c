#!/usr/bin/env node
// Measures @gatehouse/casl/browser as an app bundler would ship it: bundled, minified (esbuild),
// @casl/ability external (the app already has it), then gzipped. Fails when it is over the budget or
// when anything node-only (node: built-ins, undici) or core's runtime ends up in the bundle.
// Usage: node packages/casl/scripts/bundle-size.mjs [--json]
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const BUDGET = 5 * 1024;
const entry = fileURLToPath(new URL('../src/browser/index.ts', import.meta.url));

const result = await build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  metafile: true,
  external: ['@casl/ability', '@casl/ability/extra'],
  logLevel: 'silent',
});

const code = result.outputFiles[0].contents;
const inputs = Object.keys(result.metafile.inputs);
const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
const forbidden = [...inputs, ...imports].filter((p) => /^node:|undici|packages\/core\/src|@gatehouse\/core/.test(p));
const gzip = gzipSync(code, { level: 9 }).length;
const report = { entry: '@gatehouse/casl/browser', minified: code.length, gzip, budget: BUDGET, inputs, imports, forbidden };

if (process.argv.includes('--json')) console.log(JSON.stringify(report));
else {
  console.log(`@gatehouse/casl/browser: ${code.length} B minified, ${gzip} B min+gzip (budget ${BUDGET} B)`);
  console.log(`bundled: ${inputs.join(', ')}; external imports: ${[...new Set(imports)].join(', ')}`);
}
if (forbidden.length > 0) {
  console.error(`node-only or core runtime code in the browser bundle: ${forbidden.join(', ')}`);
  process.exitCode = 1;
}
if (gzip > BUDGET) {
  console.error(`over budget: ${gzip} B > ${BUDGET} B`);
  process.exitCode = 1;
}
