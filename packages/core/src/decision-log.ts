import { InvalidRequestError } from './errors.js';
import type { DecisionReason } from './types.js';

/** One decision, as the audit trail records it (docs/architecture.md#the-decision-log). */
export interface DecisionEvent {
  readonly tenant: string;
  /** The subject in its string form (`user:alice`, `team:eng#member`). */
  readonly subject: string;
  readonly action: string;
  /** The resource in its string form (`document:42`, or `document` for a type-level check). */
  readonly resource: string;
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  /** True when the decision came from the client's cache. */
  readonly cached: boolean;
  /** Milliseconds the check took, in this process. */
  readonly ms: number;
}

/** A receiver of decision events. Exceptions it throws are swallowed: logging never changes a decision. */
export type DecisionListener = (event: DecisionEvent) => void;

/** How decision events are sampled and redacted before `onDecision` sees them. */
export interface DecisionLogOptions {
  /**
   * Share of decisions logged, 0-1. Fail-open decisions are always logged.
   * @defaultValue 1
   */
  readonly sampleRate?: number;
  /** Rewrites an event before it is logged (mask ids, drop fields); return `undefined` to drop it. */
  readonly redact?: (event: DecisionEvent) => DecisionEvent | undefined;
}

/** @internal Sampling and redaction in front of the `onDecision` listener. */
export class DecisionLog {
  readonly #listener: DecisionListener;
  readonly #sampleRate: number;
  readonly #redact: ((event: DecisionEvent) => DecisionEvent | undefined) | undefined;

  public constructor(listener: DecisionListener, options: DecisionLogOptions = {}) {
    const rate = options.sampleRate ?? 1;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw InvalidRequestError.badValue('options.decisionLog.sampleRate', rate, 'a number from 0 to 1');
    }
    this.#listener = listener;
    this.#sampleRate = rate;
    this.#redact = options.redact;
  }

  /** Decides, before an event is built, whether this decision is logged. */
  public sampled(): boolean {
    return this.#sampleRate >= 1 || (this.#sampleRate > 0 && Math.random() < this.#sampleRate);
  }

  public emit(event: DecisionEvent): void {
    try {
      const out = this.#redact === undefined ? event : this.#redact(event);
      if (out !== undefined) this.#listener(out);
    } catch {
      // An audit sink that throws must not turn an answer into an error.
    }
  }
}
