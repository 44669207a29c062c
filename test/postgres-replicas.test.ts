// Two PDP server processes (createServer from @gatehouse/pdp-server, each with its own PostgresStore) on one
// PostgreSQL schema: a write to A reaches B's checks and a client cache watching B, and a check on B with A's
// snap token is never staler than the token. Run once per relay (LISTEN/NOTIFY and Redis pub/sub).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Gatehouse } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';
import { afterEach, expect, it } from '@jest/globals';

import {
  PG_URL,
  describeWith,
  dropSchema,
  postgresMissing,
  redisMissing,
  uniqueName,
} from '../packages/store-postgres/test/helpers/services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'packages/store-postgres/test/fixtures');

interface Replica {
  readonly child: ChildProcess;
  readonly url: string;
}

const children: ChildProcess[] = [];
const schemas: string[] = [];
const gates: Gatehouse[] = [];

afterEach(async () => {
  for (const g of gates.splice(0)) await g.close();
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          c.once('exit', () => done());
          c.kill('SIGTERM');
        }),
    ),
  );
  for (const s of schemas.splice(0)) await dropSchema(s);
});

function startReplica(schema: string, relay: string, prefix: string): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(fixtures, 'replica-server.ts'), PG_URL, schema, relay, prefix], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(fixtures, 'tsconfig.tsx.json'), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) resolvePromise({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.once('exit', (code) => reject(new Error(`replica exited with ${String(code)}: ${err}`)));
  });
}

async function post(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${path}: ${String(res.status)} ${JSON.stringify(json)}`);
  return json;
}

const tuple = (doc: string, user: string): Record<string, unknown> => ({
  entity: { type: 'document', id: doc },
  relation: 'owner',
  subject: { type: 'user', id: user, relation: '' },
});

async function canEdit(url: string, doc: string, user: string, snapToken = ''): Promise<boolean> {
  const r = await post(url, '/v1/tenants/t1/permissions/check', {
    metadata: { snap_token: snapToken, schema_version: '', depth: 20 },
    entity: { type: 'document', id: doc },
    permission: 'edit',
    subject: { type: 'user', id: user, relation: '' },
  });
  return r.can === 'CHECK_RESULT_ALLOWED';
}

/** Milliseconds until `probe` holds (polled every 2 ms), failing after 10 s. */
async function msUntil(probe: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  while (!(await probe())) {
    if (performance.now() - start > 10_000) throw new Error('not seen within 10 s');
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - start;
}

for (const relay of ['postgres', 'redis'] as const) {
  describeWith(
    relay === 'redis' ? [postgresMissing, redisMissing] : [postgresMissing],
    `Two PDP server processes on one PostgreSQL database (relay: ${relay})`,
    () => {
      it('shows a write to A in B\'s checks and in a client cache watching B, and honours A\'s snap token on B', async () => {
        const schema = uniqueName('replicas');
        schemas.push(schema);
        const prefix = `${uniqueName('rk')}:`;
        // Start A first so the migrations are not part of B's start; both would cope either way.
        const a = await startReplica(schema, relay, prefix);
        const b = await startReplica(schema, relay, prefix);

        // A client with a decision cache, watching B (SSE), warmed with a denial.
        const gate = new Gatehouse({ pdp: new RemotePdp({ url: b.url }), cache: { ttlMs: 600_000 } });
        gates.push(gate);
        const ask = { tenant: 't1', subject: 'alice', action: 'edit', resource: 'document:1' } as const;
        expect(await gate.can('alice', 'edit', 'document:1', { tenant: 't1' })).toBe(false);
        // Once the watch stream is up (its start resets the tenant), the denial is served from the cache.
        await msUntil(async () => {
          const d = await gate.check(ask);
          return d.cached === true && !d.allowed;
        });

        const written = await post(a.url, '/v1/tenants/t1/data/write', { tuples: [tuple('1', 'alice')] });
        const token = written.snap_token as string;
        // With A's token, B answers at least as fresh as the write, even if its feed has not caught up yet.
        expect(await canEdit(b.url, '1', 'alice', token)).toBe(true);
        const cacheMs = await msUntil(async () => await gate.can('alice', 'edit', 'document:1', { tenant: 't1' }));

        // Revocations too, several rounds: every token-carrying check on B reflects the write it follows.
        const latencies: number[] = [];
        for (let i = 0; i < 10; i++) {
          const grant = i % 2 === 1;
          const res = grant
            ? await post(a.url, '/v1/tenants/t1/data/write', { tuples: [tuple('2', 'bob')] })
            : await post(a.url, '/v1/tenants/t1/data/delete', { tuple_filter: { entity: { type: 'document', ids: ['2'] } } });
          latencies.push(await msUntil(async () => (await canEdit(b.url, '2', 'bob')) === grant));
          expect(await canEdit(b.url, '2', 'bob', res.snap_token as string)).toBe(grant);
        }
        // Propagation times are reported, not asserted (no timing asserts in tests; bench/postgres.mjs measures).
        process.stderr.write(
          `postgres replicas (${relay}): client cache saw the grant after ${cacheMs.toFixed(1)} ms; B saw A's writes after ` +
            `${latencies.map((l) => l.toFixed(1)).join(', ')} ms\n`,
        );
      }, 60_000);
    },
  );
}
