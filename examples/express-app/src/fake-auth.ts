import type { Request } from 'express';

/**
 * A stand-in for real authentication, for the example only: the user id is the bearer token
 * (`Authorization: Bearer alice`) or the `x-user` header. A real app reads a verified session or JWT here.
 */
export function fakeAuth(req: Request): string | undefined {
  const authorization = req.get('authorization');
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim() || undefined;
  return req.get('x-user') ?? undefined;
}
