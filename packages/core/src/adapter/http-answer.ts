import {
  DepthExceededError,
  EvaluationError,
  GatehouseError,
  InvalidRequestError,
  PdpUnavailableError,
} from '../errors.js';
import { failureReason } from '../internal/check-input.js';
import type { Decision, DecisionReason } from '../types.js';

/** The statuses an adapter answers itself. */
export type HttpAnswerStatus = 400 | 401 | 403 | 405 | 503;

/**
 * The JSON body of every error an adapter answers (docs/adapters.md): `statusCode` the HTTP status, `error` the
 * HTTP title (`Forbidden`), `reason` the machine-readable why (`unauthenticated`, `invalid_subject`,
 * `missing_tenant`, `invalid_request`, or a decision's reason).
 */
export interface HttpErrorBody {
  /** The HTTP status, repeated in the body (as Nest's own exceptions do), so every adapter answers the same JSON. */
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly reason: string;
}

/** A framework-neutral HTTP answer: the adapter writes `status`, `headers` and `body` its own way. */
export interface HttpAnswer<TBody = HttpErrorBody> {
  readonly status: number;
  readonly body: TBody;
  /** Extra response headers (`Allow` on a 405). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** How a PDP outage is answered. */
export interface OutagePolicy {
  /**
   * Answer 503 when the PDP is unreachable; otherwise an outage is a 403 with reason `pdp_unavailable` (fail
   * closed, and nothing tells the caller that the PDP is down).
   * @defaultValue false
   */
  readonly surfaceOutages?: boolean;
}

const TITLES: Readonly<Record<HttpAnswerStatus, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  503: 'Service Unavailable',
};

const OUTAGE_MESSAGE = 'the policy decision point is unavailable; the request is denied (fail closed)';

/**
 * An error answer with the HTTP title as `error`.
 * @param status - 400, 401, 403, 405 or 503.
 * @param message - safe to show to the client.
 * @param reason - the machine-readable why.
 * @returns `{ status, body: { statusCode, error, message, reason } }`.
 * @example
 * ```ts
 * httpAnswer(400, 'no tenant in the request', 'missing_tenant');
 * // { status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'no tenant in the request', reason: 'missing_tenant' } }
 * ```
 */
export function httpAnswer(status: HttpAnswerStatus, message: string, reason: string): HttpAnswer {
  return { status, body: { statusCode: status, error: TITLES[status], message, reason } };
}

/**
 * The 401 of a request without a subject (reason `unauthenticated`).
 * @example
 * ```ts
 * if (req.gate === undefined) return write(unauthenticatedAnswer());
 * ```
 */
export function unauthenticatedAnswer(): HttpAnswer {
  return httpAnswer(401, 'authentication required: the request has no subject', 'unauthenticated');
}

/**
 * How a check is named in a denial's message: `"edit" on document:1`.
 * @example
 * ```ts
 * deniedAnswer(decision, describeCheck('edit', 'document:1')); // message: permission "edit" on document:1 denied
 * ```
 */
export function describeCheck(action: string, resource: string): string {
  return `"${action}" on ${resource}`;
}

/**
 * The answer to a denial: 403 `{ error: 'Forbidden', message, reason }` with the decision's reason; an outage
 * (`pdp_unavailable`) is a 503 with `surfaceOutages`, else a 403 like any denial.
 * @param decision - a decision that is not allowed (only its `reason` is read).
 * @param what - the check as {@link describeCheck} names it (or several, `any of …`).
 * @param policy - whether outages are surfaced as 503.
 * @returns the answer.
 * @example
 * ```ts
 * const answer = deniedAnswer({ allowed: false, reason: 'denied' }, describeCheck('edit', 'document:1'));
 * // { status: 403, body: { statusCode: 403, error: 'Forbidden', message: 'permission "edit" on document:1 denied', reason: 'denied' } }
 * ```
 */
export function deniedAnswer(decision: Pick<Decision, 'reason'>, what: string, policy: OutagePolicy = {}): HttpAnswer {
  const reason: DecisionReason = decision.reason ?? 'denied';
  if (reason === 'pdp_unavailable') {
    return httpAnswer(policy.surfaceOutages === true ? 503 : 403, OUTAGE_MESSAGE, reason);
  }
  return httpAnswer(403, `permission ${what} denied`, reason);
}

/**
 * Maps what a check (or a resource resolver) may throw to an answer: {@link InvalidRequestError} → 400
 * (reason `invalid_request`); {@link PdpUnavailableError}, {@link DepthExceededError} and {@link EvaluationError}
 * (thrown only by a client built with `throwOnError`) → the denial of that reason. Anything else is not the
 * adapter's to answer: `undefined` (pass it on to the framework's error handling).
 * @param err - what was thrown.
 * @param what - the check, for a denial's message.
 * @param policy - whether outages are surfaced as 503.
 * @returns the answer, or `undefined`.
 * @example
 * ```ts
 * const answer = errorAnswer(err, describeCheck('edit', 'document'));
 * if (answer === undefined) next(err); else res.status(answer.status).json(answer.body);
 * ```
 */
export function errorAnswer(err: unknown, what: string, policy: OutagePolicy = {}): HttpAnswer | undefined {
  if (err instanceof InvalidRequestError) return httpAnswer(400, err.message, 'invalid_request');
  if (err instanceof PdpUnavailableError) return deniedAnswer({ reason: 'pdp_unavailable' }, what, policy);
  if (err instanceof DepthExceededError) return deniedAnswer({ reason: 'depth_exceeded' }, what, policy);
  if (err instanceof EvaluationError) return deniedAnswer({ reason: 'evaluation_error' }, what, policy);
  return undefined;
}

/**
 * The answer to a failed call that has no fail-closed value — `permissions()`, `lookupResources()`, an ability
 * payload: {@link InvalidRequestError} → 400 (reason `invalid_request`); any other {@link GatehouseError} → 503
 * with the failure's reason (`pdp_unavailable`, `depth_exceeded`, `evaluation_error`); anything else `undefined`.
 * @param err - what the call rejected with.
 * @returns the answer, or `undefined` (pass it on to the framework's error handling).
 * @example
 * ```ts
 * const answer = callErrorAnswer(err);
 * if (answer === undefined) next(err); else res.status(answer.status).json(answer.body);
 * ```
 */
export function callErrorAnswer(err: unknown): HttpAnswer | undefined {
  if (err instanceof InvalidRequestError) return httpAnswer(400, err.message, 'invalid_request');
  if (err instanceof GatehouseError) return httpAnswer(503, err.message, failureReason(err));
  return undefined;
}
