import type { CheckInput } from '../client-types.js';
import type { Gatehouse } from '../gatehouse.js';
import type { Decision } from '../types.js';

/**
 * Decisions of promises `Gatehouse.check()` returned and that have settled. A cache hit returns the entry's own
 * pre-built promise (the same object on every hit), so once it has been seen to settle, its decision is known
 * without waiting for a microtask. Misses return a fresh promise each time: their entries are never asked again
 * and go with the promise.
 */
const settled = new WeakMap<Promise<Decision>, Decision>();

const ignore = (): void => undefined;

function remember(promise: Promise<Decision>): void {
  promise.then((decision) => {
    settled.set(promise, decision);
  }, ignore);
}

/**
 * Decides a check through `client.check()` and gives the decision synchronously when the client answered from
 * its cache with a promise that has already settled; otherwise the promise. Everything `check()` does happens
 * exactly once — the decision event (`onDecision`), the span, the hit counter — because it is `check()` that
 * runs: this only saves the adapter an `await` on the hot path (`authorize()` calls `next()` at once, the Nest
 * guard returns `true`). A hit allocates nothing.
 *
 * @param client - the client to ask.
 * @param input - the check, as for `Gatehouse.check()`.
 * @returns the decision, or a promise of it (a miss, or the first sighting of a cache entry).
 * @throws {@link InvalidRequestError} never synchronously: malformed input rejects the returned promise.
 * @example
 * ```ts
 * const now = checkNow(gate, { tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:1' });
 * const decision = now instanceof Promise ? await now : now;
 * ```
 */
export function checkNow(client: Gatehouse, input: CheckInput): Decision | Promise<Decision> {
  const promise = client.check(input);
  const known = settled.get(promise);
  if (known !== undefined) return known;
  remember(promise);
  return promise;
}
