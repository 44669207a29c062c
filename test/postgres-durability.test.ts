// Durability: a process writing a stream of commits to PostgreSQL is killed with SIGKILL mid-stream. After a
// restart every acknowledged commit is there, complete, and no commit is there in part.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Engine } from '@gatehouse/engine';
import { afterAll, expect, it } from '@jest/globals';
import { PostgresStore } from '@gatehouse/store-postgres';

import {
  PG_URL,
  describeWith,
  dropSchema,
  postgresMissing,
  uniqueName,
} from '../packages/store-postgres/test/helpers/services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'packages/store-postgres/test/fixtures');
const schema = uniqueName('durable');

afterAll(async () => {
  await dropSchema(schema);
});

/** Runs the writer until it has acknowledged `acks` commits plus a random few, then SIGKILLs it. */
function writeThenKill(acks: number): Promise<{ i: number; snapToken: string }[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(fixtures, 'writer.ts'), PG_URL, schema], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(fixtures, 'tsconfig.tsx.json'), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const target = acks + Math.floor(Math.random() * 10);
  return new Promise((done, fail) => {
    const acked: { i: number; snapToken: string }[] = [];
    let buffer = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.stdout.on('data', (b: Buffer) => {
      buffer += b.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const msg = JSON.parse(line) as { i?: number; snapToken?: string };
        if (msg.i !== undefined && msg.snapToken !== undefined) acked.push({ i: msg.i, snapToken: msg.snapToken });
      }
      if (acked.length >= target && child.signalCode === null) child.kill('SIGKILL');
    });
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') done(acked);
      else fail(new Error(`writer exited with ${String(code)} before it was killed: ${err}`));
    });
  });
}

describeWith([postgresMissing], 'PostgresStore durability', () => {
  it('keeps every acknowledged write and no half-applied one when the writer is killed with SIGKILL', async () => {
    const acked = await writeThenKill(25);
    expect(acked.length).toBeGreaterThanOrEqual(25);

    // Restart: a new process view (store + engine) over the same database.
    const store = new PostgresStore({ connectionString: PG_URL, schema, pollIntervalMs: 0 });
    const engine = await Engine.create({ store, schema: readFileSync(join(fixtures, 'docs.perm'), 'utf8') });
    try {
      const perDocument = new Map<string, number>();
      let page = '';
      do {
        const r = await engine.readRelationships({ tenant: 't1', filter: { entity: { type: 'document' } }, pageSize: 1000, continuousToken: page });
        for (const t of r.tuples) perDocument.set(t.entity.id, (perDocument.get(t.entity.id) ?? 0) + 1);
        page = r.continuousToken;
      } while (page !== '');
      // Every acknowledged commit is complete.
      for (const { i } of acked) expect(perDocument.get(String(i))).toBe(50);
      // Every commit present is complete, and at most the one in flight at the kill is beyond the acknowledged.
      for (const n of perDocument.values()) expect(n).toBe(50);
      const lastAcked = acked.at(-1)!.i;
      expect(perDocument.size === lastAcked + 1 || perDocument.size === lastAcked + 2).toBe(true);
      // The attribute written in the same commits names the newest complete one.
      const attrs = await engine.readAttributes({ tenant: 't1', filter: { entity: { type: 'document', ids: ['counter'] } } });
      expect(attrs.attributes.map((a) => a.value)).toEqual([perDocument.size - 1]);
      // The restarted engine answers checks from what it loaded.
      const check = await engine.check({
        tenant: 't1',
        subject: { type: 'user', id: 'u49' },
        action: 'view',
        resource: { type: 'document', id: String(lastAcked) },
      });
      expect(check.allowed).toBe(true);
      // And the acknowledged snap tokens are readable exactly.
      const first = acked[0]!;
      const atFirst = await engine.readRelationships({ tenant: 't1', snapToken: first.snapToken, pageSize: 1000 });
      expect(atFirst.tuples).toHaveLength(50);
    } finally {
      await engine.close();
    }
  }, 60_000);
});
