import { InvalidRequestError } from '@gatehouse/core';
import type { PoolConfig } from 'pg';

/** How commits of other processes are announced to this one. */
export type RelayKind = 'postgres' | 'redis';

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** A PostgreSQL URL, e.g. `postgres://postgres@127.0.0.1:5432/test`. Either this or `pool` is required. */
  readonly connectionString?: string;
  /** node-postgres pool settings (host, user, database, max, …); merged with `connectionString`. */
  readonly pool?: PoolConfig;
  /**
   * The PostgreSQL schema (namespace) holding Gatehouse's tables; created when missing and set as the
   * `search_path` of every connection. Lets several stores (or tests) share one database.
   * @defaultValue `'public'`
   */
  readonly schema?: string;
  /** The tenant that always exists. @defaultValue `'t1'` */
  readonly defaultTenant?: string;
  /** How commits are announced to other processes: `NOTIFY` (default) or Redis pub/sub. */
  readonly relay?: RelayKind;
  /** Redis settings, for `relay: 'redis'`. */
  readonly redis?: {
    /** @defaultValue `'redis://127.0.0.1:6379'` */
    readonly url?: string;
    /** Prefix of the pub/sub channel name. @defaultValue `'gatehouse:'` */
    readonly keyPrefix?: string;
  };
  /**
   * A safety net besides the relay: every this many milliseconds the store checks for commits it has not
   * delivered yet (e.g. a Redis publish lost when a writer died after COMMIT). `0` disables it.
   * @defaultValue `2000`
   */
  readonly pollIntervalMs?: number;
  /** Retries of a transaction that failed with a serialization failure or deadlock. @defaultValue `10` */
  readonly maxRetries?: number;
  /**
   * Rows expired longer ago than this are removed by the garbage collector, with the transactions that
   * old (the newest one is always kept). Snap tokens older than the window stop being reproducible.
   * `0` disables the collector. @defaultValue `0`
   */
  readonly gcWindowMs?: number;
  /** How often the collector runs when `gcWindowMs` is set. @defaultValue `60000` */
  readonly gcIntervalMs?: number;
}

/** Options with defaults applied. @internal */
export interface ResolvedOptions {
  readonly pool: PoolConfig;
  readonly schema: string;
  readonly defaultTenant: string;
  readonly relay: RelayKind;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly pollIntervalMs: number;
  readonly maxRetries: number;
  readonly gcWindowMs: number;
  readonly gcIntervalMs: number;
}

// At most 45 characters, so the NOTIFY channel `gatehouse_changes_<schema>` fits PostgreSQL's 63-byte names.
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,44}$/;

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw InvalidRequestError.badValue(`options.${name}`, value, 'a non-negative integer');
  }
  return value;
}

/** Checks options at the door and applies defaults. @internal */
export function resolveOptions(options: PostgresStoreOptions): ResolvedOptions {
  if (options.connectionString === undefined && options.pool === undefined) {
    throw InvalidRequestError.badValue('options', options, 'an object with connectionString or pool');
  }
  const schema = options.schema ?? 'public';
  if (!SCHEMA_PATTERN.test(schema)) {
    throw InvalidRequestError.badValue('options.schema', schema, `a name matching ${String(SCHEMA_PATTERN)}`);
  }
  const relay: unknown = options.relay ?? 'postgres';
  if (relay !== 'postgres' && relay !== 'redis') {
    throw InvalidRequestError.badValue('options.relay', relay, "'postgres' or 'redis'");
  }
  const pool: PoolConfig = {
    ...options.pool,
    ...(options.connectionString === undefined ? {} : { connectionString: options.connectionString }),
    // Each connection starts in the store's schema, so no statement needs a qualified name.
    options: `-c search_path=${schema}`,
  };
  return {
    pool,
    schema,
    defaultTenant: options.defaultTenant ?? 't1',
    relay,
    redisUrl: options.redis?.url ?? 'redis://127.0.0.1:6379',
    redisPrefix: options.redis?.keyPrefix ?? 'gatehouse:',
    pollIntervalMs: count('pollIntervalMs', options.pollIntervalMs, 2000),
    maxRetries: count('maxRetries', options.maxRetries, 10),
    gcWindowMs: count('gcWindowMs', options.gcWindowMs, 0),
    gcIntervalMs: count('gcIntervalMs', options.gcIntervalMs, 60_000),
  };
}
