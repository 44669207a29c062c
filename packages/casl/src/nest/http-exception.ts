import { HttpException } from '@nestjs/common';
import { callErrorAnswer } from '@gatehouse/core/adapter';
import type { HttpAnswer } from '@gatehouse/core/adapter';

/** @internal Core's answer as Nest's `{ statusCode, error, message, reason }`, the body `@gatehouse/nestjs` answers. */
export function httpException(answer: HttpAnswer, cause?: unknown): HttpException {
  return new HttpException({ ...answer.body }, answer.status, { cause });
}

/** @internal What building an ability rejected with, as an HTTP answer (400, 503), or the error itself. */
export function abilityError(err: unknown): unknown {
  const answer = callErrorAnswer(err);
  return answer === undefined ? err : httpException(answer, err);
}
