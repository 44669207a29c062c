import type { RequestLike } from '@gatehouse/core';
import type { Request } from 'express';

/**
 * An Express request as core's resolvers read it. Express 5 types route parameters as `string | string[]`
 * (wildcards); core's resolvers take the first value of an array, so the request fits at run time.
 * @internal
 */
export function asRequestLike(req: Request): RequestLike {
  return req as unknown as RequestLike;
}
