import { ForbiddenError, InvalidRequestError, PdpUnavailableError, type GatehouseError } from '@gatehouse/core';
import { type HttpAnswer, type HttpErrorBody } from '@gatehouse/core/adapter';
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

/** The JSON body of every answer the adapter writes itself: core's `{ error, message, reason }`, `error` the HTTP title. */
export type FailureBody = HttpErrorBody;

/** How a request's failures are answered; shared by every request of one `gatehouse()` middleware. @internal */
export interface FailurePolicy {
  readonly onDeny: 'respond' | 'next';
  readonly surfaceOutages: boolean;
}

/** Writes a core answer as JSON (with its headers). @internal */
export function send(answer: HttpAnswer<unknown>, res: Response): void {
  if (answer.headers !== undefined) res.set(answer.headers);
  res.status(answer.status).json(answer.body);
}

/** Answers the failure as JSON, or passes it to `next(err)` as an error of core's family with `status` set. @internal */
export function fail(answer: HttpAnswer, res: Response, next: NextFunction, policy: FailurePolicy, cause?: unknown): void {
  if (policy.onDeny === 'next') {
    next(withStatus(answer, cause));
    return;
  }
  try {
    send(answer, res);
  } catch (err: unknown) {
    next(err);
  }
}

function errorOf(answer: HttpAnswer, cause: unknown): GatehouseError {
  const { message, reason } = answer.body;
  if (answer.status === 400) return cause instanceof InvalidRequestError ? cause : new InvalidRequestError(message);
  if (answer.status === 503) return cause instanceof PdpUnavailableError ? cause : new PdpUnavailableError(message);
  return new ForbiddenError(message, { reason });
}

function withStatus(answer: HttpAnswer, cause: unknown): AuthorizationFailure {
  const error = errorOf(answer, cause);
  const fields: HttpStatusFields = {
    status: answer.status,
    statusCode: answer.status,
    reason: answer.body.reason,
    expose: true,
  };
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(error, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return error as AuthorizationFailure;
}
