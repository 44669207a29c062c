// Builds the custom-elements bundle: src/custom-elements/index.ts with its views, React's API served by
// Preact's compatibility layer, minified into one self-contained ES module for a <script type="module">.
// Used by build.mjs (writes dist/) and bundle-size.mjs (measures it in memory).
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const entry = fileURLToPath(new URL('../src/custom-elements/index.ts', import.meta.url));

/** @param {{ write?: boolean, outfile?: string }} [options] */
export async function bundleCustomElements(options = {}) {
  return await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    legalComments: 'eof',
    alias: {
      react: 'preact/compat',
      'react-dom/client': 'preact/compat/client',
      'react-dom': 'preact/compat',
      'react/jsx-runtime': 'preact/compat/jsx-runtime',
    },
    define: { 'process.env.NODE_ENV': '"production"' },
    write: options.write ?? false,
    ...(options.outfile === undefined ? {} : { outfile: options.outfile }),
    metafile: true,
    logLevel: 'silent',
  });
}
