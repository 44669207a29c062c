import type { Level, Logger } from 'pino';

import type { DecisionEvent, DecisionListener } from './decision-log.js';

/** Options of {@link pinoDecisionSink}. */
export interface PinoDecisionSinkOptions {
  /**
   * Level of ordinary decisions.
   * @defaultValue 'info'
   */
  readonly level?: Level;
  /**
   * Level of decisions that came from a failure (fail-closed denials for `pdp_unavailable`, …) and of
   * fail-open allows.
   * @defaultValue 'warn'
   */
  readonly failureLevel?: Level;
  /**
   * The log message.
   * @defaultValue 'gatehouse decision'
   */
  readonly message?: string;
}

/**
 * A decision-log sink that writes each decision as one structured pino line:
 * `{ tenant, subject, action, resource, allowed, reason, cached, ms }`.
 * @param logger - a pino logger (a child logger works well: `logger.child({ component: 'authz' })`).
 * @param options - levels and message.
 * @returns a listener for `new Gatehouse({ onDecision })`.
 * @example
 * ```ts
 * import pino from 'pino';
 * import { Gatehouse } from '@gatehouse/core';
 * import { pinoDecisionSink } from '@gatehouse/core/pino';
 *
 * const gate = new Gatehouse({ pdp, onDecision: pinoDecisionSink(pino()), decisionLog: { sampleRate: 0.1 } });
 * ```
 */
export function pinoDecisionSink(logger: Logger, options: PinoDecisionSinkOptions = {}): DecisionListener {
  const level = options.level ?? 'info';
  const failureLevel = options.failureLevel ?? 'warn';
  const message = options.message ?? 'gatehouse decision';
  return (event: DecisionEvent) => {
    const failed = event.reason !== 'allowed' && event.reason !== 'denied';
    logger[failed ? failureLevel : level](
      {
        tenant: event.tenant,
        subject: event.subject,
        action: event.action,
        resource: event.resource,
        allowed: event.allowed,
        reason: event.reason,
        cached: event.cached,
        ms: event.ms,
      },
      message,
    );
  };
}
