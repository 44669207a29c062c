import { GatehouseError } from '@gatehouse/core';

const kHistoryGone = Symbol.for('gatehouse.error.HistoryGoneError');

/**
 * The changes after a snap token are no longer all stored: the store's garbage collector (PostgreSQL's
 * `gcWindowMs`, `MemoryStore.compact`) removed history newer than that token. {@link Store.changesSince}
 * rejects with it instead of silently answering with only the later changes; whoever follows the store (an
 * engine's view, a watch stream resuming from an old token) must reload from the head instead.
 *
 * @example
 * ```ts
 * try {
 *   await store.changesSince(lastApplied);
 * } catch (err) {
 *   if (err instanceof HistoryGoneError) await reloadEverything(); // err.horizon: the oldest token to resume from
 * }
 * ```
 */
export class HistoryGoneError extends GatehouseError {
  /** The token the caller asked to resume after. */
  public readonly snapToken: string;
  /** The oldest token after which the store still has every change. */
  public readonly horizon: string;

  /**
   * @param snapToken - the token asked for
   * @param horizon - the oldest token the store can still resume after
   * @param options - the tenant, when the read was for one
   */
  public constructor(snapToken: string, horizon: string, options: { tenant?: string } = {}) {
    super(
      'GH_ERR_STORE',
      `the changes after snap token ${snapToken} are gone (history was collected up to ${horizon}); reload from the head instead`,
      options.tenant === undefined ? undefined : { tenant: options.tenant },
    );
    this.snapToken = snapToken;
    this.horizon = horizon;
    Object.defineProperty(this, kHistoryGone, { value: true });
  }

  /** `instanceof` by brand, so it holds across duplicate installs. */
  public static override [Symbol.hasInstance](instance: unknown): boolean {
    return typeof instance === 'object' && instance !== null && kHistoryGone in instance;
  }
}
