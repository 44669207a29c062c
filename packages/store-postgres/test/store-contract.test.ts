// The engine's Store contract, run on PostgresStore: the same suite MemoryStore passes.
import { afterAll } from '@jest/globals';
import { PostgresStore } from '@gatehouse/store-postgres';

import { storeContract } from '../../engine/test/store/store-contract.js';
import { PG_URL, describeWith, dropSchema, postgresMissing, uniqueName } from './helpers/services.js';

const schemas: string[] = [];

afterAll(async () => {
  for (const s of schemas.splice(0)) await dropSchema(s);
});

describeWith([postgresMissing], 'PostgresStore contract', () => {
  storeContract('PostgresStore', () => {
    const schema = uniqueName('contract');
    schemas.push(schema);
    return new PostgresStore({ connectionString: PG_URL, schema, pollIntervalMs: 0 });
  });
});
