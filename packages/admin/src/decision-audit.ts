import type { DecisionEvent, DecisionListener } from '@gatehouse/core';
import type { AuditTrail } from './audit-trail.js';

/** Options of {@link decisionAudit}. */
export interface DecisionAuditOptions {
  /** Record denials only (the usual question of an audit: who was refused what). @defaultValue false */
  readonly deniedOnly?: boolean;
  /** Where a failure to record goes (the trail's store is down). @defaultValue ignored */
  readonly onError?: (err: unknown) => void;
}

/**
 * A decision-log listener that samples decisions into the audit trail as `decision` entries (actor = the
 * subject, target = the resource, details = `{action, allowed, reason, cached}`, no snap token). Sampling and
 * redaction are the client's own decision-log options, so the trail receives what the log would.
 * @param trail - the trail to record into (`adminService.audit`).
 * @param options - see {@link DecisionAuditOptions}.
 * @returns a listener for `new Gatehouse({ onDecision, decisionLog: { sampleRate } })`.
 * @example
 * ```ts
 * const gate = new Gatehouse({ pdp, onDecision: decisionAudit(admin.audit), decisionLog: { sampleRate: 0.01 } });
 * ```
 */
export function decisionAudit(trail: AuditTrail, options: DecisionAuditOptions = {}): DecisionListener {
  const onError = options.onError ?? ((): void => undefined);
  return (e: DecisionEvent) => {
    if (options.deniedOnly === true && e.allowed) return;
    trail
      .append({ tenant: e.tenant, actor: e.subject, action: 'decision', target: e.resource, details: { action: e.action, allowed: e.allowed, reason: e.reason, cached: e.cached } }, null)
      .catch(onError);
  };
}
