// Starts our PDP server the way a user does (`gatehouse serve`, the package's bin) in a child process on a free
// loopback port, waits until /readyz answers 200, and stops it (SIGTERM, SIGKILL after 10 s).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { stopChild, stopOnSignal } from './processes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(root, 'packages', 'pdp-server', 'bin', 'gatehouse.js');

/**
 * @param {{ schemaFile: string, dataFile?: string, logLevel?: string, extraArgs?: string[] }} options
 * @returns {Promise<{ url: string, pid: number, child: import('node:child_process').ChildProcess, stop: () => Promise<boolean> }>}
 */
export async function startGatehouseServer(options) {
  const args = [BIN, 'serve', '--dev', '--host', '127.0.0.1', '--port', '0', '--schema', options.schemaFile];
  if (options.dataFile !== undefined) args.push('--data', options.dataFile);
  args.push('--log-level', options.logLevel ?? 'warn', ...(options.extraArgs ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-20_000);
  });
  const stop = () => stopChild(child);
  const unhook = stopOnSignal(stop);
  const stopAll = async () => {
    unhook();
    return await stop();
  };
  try {
    const deadline = Date.now() + 30_000;
    let url;
    while (url === undefined) {
      if (child.exitCode !== null) throw new Error(`gatehouse serve exited with ${child.exitCode}: ${stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`gatehouse serve did not start within 30 s: ${stderr.slice(-2000)}`);
      url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url === undefined) await sleep(25);
    }
    for (;;) {
      const res = await globalThis.fetch(`${url}/readyz`).catch(() => undefined);
      if (res !== undefined) await res.arrayBuffer();
      if (res?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`gatehouse serve is not ready after 30 s: ${stderr.slice(-2000)}`);
      await sleep(25);
    }
    return { url, pid: child.pid, child, stop: stopAll, stderr: () => stderr };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
