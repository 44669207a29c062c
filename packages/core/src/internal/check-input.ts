import type { CheckInput } from '../client-types.js';
import type { CacheKey } from '../decision-cache.js';
import {
  BudgetExceededError,
  DepthExceededError,
  EvaluationError,
  GatehouseError,
  InvalidRequestError,
  NotFoundError,
  PdpProtocolError,
  PdpUnavailableError,
} from '../errors.js';
import {
  assertTenant,
  DEFAULT_SUBJECT_TYPE,
  formatSubject,
  NAME_PATTERN,
  parseAttribute,
  parseResource,
  parseSubject,
  parseTuple,
} from '../parse.js';
import type { CheckContext, CheckRequest, Decision, DecisionReason, SubjectInput } from '../types.js';
import { contextKey, resourceKey, subjectKey } from './stable-key.js';

/** A validated check: what the PDP is asked, and the cache key it is stored under. */
export interface NormalizedCheck {
  readonly request: CheckRequest;
  readonly key: CacheKey;
}

/** Validates a check and builds the PDP request and the cache key. */
export function normalizeCheck(input: CheckInput, defaultTenant: string): NormalizedCheck {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers
  if (typeof input !== 'object' || input === null) {
    throw InvalidRequestError.badValue('check', input, 'an object { subject, action, resource }');
  }
  const tenant = assertTenant(input.tenant ?? defaultTenant);
  const subject = parseSubject(input.subject);
  const action = assertName('action', input.action);
  const resource = parseResource(input.resource);
  const context = validContext(input.context);
  let request: CheckRequest = { tenant, subject, action, resource };
  if (context !== undefined) request = { ...request, context };
  const consistency = input.consistency;
  if (consistency !== undefined) {
    const token = (consistency as { atLeastAsFresh?: unknown } | null)?.atLeastAsFresh;
    if (typeof consistency !== 'object' || (token !== undefined && typeof token !== 'string')) {
      throw InvalidRequestError.badValue('consistency', consistency, '{ atLeastAsFresh?: snapToken string }');
    }
    if (token !== undefined && token !== '') request = { ...request, consistency: { atLeastAsFresh: token } };
  }
  if (input.depth !== undefined) {
    if (!Number.isSafeInteger(input.depth) || input.depth < 1) {
      throw InvalidRequestError.badValue('depth', input.depth, 'a positive integer');
    }
    request = { ...request, depth: input.depth };
  }
  const key: CacheKey = {
    tenant,
    subject: subjectKey(input.subject, subject),
    action,
    resource: resourceKey(input.resource, resource),
    context: contextKey(context),
  };
  return { request, key };
}

export function assertName(what: string, name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw InvalidRequestError.badValue(what, name, 'a name of 1-64 letters and "_"');
  }
  return name;
}

export function validContext(context: CheckContext | undefined): CheckContext | undefined {
  if (context === undefined) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw InvalidRequestError.badValue('context', context, 'an object { tuples?, attributes?, data? }');
  }
  const { tuples, attributes, data } = context;
  if (tuples !== undefined) {
    if (!isList(tuples)) throw InvalidRequestError.badValue('context.tuples', tuples, 'an array of tuples');
    for (const tuple of tuples) parseTuple(tuple);
  }
  if (attributes !== undefined) {
    if (!isList(attributes)) {
      throw InvalidRequestError.badValue('context.attributes', attributes, 'an array of attributes');
    }
    for (const attribute of attributes) parseAttribute(attribute);
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    throw InvalidRequestError.badValue('context.data', data, 'an object');
  }
  return context;
}

function isList(value: readonly unknown[]): boolean {
  return Array.isArray(value);
}

export function optionalContext(context: CheckContext | undefined): { context?: CheckContext } {
  const valid = validContext(context);
  return valid === undefined ? {} : { context: valid };
}

export function checked(decision: Decision): Decision {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a Pdp is foreign code
  if (typeof decision !== 'object' || decision === null || typeof decision.allowed !== 'boolean') {
    throw new PdpProtocolError(`the PDP answered a check with ${JSON.stringify(decision)}, not a decision`);
  }
  const reason: DecisionReason = decision.allowed ? 'allowed' : 'denied';
  return decision.snapToken === undefined
    ? { allowed: decision.allowed, reason, cached: false }
    : { allowed: decision.allowed, reason, snapToken: decision.snapToken, cached: false };
}

export function failureReason(err: unknown): DecisionReason {
  if (err instanceof DepthExceededError) return 'depth_exceeded';
  if (err instanceof BudgetExceededError) return 'budget_exceeded';
  if (err instanceof EvaluationError) return 'evaluation_error';
  if (err instanceof InvalidRequestError || err instanceof NotFoundError) return 'invalid_request';
  return 'pdp_unavailable';
}

export function asGatehouseError(err: unknown, tenant: string): GatehouseError {
  if (err instanceof GatehouseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PdpUnavailableError(`the PDP failed: ${message}`, { cause: err, tenant });
}

export function subjectText(subject: SubjectInput): string {
  if (typeof subject !== 'string') return formatSubject(subject);
  return subject.includes(':') ? subject : `${DEFAULT_SUBJECT_TYPE}:${subject}`;
}
