#!/usr/bin/env node
// The repository stands alone. Usage: node scripts/standalone-check.mjs  (run by .ci/run)
// Copies the tracked files (git ls-files) into an empty temporary directory, with nothing beside the copy, then
//  1. greps the copy: no file may name a relative path that climbs out of the repository (each `../…` is resolved
//     from the file's own folder), nor a "DESIGN §" section of the team's design notes (only .ci/run may, for the
//     optional extra conformance run it does when that folder happens to exist);
//  2. runs the conformance suite (test/conformance.test.ts, the Permify fixtures in test/fixtures/permify) inside
//     the copy, its dependencies taken from this checkout's node_modules through one symlink.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALLOWED = new Set(['.ci/run', 'scripts/standalone-check.mjs']);
const FORBIDDEN = [/DESIGN(\.md)? ?§/, /DESIGN\.md/];
/** A relative path that goes up, then names something: `../x`, `../../docs/y.md` (not a bare `../..`). */
const UPWARD = /(?<![\w.%/])(?:\.\.\/)+[\w-][\w./-]*/g;

/** True when the line of `file` names a relative path that resolves outside the copy's root. */
function climbsOut(file, line) {
  for (const [path] of line.matchAll(UPWARD)) {
    if (relative(copy, resolve(dirname(join(copy, file)), path)).startsWith('..')) return true;
  }
  return false;
}

/** A workspace pattern (`packages/core`, `examples/*`) as directories of this checkout. */
function expand(pattern) {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = pattern.slice(0, -2);
  return existsSync(join(ROOT, parent)) ? readdirSync(join(ROOT, parent)).map((d) => `${parent}/${d}`) : [];
}

const outer = mkdtempSync(join(tmpdir(), 'gatehouse-standalone-'));
const copy = join(outer, 'gatehouse');
let failed = false;
try {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    try {
      copyFileSync(join(ROOT, f), join(copy, f));
    } catch (err) {
      if (err.code !== 'ENOENT') throw err; // tracked but deleted in this working tree
    }
  }
  console.log(`copied ${files.length} tracked files to ${copy} (nothing beside it)`);

  const hits = [];
  for (const f of files) {
    if (ALLOWED.has(f)) continue;
    let text;
    try {
      text = readFileSync(join(copy, f), 'utf8');
    } catch {
      continue;
    }
    text.split('\n').forEach((line, i) => {
      if (FORBIDDEN.some((re) => re.test(line)) || climbsOut(f, line)) hits.push(`${f}:${i + 1}: ${line.trim().slice(0, 140)}`);
    });
  }
  if (hits.length > 0) {
    failed = true;
    console.error(`files that point outside the repository:\n${hits.join('\n')}`);
  } else {
    console.log('no tracked file points above the repository or at DESIGN sections');
  }

  // Installed dependencies only: the root node_modules and each workspace's own (nested versions live there).
  for (const dir of ['.', ...JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces.flatMap((w) => expand(w))]) {
    if (existsSync(join(ROOT, dir, 'node_modules')) && existsSync(join(copy, dir))) {
      symlinkSync(join(ROOT, dir, 'node_modules'), join(copy, dir, 'node_modules'), 'dir');
    }
  }
  const jest = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--no-watchman', '--ci', 'test/conformance.test.ts'], {
    cwd: copy,
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules --no-warnings' },
  });
  if (jest.status !== 0) {
    failed = true;
    console.error('the conformance suite failed in the standalone copy');
  }
} finally {
  rmSync(outer, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
