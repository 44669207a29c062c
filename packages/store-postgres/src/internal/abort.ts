import type { Pool, PoolClient } from 'pg';

import { catalogQuery } from './tenant-sql.js';

/** What {@link cancelOnAbort} returns. @internal */
export interface AbortWatch {
  /** Stops watching; resolves once a cancel in flight has been answered. `true` when the signal fired. */
  finish(): Promise<boolean>;
}

const NOT_WATCHING: AbortWatch = { finish: () => Promise.resolve(false) };

/**
 * Cancels the statement running on `client` when `signal` fires (`pg_cancel_backend` on its backend, sent
 * from the pool), so a long query or a transaction waiting for the commit lock ends at once; the caller then
 * rolls back and rejects with the signal's reason. A client that was cancelled must be released with
 * `release(true)` (destroyed), so a late cancel can never reach someone else's statement. @internal
 */
export function cancelOnAbort(pool: Pool, client: PoolClient, signal: AbortSignal | undefined): AbortWatch {
  if (signal === undefined) return NOT_WATCHING;
  let cancelling: Promise<unknown> | undefined;
  const pid = (client as unknown as { processID: number | null }).processID;
  const onAbort = (): void => {
    cancelling = pid === null ? Promise.resolve() : catalogQuery(pool, 'cancelBackend', [pid]).catch(() => undefined);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    finish: async () => {
      signal.removeEventListener('abort', onAbort);
      if (cancelling === undefined) return false;
      await cancelling;
      return true;
    },
  };
}

/** The signal's reason when it fired (what an aborted call rejects with), else `err`. @internal */
export function abortReason(signal: AbortSignal | undefined, err: unknown): unknown {
  return signal?.aborted === true ? (signal.reason as unknown) : err;
}
