import { GatehouseError, PdpProtocolError, PdpUnavailableError } from '../errors.js';
import type { CheckRequest, Decision, Pdp } from '../types.js';
import { contextKey } from './stable-key.js';

interface Pending {
  readonly request: CheckRequest;
  readonly resolve: (decision: Decision) => void;
  readonly reject: (err: unknown) => void;
}

const schedule: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => { setImmediate(fn); } : (fn) => { setTimeout(fn, 0); };

/** Failures that say nothing about the request itself: never worth asking item by item. */
export function isAvailabilityFailure(err: unknown): boolean {
  return err instanceof PdpUnavailableError || err instanceof PdpProtocolError || !(err instanceof GatehouseError);
}

/**
 * A layer in front of a Pdp that sends the checks of one event-loop turn as bulk checks: grouped by tenant,
 * consistency, depth and context (a bulk request shares them), at most `batchLimit` per call. A lone check
 * goes out as a plain check. When a bulk call fails for a reason of one item (depth, evaluation, unknown
 * permission), its items are asked one by one, so one bad item does not deny its neighbours.
 */
export class Coalescer {
  readonly #pdp: Pdp;
  readonly #batchLimit: number;
  readonly #onShared: (count: number) => void;
  #queue: Pending[] = [];
  #scheduled = false;

  /** @param onShared - told how many checks rode along in another's bulk call. */
  public constructor(pdp: Pdp, batchLimit: number, onShared: (count: number) => void) {
    this.#pdp = pdp;
    this.#batchLimit = batchLimit;
    this.#onShared = onShared;
  }

  public async check(request: CheckRequest): Promise<Decision> {
    return await new Promise<Decision>((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        schedule(() => { this.#flush(); });
      }
    });
  }

  #flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    const groups = new Map<string, Pending[]>();
    for (const pending of queue) {
      const r = pending.request;
      const group = JSON.stringify([
        r.tenant, r.consistency?.atLeastAsFresh ?? null, r.depth ?? null, contextKey(r.context) ?? null,
      ]);
      const list = groups.get(group);
      if (list === undefined) groups.set(group, [pending]);
      else list.push(pending);
    }
    for (const list of groups.values()) {
      for (let i = 0; i < list.length; i += this.#batchLimit) this.#dispatch(list.slice(i, i + this.#batchLimit));
    }
  }

  #dispatch(batch: Pending[]): void {
    const [only] = batch;
    if (batch.length === 1 && only !== undefined) {
      this.#single(only);
      return;
    }
    this.#onShared(batch.length - 1);
    const run = async (): Promise<Decision[]> => await this.#pdp.checkMany(batch.map((p) => p.request));
    run().then(
      (decisions) => {
        if (decisions.length !== batch.length) {
          throw new PdpProtocolError(
            `the PDP answered ${String(decisions.length)} decisions to a bulk check of ${String(batch.length)}`,
          );
        }
        decisions.forEach((decision, i) => { batch[i]?.resolve(decision); });
      },
    ).catch((err: unknown) => {
      if (isAvailabilityFailure(err)) {
        for (const pending of batch) pending.reject(err);
        return;
      }
      for (const pending of batch) this.#single(pending);
    });
  }

  #single(pending: Pending): void {
    const run = async (): Promise<Decision> => await this.#pdp.check(pending.request);
    run().then(pending.resolve, pending.reject);
  }
}
