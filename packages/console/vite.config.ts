import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

// The console is served by `gatehouse serve --ui` under /ui/ with a strict CSP: no inline script or style, so the
// build emits only files (no modulepreload polyfill inlined) and names every asset by content hash.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  logLevel: 'warn',
});
