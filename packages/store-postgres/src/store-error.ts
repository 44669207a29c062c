import { GatehouseError } from '@gatehouse/core';

const kStoreError = Symbol.for('gatehouse.error.StoreError');

/**
 * PostgreSQL (or the relay) failed: connection refused, a transaction still conflicting after every retry,
 * a constraint the store did not expect. The driver's error is the `cause`; `sqlState` is its SQLSTATE.
 *
 * @example
 * ```ts
 * try { await store.commit(write); } catch (err) { if (err instanceof StoreError) console.error(err.sqlState); }
 * ```
 */
export class StoreError extends GatehouseError {
  /** The SQLSTATE of the database error (`40001` for a serialization failure), when there is one. */
  public readonly sqlState: string | undefined;

  public constructor(message: string, options?: ErrorOptions & { tenant?: string; sqlState?: string }) {
    super('GH_ERR_STORE', message, options);
    this.sqlState = options?.sqlState;
    Object.defineProperty(this, kStoreError, { value: true });
  }

  /** `instanceof` by brand, so it holds across duplicate installs. */
  public static override [Symbol.hasInstance](instance: unknown): boolean {
    return typeof instance === 'object' && instance !== null && kStoreError in instance;
  }

  /** Wraps a driver error; Gatehouse errors pass through unchanged. @internal */
  public static wrap(err: unknown, what: string, tenant?: string): Error {
    if (err instanceof GatehouseError) return err;
    const sqlState = sqlStateOf(err);
    const reason = err instanceof Error ? err.message : String(err);
    return new StoreError(`PostgreSQL store: ${what} failed: ${reason}`, {
      cause: err,
      ...(tenant === undefined ? {} : { tenant }),
      ...(sqlState === undefined ? {} : { sqlState }),
    });
  }
}

/** The SQLSTATE of a node-postgres error, or `undefined`. @internal */
export function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = err.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
