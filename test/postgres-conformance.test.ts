// The Permify conformance files, run by the engine's validation runner on an Engine whose store is
// PostgresStore (validateFile's `store` option; each file in its own PostgreSQL schema). The runner, the
// engine and the store are the real ones.
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { validateFile } from '@gatehouse/engine';
import { afterAll, expect, it } from '@jest/globals';
import { PostgresStore } from '@gatehouse/store-postgres';

import {
  PG_URL,
  describeWith,
  dropSchema,
  postgresMissing,
  uniqueName,
} from '../packages/store-postgres/test/helpers/services.js';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/permify');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const schemas: string[] = [];

afterAll(async () => {
  for (const s of schemas.splice(0)) await dropSchema(s);
});

describeWith([postgresMissing], 'Permify conformance files on an Engine backed by PostgresStore', () => {
  it.each(files)('%s gives the same result on PostgreSQL as in memory', async (file) => {
    const memory = await validateFile(join(dir, file));
    const used: PostgresStore[] = [];
    const postgres = await validateFile(join(dir, file), {
      store: () => {
        const schema = uniqueName('conf');
        schemas.push(schema);
        const store = new PostgresStore({ connectionString: PG_URL, schema, pollIntervalMs: 0 });
        used.push(store);
        return store;
      },
    });
    // The data went through PostgreSQL: every file writes a schema, most write tuples.
    expect(used).toHaveLength(1);
    expect(used.reduce((n, s) => n + s.stats.commits, 0)).toBeGreaterThan(0);
    expect({ errors: postgres.errors, failures: postgres.failures }).toEqual({ errors: [], failures: [] });
    expect({ passed: postgres.passed, failed: postgres.failed }).toEqual({ passed: memory.passed, failed: memory.failed });
  });
});
