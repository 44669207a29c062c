import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, expect, it } from '@jest/globals';

import { PG_URL, describeWith, dropSchema, postgresMissing, uniqueName } from './helpers/services.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const root = resolve(fixtures, '../../../..');
const run = promisify(execFile);
const schemas: string[] = [];

afterAll(async () => {
  for (const s of schemas) await dropSchema(s);
});

async function lifecycle(mode: 'close' | 'leave'): Promise<string> {
  const schema = uniqueName('life');
  schemas.push(schema);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(fixtures, 'lifecycle.ts'), PG_URL, schema, mode], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(fixtures, 'tsconfig.tsx.json'), NODE_OPTIONS: '' },
    timeout: 30_000,
  });
  return stdout;
}

describeWith([postgresMissing], 'PostgresStore lifecycle', () => {
  it('keeps the process alive until close() has finished', async () => {
    expect(await lifecycle('close')).toBe('closed\n');
  }, 40_000);

  it('does not keep a process alive on its own when left open (background sockets and timers are unref\'d)', async () => {
    expect(await lifecycle('leave')).toBe('left open\n');
  }, 40_000);
});
