/** How often, at most, a client warns about fail-open decisions when no `onDecision` listener records them. */
export const FAIL_OPEN_WARNING_INTERVAL_MS = 60_000;

/**
 * The log line of fail-open decisions for clients without an `onDecision` listener: a fail-open allow is
 * never silent. `console.warn` (present in node and browsers, so the main entry loads no node built-in),
 * at most once per interval per client; the warnings skipped meanwhile are counted in the next one. Names
 * tenant, action and resource, never the subject.
 */
export class FailOpenWarning {
  #last = Number.NEGATIVE_INFINITY;
  #skipped = 0;
  readonly #intervalMs: number;
  readonly #now: () => number;

  public constructor(intervalMs = FAIL_OPEN_WARNING_INTERVAL_MS, now: () => number = Date.now) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  public warn(tenant: string, action: string, resource: string): void {
    const now = this.#now();
    if (now - this.#last < this.#intervalMs) {
      this.#skipped++;
      return;
    }
    this.#last = now;
    const skipped = this.#skipped;
    this.#skipped = 0;
    const more = skipped === 0 ? '' : ` (${String(skipped)} more fail-open decisions since the last warning)`;
    globalThis.console.warn(
      `[gatehouse] fail-open: allowed "${action}" on ${resource} in tenant ${tenant} because the PDP is unavailable ` +
        `and the call asked for failOpen${more}. Set onDecision to record every decision.`,
    );
  }
}
