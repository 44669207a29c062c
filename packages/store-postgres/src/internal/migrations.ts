import { escapeIdentifier } from 'pg';
import type { PoolClient } from 'pg';

/** One schema migration: a version, a name and the statements it runs, in order. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/**
 * The live sentinel of `expired_tx_id` (Permify's value): a row is live while it carries it. Every
 * expiring statement compares against it, so it is written once here.
 */
export const LIVE = '9223372036854775807';

/**
 * Migrations, applied in version order. Never edit a released one: add a new version.
 *
 * Rows carry the snap token of the transaction that created them (`created_tx_id`) and of the one that
 * expired them (`expired_tx_id`, {@link LIVE} while live). A token is `transactions.id`, drawn from
 * `snap_token_seq` while the writer holds the commit-order lock (see `write-transaction.ts`), so token
 * order is commit order and a read at token T is `created_tx_id <= T AND expired_tx_id > T`.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tables',
    statements: [
      `CREATE TABLE tenants (
         id varchar(128) PRIMARY KEY,
         name varchar(256) NOT NULL DEFAULT '',
         created_tx_id bigint NOT NULL DEFAULT 0,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `INSERT INTO tenants (id, name) VALUES ('t1', 't1') ON CONFLICT (id) DO NOTHING`,
      `CREATE SEQUENCE snap_token_seq AS bigint MINVALUE 1`,
      `CREATE TABLE transactions (
         id bigint PRIMARY KEY,
         xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
         tenant_id varchar(128) NOT NULL,
         kind varchar(16) NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX transactions_tenant_idx ON transactions (tenant_id, id)`,
      `CREATE TABLE relation_tuples (
         id bigserial PRIMARY KEY,
         tenant_id varchar(128) NOT NULL,
         entity_type varchar(64) NOT NULL,
         entity_id varchar(256) NOT NULL,
         relation varchar(64) NOT NULL,
         subject_type varchar(64) NOT NULL,
         subject_id varchar(256) NOT NULL,
         subject_relation varchar(64) NOT NULL DEFAULT '',
         created_tx_id bigint NOT NULL,
         expired_tx_id bigint NOT NULL DEFAULT ${LIVE}
       )`,
      `CREATE UNIQUE INDEX relation_tuples_key_idx ON relation_tuples
         (tenant_id, entity_type, entity_id, relation, subject_type, subject_id, subject_relation, expired_tx_id)`,
      `CREATE INDEX relation_tuples_subject_idx ON relation_tuples
         (tenant_id, subject_type, subject_id, subject_relation, entity_type, relation)`,
      `CREATE INDEX relation_tuples_created_idx ON relation_tuples (tenant_id, created_tx_id)`,
      `CREATE INDEX relation_tuples_expired_idx ON relation_tuples (tenant_id, expired_tx_id)
         WHERE expired_tx_id <> ${LIVE}`,
      `CREATE TABLE attributes (
         id bigserial PRIMARY KEY,
         tenant_id varchar(128) NOT NULL,
         entity_type varchar(64) NOT NULL,
         entity_id varchar(256) NOT NULL,
         attribute varchar(64) NOT NULL,
         value jsonb NOT NULL,
         value_type varchar(16) NOT NULL DEFAULT '',
         created_tx_id bigint NOT NULL,
         expired_tx_id bigint NOT NULL DEFAULT ${LIVE}
       )`,
      `CREATE UNIQUE INDEX attributes_key_idx ON attributes
         (tenant_id, entity_type, entity_id, attribute, expired_tx_id)`,
      `CREATE INDEX attributes_created_idx ON attributes (tenant_id, created_tx_id)`,
      `CREATE INDEX attributes_expired_idx ON attributes (tenant_id, expired_tx_id)
         WHERE expired_tx_id <> ${LIVE}`,
      `CREATE TABLE schema_definitions (
         tenant_id varchar(128) NOT NULL,
         version bigint NOT NULL,
         source text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (tenant_id, version)
       )`,
    ],
  },
  {
    version: 2,
    name: 'commit lock',
    statements: [
      // Writers serialise on this empty table, not on `transactions`: autovacuum of a busy table takes a lock
      // that conflicts with the writers' and would stall them until it is cancelled (deadlock_timeout).
      `CREATE TABLE commit_lock (id integer PRIMARY KEY)`,
    ],
  },
  {
    version: 3,
    name: 'gc horizon',
    statements: [
      // One row: every change committed after `token` is still stored. The collector raises it before it
      // removes history, so changesSince(older token) can say "gone" instead of answering incompletely.
      // (A database collected before this migration starts at 0: history it lost then is not detected.)
      `CREATE TABLE gc_horizon (id integer PRIMARY KEY CHECK (id = 1), token bigint NOT NULL)`,
      `INSERT INTO gc_horizon (id, token) VALUES (1, 0)`,
    ],
  },
];

/**
 * Applies every migration not yet recorded in `migrations`, each in its own transaction. The
 * transaction-scoped advisory lock makes two servers starting at once take turns: the second sees the
 * first one's rows and applies nothing. `CREATE TABLE IF NOT EXISTS migrations` runs under the same lock.
 *
 * @returns the versions applied by this call (empty when the database was up to date)
 */
export async function runMigrations(client: PoolClient, schema: string): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockKeyOf(`gatehouse.migrate.${schema}`)]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS migrations (
         version integer PRIMARY KEY,
         name varchar(128) NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = await client.query<{ version: number }>('SELECT version FROM migrations');
    const have = new Set(done.rows.map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (have.has(m.version)) continue;
      for (const statement of m.statements) await client.query(statement);
      await client.query('INSERT INTO migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return applied;
}

/** A stable signed 64-bit advisory-lock key for a name (FNV-1a), as a decimal string. @internal */
export function lockKeyOf(name: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(name, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, h).toString();
}
