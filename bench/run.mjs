#!/usr/bin/env node
// Runs every benchmark of docs/architecture.md#performance-targets in its own child process (after `npm run build`), collects the one JSON line each
// prints last, writes bench/results.json and prints a table. `node bench/run.mjs cache-hit remote` runs a subset.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ORDER = [
  'cache-hit', 'rbac-miss', 'rebac-miss', 'remote', 'express', 'nestjs', 'nestjs-fastify', 'scale', 'memory', 'coalesce',
  'invalidate', 'postgres', 'budget', 'lookup-page', 'filter', 'typecheck',
];
const LIMIT_MS = Number(process.env.GATEHOUSE_BENCH_LIMIT_MS ?? 6 * 60_000);
const wanted = process.argv.slice(2);
const ids = (wanted.length > 0 ? wanted : ORDER).filter((id) => {
  if (existsSync(join(here, `${id}.mjs`))) return true;
  console.log(`${id}: no bench/${id}.mjs, skipped`);
  return false;
});

function runOne(id) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', join(here, `${id}.mjs`)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      let result;
      try {
        result = last ? JSON.parse(last) : undefined;
      } catch {
        result = undefined;
      }
      if (!result) result = { id, ours: null, peer: null, unit: '', ratio: null, target: null, pass: false, notes: `failed (exit ${code})` };
      result.seconds = Math.round((Date.now() - started) / 100) / 10;
      resolve(result);
    });
  });
}

const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`;
console.log(`machine: ${machine}`);
console.log(`date: ${new Date().toISOString()}`);
const results = [];
for (const id of ids) {
  process.stdout.write(`running ${id}…\n`);
  results.push(await runOne(id));
}
writeFileSync(join(here, 'results.json'), JSON.stringify(results, null, 2) + '\n');

const fmt = (v) => (v === null || v === undefined ? '-' : typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 100) / 100)) : String(v));
const rows = results.map((r) => [r.id, fmt(r.ours), fmt(r.peer), r.unit ?? '', fmt(r.ratio), r.target ?? '-', r.pass ? 'PASS' : 'FAIL', r.notes ?? '']);
const head = ['id', 'ours', 'peer', 'unit', 'ratio', 'target', 'pass', 'notes'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(i === 7 ? 0 : widths[i])).join(' | ');
console.log('\n' + line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));
console.log(`\nwrote bench/results.json (${results.length} benchmarks)`);
