import { ForbiddenError, InvalidRequestError, PdpUnavailableError } from '../errors.js';
import type { GatehouseError } from '../errors.js';
import type { HttpAnswer } from './http-answer.js';

/** HTTP fields set on the error an adapter hands to the app with `onDeny: 'next'`. */
export interface HttpStatusFields {
  /** The HTTP status the adapter would have answered: 400, 401, 403 or 503. */
  readonly status: number;
  /** Same as `status`, for error handlers that read `statusCode`. */
  readonly statusCode: number;
  /** Why: `unauthenticated`, `invalid_subject`, `missing_tenant`, `invalid_request`, or the decision's reason. */
  readonly reason: string;
  /** Always true: the message is safe to show to the client (the http-errors convention). */
  readonly expose: true;
}

/**
 * What an adapter hands the app with `onDeny: 'next'`: an error of core's family (`ForbiddenError` for 401/403,
 * `InvalidRequestError` for 400, `PdpUnavailableError` for 503) with the HTTP fields set.
 */
export type AuthorizationFailure = GatehouseError & HttpStatusFields;

/**
 * An answer as an {@link AuthorizationFailure}: `cause` itself when it already is the error of that status,
 * else a new one with the answer's message and reason.
 * @param answer - the answer the adapter would have written.
 * @param cause - the error behind it, when there is one.
 * @returns the error, with `status`, `statusCode`, `reason` and `expose` set.
 * @example
 * ```ts
 * if (config.onDeny === 'next') return next(authorizationFailure(answer));
 * ```
 */
export function authorizationFailure(answer: HttpAnswer, cause?: unknown): AuthorizationFailure {
  const { message, reason } = answer.body;
  let error: GatehouseError;
  if (answer.status === 400) error = cause instanceof InvalidRequestError ? cause : new InvalidRequestError(message);
  else if (answer.status === 503) error = cause instanceof PdpUnavailableError ? cause : new PdpUnavailableError(message);
  else error = new ForbiddenError(message, { reason });
  const fields: HttpStatusFields = { status: answer.status, statusCode: answer.status, reason, expose: true };
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(error, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return error as AuthorizationFailure;
}
