// The process a user starts (`npm start`, `npx gatehouse serve`, `gatehouse serve`) is the one that serves: killing
// its pid frees the port. Each case spawns in its own process group, waits for the URL the process prints, sends
// the signal to the spawned pid only, waits for the processes to end (no sleeps), then checks that nothing listens.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from '@jest/globals';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'packages', 'pdp-server', 'bin', 'gatehouse.js');
const started: ChildProcess[] = [];

afterEach(() => {
  // Whatever a failed case left behind: the whole process group of each spawned command (ids we created).
  for (const child of started.splice(0)) {
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
});

interface Started {
  child: ChildProcess;
  port: number;
  /** Resolves with the exit code once the spawned process has exited. */
  exited: Promise<number | null>;
  /** Resolves once every process holding the spawned command's stdout/stderr (its descendants too) has ended. */
  closed: Promise<void>;
}

/** Spawns `command` in its own process group and resolves once it has printed `http://127.0.0.1:<port>`. */
async function startUntilListening(command: string, args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: '0', ...env },
  });
  started.push(child);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const closed = new Promise<void>((res) => child.once('close', () => res()));
  let output = '';
  const port = await new Promise<number>((res, rej) => {
    const look = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) res(Number(m[1]));
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => rej(new Error(`${command} ${args.join(' ')} exited (${String(code)}) before listening:\n${output}`)));
  });
  return { child, port, exited, closed };
}

/** Resolves true when a TCP connection to 127.0.0.1:port is refused, false when something accepts it. */
function refused(port: number): Promise<boolean> {
  return new Promise((res, rej) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      res(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? res(true) : rej(err)));
  });
}

describe('stopping what the user started', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('gatehouse serve closes its server and exits 0 on %s', async (signal) => {
    const s = await startUntilListening(process.execPath, [BIN, 'serve', '--dev', '--port', '0', '--log-level', 'silent']);
    expect(await refused(s.port)).toBe(false);
    process.kill(s.child.pid ?? 0, signal);
    expect(await s.exited).toBe(0);
    expect(await refused(s.port)).toBe(true);
  }, 30_000);

  it('kill <pid of npx gatehouse serve> frees the port', async () => {
    const s = await startUntilListening('npx', ['--no-install', 'gatehouse', 'serve', '--dev', '--port', '0', '--log-level', 'silent']);
    process.kill(s.child.pid ?? 0, 'SIGTERM');
    await s.exited;
    // npm ran gatehouse through `sh -c`; the server notices its launcher has gone and stops; its stdio closes.
    await s.closed;
    expect(await refused(s.port)).toBe(true);
  }, 60_000);

  it('kill <pid of npm start> at the repository root frees the port', async () => {
    const s = await startUntilListening('npm', ['start']);
    expect(await refused(s.port)).toBe(false);
    process.kill(s.child.pid ?? 0, 'SIGTERM');
    await s.exited;
    expect(await refused(s.port)).toBe(true);
  }, 180_000);
});
