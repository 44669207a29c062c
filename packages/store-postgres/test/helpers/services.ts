/**
 * Access to the machine's PostgreSQL and Redis for tests. Each test file gets its own PostgreSQL schema
 * (and Redis key prefix) and drops it afterwards. Without the services the suites skip with a message;
 * with GATEHOUSE_REQUIRE_SERVICES=1 they fail instead.
 */
import { describe, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { Client } from 'pg';

export const PG_URL = process.env.GATEHOUSE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const REQUIRED = process.env.GATEHOUSE_REQUIRE_SERVICES === '1';

async function probePostgres(): Promise<string | undefined> {
  const c = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${PG_URL} is not reachable (${(err as Error).message})`;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function probeRedis(): Promise<string | undefined> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
    return undefined;
  } catch (err) {
    return `Redis at ${REDIS_URL} is not reachable (${(err as Error).message})`;
  } finally {
    r.disconnect();
  }
}

/** Why PostgreSQL tests cannot run, or `undefined` when they can. */
export const postgresMissing = await probePostgres();
/** Why Redis tests cannot run, or `undefined` when they can. */
export const redisMissing = await probeRedis();

/**
 * `describe` when the services are there; otherwise a suite that says why it skipped (or fails, when
 * GATEHOUSE_REQUIRE_SERVICES=1).
 */
export function describeWith(
  missing: (string | undefined)[],
  name: string,
  body: () => void,
): void {
  const reason = missing.filter((m) => m !== undefined).join('; ');
  if (reason === '') {
    describe(name, body);
    return;
  }
  if (REQUIRED) {
    describe(name, () => {
      it('needs its services (GATEHOUSE_REQUIRE_SERVICES=1)', () => {
        throw new Error(`${name}: ${reason}`);
      });
    });
    return;
  }
  console.warn(`skipping "${name}": ${reason} (set GATEHOUSE_REQUIRE_SERVICES=1 to fail instead)`);
  describe.skip(name, body);
}

let counter = 0;

/** A unique schema (and Redis key prefix) name for one test. */
export function uniqueName(tag: string): string {
  counter++;
  return `gh_${tag}_${String(process.pid)}_${String(counter)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Drops a PostgreSQL schema with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const c = new Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

/** Runs SQL in a schema (for inspecting rows directly). */
export async function sql<T = Record<string, unknown>>(schema: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}
