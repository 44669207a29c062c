import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it, jest } from '@jest/globals';

import { stopWhenLauncherExits } from '../src/launcher-watch.js';
import type { WatchedProcess } from '../src/launcher-watch.js';
import { main } from '../src/main.js';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as { version: string }).version;

describe('gatehouse --version', () => {
  it('prints the version of @gatehouse/pdp-server and exits 0', async () => {
    for (const flag of ['--version', '-v']) {
      let out = '';
      const code = await main([flag], { stdout: (t) => (out += t), stderr: () => undefined, env: {}, handleSignals: false });
      expect({ code, out }).toEqual({ code: 0, out: `${VERSION}\n` });
    }
  });

  it('works from the installed bin', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(PKG, 'bin', 'gatehouse.js'), '--version']);
    expect(stdout).toBe(`${VERSION}\n`);
  });
});

describe('stopping when npm, which launched the CLI, has gone', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  function fakeProcess(env: Record<string, string>): WatchedProcess & { parent: number; signals: string[] } {
    const signals: string[] = [];
    const p = {
      parent: 100,
      pid: 200,
      env,
      signals,
      get ppid(): number {
        return p.parent;
      },
      kill(pid: number, signal: NodeJS.Signals): true {
        signals.push(`${String(pid)} ${signal}`);
        return true;
      },
    };
    return p;
  }

  it('sends SIGTERM to itself once, when its parent process changes under npm', () => {
    jest.useFakeTimers();
    const p = fakeProcess({ npm_command: 'exec' });
    stopWhenLauncherExits(p, 200);
    jest.advanceTimersByTime(1000);
    expect(p.signals).toEqual([]);
    p.parent = 1;
    jest.advanceTimersByTime(200);
    expect(p.signals).toEqual(['200 SIGTERM']);
    jest.advanceTimersByTime(1000);
    expect(p.signals).toEqual(['200 SIGTERM']);
  });

  it('does nothing outside npm, or once stopped', () => {
    jest.useFakeTimers();
    const outside = fakeProcess({});
    stopWhenLauncherExits(outside, 200);
    const stopped = fakeProcess({ npm_command: 'run-script' });
    stopWhenLauncherExits(stopped, 200)();
    outside.parent = 1;
    stopped.parent = 1;
    jest.advanceTimersByTime(1000);
    expect([...outside.signals, ...stopped.signals]).toEqual([]);
  });
});
