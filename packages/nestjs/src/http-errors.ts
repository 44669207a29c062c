import { HttpException, HttpStatus } from '@nestjs/common';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

/**
 * @internal An HttpException whose body is `{ statusCode, error, message, reason }` on every platform.
 * Built without a captured stack: a denial is an ordinary answer, not a bug.
 */
export function httpError(status: 400 | 401 | 403 | 503, message: string, reason: string): HttpException {
  const body = { statusCode: status, error: TITLES[status] ?? HttpStatus[status], message, reason };
  const err = new HttpException(body, status);
  return err;
}
