#!/usr/bin/env node
// Measures the custom-elements bundle of @gatehouse/elements as it ships (bundled, minified, Preact inside),
// gzipped. Fails when it is over the 40 kB budget or when anything node-only (node: built-ins) or a server
// package of ours (core, engine, admin, pdp-server...) or React itself ends up in it.
// Usage: node packages/elements/scripts/bundle-size.mjs [--json]
import { gzipSync } from 'node:zlib';
import { bundleCustomElements } from './bundle.mjs';

const BUDGET = 40 * 1024;
const result = await bundleCustomElements();
const code = result.outputFiles[0].contents;
const inputs = Object.keys(result.metafile.inputs);
const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
const forbidden = [...inputs, ...imports].filter((p) =>
  /^node:|undici|@gatehouse\/(?!elements)|packages\/(?!elements\/)[^/]+\/src|node_modules\/react(-dom)?\//.test(p),
);
const gzip = gzipSync(code, { level: 9 }).length;
const report = { entry: '@gatehouse/elements/custom-elements', minified: code.length, gzip, budget: BUDGET, inputs, imports, forbidden };

if (process.argv.includes('--json')) console.log(JSON.stringify(report));
else {
  console.log(`@gatehouse/elements/custom-elements: ${code.length} B minified, ${gzip} B min+gzip (budget ${BUDGET} B)`);
  console.log(`bundled: ${inputs.length} modules; external imports: ${imports.length === 0 ? 'none' : [...new Set(imports)].join(', ')}`);
}
if (imports.length > 0) {
  console.error(`the bundle must be self-contained, but it imports: ${[...new Set(imports)].join(', ')}`);
  process.exitCode = 1;
}
if (forbidden.length > 0) {
  console.error(`node-only, server or React code in the custom-elements bundle: ${forbidden.join(', ')}`);
  process.exitCode = 1;
}
if (gzip > BUDGET) {
  console.error(`over budget: ${gzip} B > ${BUDGET} B`);
  process.exitCode = 1;
}
