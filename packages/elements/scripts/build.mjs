#!/usr/bin/env node
// After `tsc -b`: writes dist/gatehouse-elements.js (the custom-elements bundle, what
// `@gatehouse/elements/custom-elements` resolves to) and dist/style.css (the React components' stylesheet).
// Usage: node packages/elements/scripts/build.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleCustomElements } from './bundle.mjs';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
mkdirSync(dist, { recursive: true });
await bundleCustomElements({ write: true, outfile: `${dist}gatehouse-elements.js` });

// The stylesheet is a string in src/styles.ts; evaluate that module to write it out as a file.
const styles = await build({
  entryPoints: [fileURLToPath(new URL('../src/styles.ts', import.meta.url))],
  bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent',
});
const url = `data:text/javascript;base64,${Buffer.from(styles.outputFiles[0].text).toString('base64')}`;
const { elementsCss } = await import(url);
writeFileSync(`${dist}style.css`, elementsCss.trimStart());
console.log(`wrote ${dist}gatehouse-elements.js and ${dist}style.css`);
