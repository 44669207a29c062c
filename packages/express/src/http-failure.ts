import { authorizationFailure } from '@gatehouse/core/adapter';
import type { HttpAnswer, HttpErrorBody } from '@gatehouse/core/adapter';
import type { NextFunction, Response } from 'express';

export type { AuthorizationFailure, HttpStatusFields } from '@gatehouse/core/adapter';

/** The JSON body of every answer the adapter writes itself: core's `{ statusCode, error, message, reason }`. */
export type FailureBody = HttpErrorBody;

/** How a request's failures are answered (the adapter options `onDeny` and `surfaceOutages`). @internal */
export interface FailurePolicy {
  readonly onDeny: 'respond' | 'next';
  readonly surfaceOutages: boolean;
}

/** The policy of a request whose `req.gate` the app set itself, without `gatehouse()`. @internal */
export const DEFAULT_POLICY: FailurePolicy = { onDeny: 'respond', surfaceOutages: false };

/** Writes a core answer as JSON (with its headers). @internal */
export function send(answer: HttpAnswer<unknown>, res: Response): void {
  if (answer.headers !== undefined) res.set(answer.headers);
  res.status(answer.status).json(answer.body);
}

/**
 * Answers the failure as JSON, or (with `onDeny: 'next'`) passes it to `next(err)` as core's
 * `AuthorizationFailure` (an error of core's family with `status` set).
 * @internal
 */
export function fail(answer: HttpAnswer, res: Response, next: NextFunction, policy: FailurePolicy, cause?: unknown): void {
  if (policy.onDeny === 'next') {
    next(authorizationFailure(answer, cause));
    return;
  }
  try {
    send(answer, res);
  } catch (err: unknown) {
    next(err);
  }
}
