import { PdpUnavailableError } from '@gatehouse/core';

const kSnapTokenAhead = Symbol.for('gatehouse.error.SnapTokenAheadError');

/**
 * A request asked for a state at least as fresh as a snap token this engine's view has not applied, and the
 * view did not reach it in time: with the memory store at once (no other writer can ever produce the token),
 * with a durable store after `freshnessTimeoutMs` of catching up. The engine never answers from an older view
 * instead. It is a {@link PdpUnavailableError} (`GH_ERR_PDP_UNAVAILABLE`, HTTP 503), so a client fails closed
 * or retries.
 *
 * @example
 * ```ts
 * try {
 *   await engine.check({ ...request, consistency: { atLeastAsFresh: token } });
 * } catch (err) {
 *   if (err instanceof SnapTokenAheadError) console.warn(`view at ${err.head}, asked for ${err.snapToken}`);
 * }
 * ```
 */
export class SnapTokenAheadError extends PdpUnavailableError {
  /** The token the request asked for. */
  public readonly snapToken: string;
  /** The token the view had applied when the request gave up. */
  public readonly head: string;
  /** How long the request waited for the view (0 for the memory store). */
  public readonly waitedMs: number;

  /**
   * @param snapToken - the token asked for
   * @param head - the view's head when giving up
   * @param waitedMs - how long the request waited
   * @param tenant - the tenant of the request
   */
  public constructor(snapToken: string, head: string, waitedMs: number, tenant?: string) {
    super(
      waitedMs === 0
        ? `snap token ${snapToken} is ahead of this engine's newest commit ${head}`
        : `this replica's view did not reach snap token ${snapToken} within ${String(waitedMs)} ms (it is at ${head})`,
      tenant === undefined ? undefined : { tenant },
    );
    this.snapToken = snapToken;
    this.head = head;
    this.waitedMs = waitedMs;
    Object.defineProperty(this, kSnapTokenAhead, { value: true });
  }

  /** `instanceof` by brand, so it holds across duplicate installs. */
  public static override [Symbol.hasInstance](instance: unknown): boolean {
    return typeof instance === 'object' && instance !== null && kSnapTokenAhead in instance;
  }
}
