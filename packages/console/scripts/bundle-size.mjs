#!/usr/bin/env node
// The console's initial load as a browser fetches it: index.html plus every script, style sheet and preloaded
// chunk it references, each gzipped (the server sends them gzipped). Fails above the budget (250 kB min+gzip).
// Chunks loaded later (the schema editor, CodeMirror) are listed apart and not counted.
// Usage: node packages/console/scripts/bundle-size.mjs [--json]   (after `npm run build`)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 250 * 1000;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
if (!existsSync(join(dist, 'index.html'))) {
  console.error(`no console build at ${dist}: run "npm run build" first`);
  process.exit(1);
}

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const html = readFileSync(join(dist, 'index.html'));
const referenced = [...html.toString('utf8').matchAll(/(?:src|href)="\/ui\/(assets\/[^"]+)"/g)].map((m) => m[1]);
const initial = [{ file: 'index.html', bytes: html.length, gzip: gz(html) }];
for (const file of new Set(referenced)) {
  const buf = readFileSync(join(dist, file));
  initial.push({ file, bytes: buf.length, gzip: gz(buf) });
}
const later = readdirSync(join(dist, 'assets'))
  .map((f) => `assets/${f}`)
  .filter((f) => !referenced.includes(f))
  .map((file) => {
    const buf = readFileSync(join(dist, file));
    return { file, bytes: buf.length, gzip: gz(buf) };
  });
const total = initial.reduce((sum, f) => sum + f.gzip, 0);
const report = { initialGzip: total, budget: BUDGET, initial, later };

if (process.argv.includes('--json')) console.log(JSON.stringify(report));
else {
  console.log(`@gatehouse/console initial load: ${total} B min+gzip (budget ${BUDGET} B)`);
  for (const f of initial) console.log(`  ${f.file}: ${f.bytes} B, ${f.gzip} B gzip`);
  for (const f of later) console.log(`  (on demand) ${f.file}: ${f.bytes} B, ${f.gzip} B gzip`);
}
if (total > BUDGET) {
  console.error(`over budget: ${total} B > ${BUDGET} B`);
  process.exitCode = 1;
}
