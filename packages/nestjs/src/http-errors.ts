import { HttpException } from '@nestjs/common';
import { httpAnswer } from '@gatehouse/core';
import type { HttpAnswer, HttpAnswerStatus } from '@gatehouse/core';

/**
 * @internal Core's answer as an HttpException whose body is `{ statusCode, error, message, reason }` on every
 * platform (`error` the HTTP title, as Nest's own exceptions).
 */
export function httpException(answer: HttpAnswer): HttpException {
  return new HttpException({ statusCode: answer.status, ...answer.body }, answer.status);
}

/** @internal {@link httpException} of `httpAnswer(status, message, reason)`. */
export function httpError(status: HttpAnswerStatus, message: string, reason: string): HttpException {
  return httpException(httpAnswer(status, message, reason));
}
