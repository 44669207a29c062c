import { HttpException } from '@nestjs/common';
import type { HttpAnswer } from '@gatehouse/core/adapter';

/**
 * @internal Core's answer as an HttpException whose body is `{ statusCode, error, message, reason }` on every
 * platform (`error` the HTTP title, as Nest's own exceptions).
 */
export function httpException(answer: HttpAnswer): HttpException {
  return new HttpException({ ...answer.body }, answer.status);
}
