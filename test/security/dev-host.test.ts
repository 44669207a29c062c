// `--dev` takes every request without a key, so it may only listen on a loopback address (issue 14 item 5).
// The CLI is spawned from its TypeScript sources (tsx); no test sends traffic to a non-loopback address.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { createServer } from '@gatehouse/pdp-server';
import { isLoopbackHost } from '../../packages/pdp-server/src/loopback.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'packages', 'pdp-server', 'src', 'cli.ts');
const SCHEMA = join(ROOT, 'test', 'fixtures', 'server', 'docs.perm');

interface Exit {
  code: number | null;
  stderr: string;
}

/** Runs `gatehouse serve …`; once it says it listens, `onListening` gets its URL and the process is stopped with SIGTERM. */
async function serve(args: string[], env: Record<string, string> = {}, onListening?: (url: string) => Promise<void>): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--log-level', 'silent', '--schema', SCHEMA, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TSX_TSCONFIG_PATH: join(ROOT, 'test', 'security', 'tsx-tsconfig.json'), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let listening = false;
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    const m = /listening on (http:\/\/\S+)/.exec(stderr);
    if (m !== null && !listening) {
      listening = true;
      void (onListening ?? (async () => undefined))(m[1] ?? '').finally(() => child.kill('SIGTERM'));
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}

describe('--dev listens only on loopback', () => {
  it.each([['0.0.0.0'], ['::'], ['10.1.2.3'], ['::ffff:10.1.2.3'], ['gatehouse.example.com'], ['']])(
    'gatehouse serve --dev --host %j exits 2 and says why',
    async (host) => {
      const r = await serve(['--dev', '--port', '0', '--host', host]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/refusing --dev/);
      expect(r.stderr).toMatch(/loopback address \(127\.0\.0\.0\/8, ::1 or localhost\)/);
      expect(r.stderr).not.toMatch(/listening on/);
    },
    30_000,
  );

  it('GATEHOUSE_DEV=1 with GATEHOUSE_HOST=0.0.0.0 exits 2 the same way', async () => {
    const r = await serve([], { GATEHOUSE_DEV: '1', GATEHOUSE_HOST: '0.0.0.0', GATEHOUSE_PORT: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing --dev on "0\.0\.0\.0"/);
    // The flag and the variable mix: --dev with the variable's host, the variable's dev with --host.
    expect((await serve(['--dev'], { GATEHOUSE_HOST: '0.0.0.0', GATEHOUSE_PORT: '0' })).code).toBe(2);
    expect((await serve(['--host', '0.0.0.0'], { GATEHOUSE_DEV: 'true', GATEHOUSE_PORT: '0' })).code).toBe(2);
  }, 60_000);

  it('--dev on a loopback host (127.0.0.0/8, localhost) still serves', async () => {
    for (const host of ['127.0.0.2', 'localhost']) {
      let status = 0;
      const r = await serve(['--dev', '--port', '0', '--host', host], {}, async (url) => {
        status = (await fetch(`${url}/healthz`)).status;
      });
      expect(status).toBe(200);
      expect(r.code).toBe(0);
    }
  }, 60_000);

  it('createServer({ dev }) refuses a non-loopback host, in its options or in listen()', async () => {
    await expect(createServer({ dev: true, host: '0.0.0.0', logLevel: 'silent' })).rejects.toMatchObject({ code: 'GH_ERR_INVALID_REQUEST' });
    const server = await createServer({ dev: true, logLevel: 'silent' });
    try {
      await expect(server.listen({ host: '0.0.0.0', port: 0 })).rejects.toThrow(/refusing --dev/);
      expect(server.app.server.listening).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('knows loopback addresses from others', () => {
    for (const h of ['127.0.0.1', '127.255.255.254', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) {
      expect([h, isLoopbackHost(h)]).toEqual([h, true]);
    }
    for (const h of ['0.0.0.0', '::', '128.0.0.1', '126.255.255.255', '::2', '::ffff:10.0.0.1', 'localhost.evil.com', 'example.com', '']) {
      expect([h, isLoopbackHost(h)]).toEqual([h, false]);
    }
  });
});
