// Starts the Cerbos PDP binary from npm (@cerbos/cerbos-linux-x64) as a child process on free loopback ports, and
// stops it. Used by bench/remote.mjs as the peer.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export function cerbosBinary() {
  if (process.env.CERBOS_BIN) return process.env.CERBOS_BIN;
  const pkg = require.resolve('@cerbos/cerbos-linux-x64/package.json');
  return join(dirname(pkg), 'cerbos-linux-x64');
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts Cerbos; resolves once its gRPC port accepts connections. */
export async function startCerbos() {
  const bin = cerbosBinary();
  if (!existsSync(bin)) throw new Error(`Cerbos binary not found at ${bin} (install @cerbos/cerbos-linux-x64)`);
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const policies = join(here, '..', 'cerbos', 'policies');
  const child = spawn(
    bin,
    [
      'server',
      `--config=${join(here, '..', 'cerbos', 'config.yaml')}`,
      `--set=storage.disk.directory=${policies}`,
      `--set=server.httpListenAddr=127.0.0.1:${httpPort}`,
      `--set=server.grpcListenAddr=127.0.0.1:${grpcPort}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CERBOS_NO_TELEMETRY: '1' } },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  // SIGTERM, SIGKILL after 10 s; resolves with whether SIGKILL was needed.
  const stop = () => stopChild(child, 10_000);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Cerbos exited: ${stderr.slice(-2000)}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(grpcPort, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error('Cerbos did not start within 20 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { grpcTarget: `127.0.0.1:${grpcPort}`, httpPort, stop };
}
