import { HttpException } from '@nestjs/common';
import { authorizationFailure } from '@gatehouse/core/adapter';
import type { AdapterConfig, HttpAnswer } from '@gatehouse/core/adapter';

/**
 * @internal Core's answer as the guard throws it: with `onDeny: 'respond'` an HttpException whose body is
 * `{ statusCode, error, message, reason }` on every platform (Nest's default filter writes it as it is); with
 * `onDeny: 'next'` core's `AuthorizationFailure` (an error of core's family with `status` set), for the app's
 * exception filters.
 */
export function httpException(answer: HttpAnswer, config?: Pick<AdapterConfig, 'onDeny'>, cause?: unknown): Error {
  if (config?.onDeny === 'next') return authorizationFailure(answer, cause);
  return new HttpException({ ...answer.body }, answer.status, cause === undefined ? undefined : { cause });
}
