import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

// JSX is compiled by Vite's own transformer (automatic runtime); @gatehouse/casl/browser is read from its
// TypeScript source so the page builds without building the workspace first.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: {
      '@gatehouse/casl/browser': fileURLToPath(new URL('../../packages/casl/src/browser/index.ts', import.meta.url)),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
  logLevel: 'warn',
});
