import type { Request } from 'express';

/**
 * A stand-in for real authentication, for the example only: the user id is the bearer token
 * (`Authorization: Bearer alice`) or the `x-user` header. A real app reads a verified session or JWT here.
 * Whatever it returns is an opaque user id to `gatehouse()`: an id such as `tenant:acme#admin` is refused (400),
 * never read as the userset it looks like.
 */
export function fakeAuth(req: Request): string | undefined {
  const authorization = req.get('authorization');
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim() || undefined;
  return req.get('x-user') ?? undefined;
}
