import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { PdpHttpServer } from './fixtures/pdp-http-server.js';

const child = fileURLToPath(new URL('./fixtures/remote-check-child.ts', import.meta.url));
/** `--import tsx` resolves from the working directory: the package's, whatever jest's is. */
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Runs the child script in a fresh node process (jest's own loop would hide an exit without a decision). */
async function runChild(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return await new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', child, ...args], { timeout: 60_000, cwd: packageRoot, env: { ...process.env, NODE_OPTIONS: '' } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr });
      });
  });
}

let server: PdpHttpServer;
beforeEach(async () => {
  server = await new PdpHttpServer().start();
});
afterEach(async () => {
  await server.stop();
});

describe('RemotePdp in a process with nothing else to do', () => {
  it('answers a fail-closed denial (instead of exiting without a decision) when the PDP answers 503 between retries', async () => {
    server.always = { kind: 'status', status: 503 };
    const result = await runChild(server.url);
    expect(result.stderr).not.toMatch(/unsettled|Warning: Detected/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({ allowed: false, reason: 'pdp_unavailable' });
    expect(server.count('/permissions/check')).toBe(3);
  }, 70_000);

  it('answers a fail-closed denial when the connection is refused, with retries: 1', async () => {
    const url = server.url;
    await server.stop();
    let result: Awaited<ReturnType<typeof runChild>>;
    try {
      result = await runChild(url, '1');
    } finally {
      server = await new PdpHttpServer().start(); // for afterEach; started only after the child ran
    }
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({ allowed: false, reason: 'pdp_unavailable' });
  }, 70_000);
});
