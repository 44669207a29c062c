import type { Pool, PoolClient } from 'pg';

import { StoreError, sqlStateOf } from '../store-error.js';
import { abortReason, cancelOnAbort } from './abort.js';
import { catalogQuery, tenantQuery } from './tenant-sql.js';

/** SQLSTATEs worth another attempt: serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

/** What a write transaction's body receives. @internal */
export interface WriteContext {
  readonly client: PoolClient;
  /** The snap token of this transaction (already drawn, in commit order). */
  readonly token: string;
}

/** The outcome of a committed write transaction. @internal */
export interface Committed<T> {
  readonly value: T;
  readonly token: string;
  /** The newest token committed before this one: nothing committed between them. */
  readonly previous: string;
  /** Attempts that failed with a retryable error before this one succeeded. */
  readonly retries: number;
}

/** Settings of {@link runWriteTransaction}. @internal */
export interface WriteSettings {
  readonly tenant: string;
  /** `data`, `schema`, `tenant_create` or `tenant_delete`, recorded in `transactions.kind`. */
  readonly kind: string;
  readonly maxRetries: number;
  /** NOTIFY channel; the notice is queued in the transaction and delivered at COMMIT. */
  readonly notifyChannel?: string;
  readonly onRetry?: (err: unknown, attempt: number) => void;
  /** Aborts the transaction: the running statement is cancelled, the transaction rolled back, no retry. */
  readonly signal?: AbortSignal;
}

// Not unref'd: a caller is awaiting this write, so the backoff must keep the process alive.
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Runs `body` as one SERIALIZABLE transaction that draws a snap token, retrying serialization failures
 * and deadlocks with jittered exponential backoff.
 *
 * Why tokens follow commit order: the first statement is `LOCK TABLE commit_lock IN EXCLUSIVE MODE` (an
 * empty table only writers lock; self-conflicting, never blocks a reader). Taken before any query, it fixes the
 * SERIALIZABLE snapshot *after* the previous writer committed. The token is drawn from the sequence while
 * the lock is held, and PostgreSQL makes a commit visible before it releases the transaction's locks. So
 * a writer with token T started after every token below T had committed or rolled back, and every
 * snapshot that sees T also sees all of them: "read at T" = rows with `created_tx_id <= T < expired_tx_id`
 * is exact and stable, and a replica that has applied every token up to T never misses an earlier one.
 * The price is that writes to one database are serialised (batch them); readers never wait.
 */
export async function runWriteTransaction<T>(
  pool: Pool,
  settings: WriteSettings,
  body: (ctx: WriteContext) => Promise<T>,
): Promise<Committed<T>> {
  const { signal } = settings;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw StoreError.wrap(err, 'connecting', settings.tenant);
    }
    let broken = false;
    const watch = cancelOnAbort(pool, client, signal);
    try {
      signal?.throwIfAborted();
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await catalogQuery(client, 'lockCommits');
      const prev = await catalogQuery<{ token: string }>(client, 'head');
      const drawn = await tenantQuery<{ token: string }>(
        client,
        settings.tenant,
        "INSERT INTO transactions (tenant_id, id, kind) VALUES ($1, nextval('snap_token_seq'), $2) RETURNING id::text AS token",
        [settings.kind],
      );
      const token = drawn.rows[0]?.token ?? '';
      const value = await body({ client, token });
      if (settings.notifyChannel !== undefined) {
        await client.query('SELECT pg_notify($1, $2)', [
          settings.notifyChannel,
          JSON.stringify({ tenant: settings.tenant, snapToken: token, kind: settings.kind }),
        ]);
      }
      // Last chance to abort: once COMMIT has succeeded the write is reported, never undone.
      signal?.throwIfAborted();
      await client.query('COMMIT');
      return { value, token, previous: prev.rows[0]?.token ?? '0', retries: attempt };
    } catch (err) {
      if (await watch.finish()) broken = true;
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      if (signal?.aborted === true) throw abortReason(signal, err);
      const state = sqlStateOf(err);
      if (state !== undefined && RETRYABLE.has(state) && attempt < settings.maxRetries) {
        settings.onRetry?.(err, attempt + 1);
        const ceiling = Math.min(1000, 5 * 2 ** attempt);
        await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
        continue;
      }
      if (state !== undefined && RETRYABLE.has(state)) {
        throw StoreError.wrap(err, `a ${settings.kind} write after ${String(attempt + 1)} attempts`, settings.tenant);
      }
      throw StoreError.wrap(err, `a ${settings.kind} write`, settings.tenant);
    } finally {
      if (await watch.finish()) broken = true;
      client.release(broken);
    }
  }
}
