import {
  DepthExceededError,
  EvaluationError,
  ForbiddenError,
  InvalidRequestError,
  PdpUnavailableError,
  type Decision,
  type GatehouseError,
} from '@gatehouse/core';
import type { NextFunction, Response } from 'express';

/** HTTP fields set on the error `authorize()` passes to `next(err)` when `onDeny: 'next'`. */
export interface HttpStatusFields {
  /** The HTTP status the adapter would have answered: 400, 401, 403 or 503. */
  readonly status: number;
  /** Same as `status`, for error handlers that read `statusCode`. */
  readonly statusCode: number;
  /** Why: `unauthenticated`, `invalid_request`, or the decision's reason (`denied`, `pdp_unavailable`, …). */
  readonly reason: string;
  /** Always true: the message is safe to show to the client (http-errors convention). */
  readonly expose: true;
}

/**
 * What `authorize()` hands to `next(err)` with `onDeny: 'next'`: an error of core's family
 * (`ForbiddenError` for 401/403, `InvalidRequestError` for 400, `PdpUnavailableError` for 503) with
 * `status` set.
 */
export type AuthorizationFailure = GatehouseError & HttpStatusFields;

/** The JSON body of every answer the adapter writes itself. */
export interface FailureBody {
  readonly error: 'unauthenticated' | 'invalid_request' | 'forbidden' | 'unavailable';
  readonly message: string;
  readonly reason: string;
}

/** How a request's failures are answered; shared by every request of one `gatehouse()` middleware. @internal */
export interface FailurePolicy {
  readonly onDeny: 'respond' | 'next';
  readonly surfaceOutages: boolean;
}

/** @internal */
export interface Failure {
  readonly status: 400 | 401 | 403 | 503;
  readonly body: FailureBody;
  readonly error: GatehouseError;
}

/** @internal */
export function unauthenticated(): Failure {
  const message = 'authentication required: the request has no subject';
  return {
    status: 401,
    body: { error: 'unauthenticated', message, reason: 'unauthenticated' },
    error: new ForbiddenError(message, { reason: 'unauthenticated' }),
  };
}

/** @internal */
export function invalidRequest(error: InvalidRequestError): Failure {
  return {
    status: 400,
    body: { error: 'invalid_request', message: error.message, reason: 'invalid_request' },
    error,
  };
}

/** A denial decision (or a PDP outage when outages are surfaced). @internal */
export function denied(decision: Decision, action: string, what: string, policy: FailurePolicy): Failure {
  const reason = decision.reason ?? 'denied';
  if (reason === 'pdp_unavailable' && policy.surfaceOutages) {
    const message = `authorization is unavailable: the policy decision point could not be reached`;
    return {
      status: 503,
      body: { error: 'unavailable', message, reason },
      error: new PdpUnavailableError(message),
    };
  }
  const message = `not allowed to ${action} ${what}`;
  return { status: 403, body: { error: 'forbidden', message, reason }, error: new ForbiddenError(message, { reason }) };
}

/**
 * Maps an error thrown by a check (or a resource resolver) to a failure, or `undefined` when it is not one the
 * adapter answers itself (it then goes to `next(err)`). Only reachable errors: invalid input always rejects;
 * PDP and evaluation failures reject only from a client built with `throwOnError`.
 * @internal
 */
export function failureOf(err: unknown, action: string, what: string, policy: FailurePolicy): Failure | undefined {
  if (err instanceof InvalidRequestError) return invalidRequest(err);
  if (err instanceof PdpUnavailableError) return denied({ allowed: false, reason: 'pdp_unavailable' }, action, what, policy);
  if (err instanceof DepthExceededError) return denied({ allowed: false, reason: 'depth_exceeded' }, action, what, policy);
  if (err instanceof EvaluationError) return denied({ allowed: false, reason: 'evaluation_error' }, action, what, policy);
  return undefined;
}

/** Answers the failure as JSON, or passes it to `next(err)` with `status` set. @internal */
export function fail(failure: Failure, res: Response, next: NextFunction, policy: FailurePolicy): void {
  if (policy.onDeny === 'next') {
    next(withStatus(failure));
    return;
  }
  try {
    res.status(failure.status).json(failure.body);
  } catch (err: unknown) {
    next(err);
  }
}

function withStatus(failure: Failure): AuthorizationFailure {
  const fields: HttpStatusFields = {
    status: failure.status,
    statusCode: failure.status,
    reason: failure.body.reason,
    expose: true,
  };
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(failure.error, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return failure.error as AuthorizationFailure;
}
