#!/usr/bin/env node
// Usage: node scripts/fill-lock-platforms.mjs package-lock.json  (run after `npm install` changes the lock)
// Adds lock entries for platform-specific optional packages that this machine's registry does not serve, so that
// `npm ci` on linux-x64 accepts the lock and skips them as platform-incompatible.
import { readFileSync, writeFileSync } from 'node:fs';
const path = process.argv[2];
const lock = JSON.parse(readFileSync(path, 'utf8'));
const pk = lock.packages;
const platform = (name) => {
  const n = name.replace(/^@[^/]+\//, '');
  const os = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony'].find((o) => n.includes(o));
  const cpu = ['arm64', 'x64', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'arm'].find((c) => n.includes(`-${c}`));
  const libc = /musl/.test(n) ? 'musl' : /gnu/.test(n) && os === 'linux' ? 'glibc' : undefined;
  return { os, cpu, libc };
};
let added = 0;
for (const [key, entry] of Object.entries(pk)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const at = `node_modules/${dep}`;
    if (pk[at] || pk[`${key}/node_modules/${dep}`]) continue;
    const { os, cpu, libc } = platform(dep);
    if (!os || !cpu) { console.error(`cannot infer platform of ${dep}`); continue; }
    if (os === 'linux' && (cpu === 'x64') && libc !== 'musl') { console.error(`refusing to stub a linux-x64 package: ${dep}`); continue; }
    pk[at] = { version, cpu: [cpu], os: [os], ...(libc ? { libc: [libc] } : {}), optional: true, ...(entry.dev ? { dev: true } : {}) };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(pk).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
lock.packages = sorted;
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} entries`);
