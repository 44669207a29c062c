import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';

/** The demo's user, as a real auth layer (passport, a JWT guard) would put it on `req.user`. */
export interface DemoUser {
  readonly id: string;
}

/** The 401 body of routes that need a user but no permission, shaped like the PermissionGuard's answers. */
export const UNAUTHENTICATED = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'authentication required: send Authorization: Bearer <user>',
  reason: 'unauthenticated',
};

// Any token without spaces, as an identity provider may issue ids with ":" or "#" in them: what the app makes of
// it is @gatehouse/nestjs's business (an opaque id; an id that is not a valid one is refused with 400).
const BEARER = /^Bearer (\S{1,256})$/;

/**
 * FAKE authentication for the demo: `Authorization: Bearer alice` logs you in as alice, no password.
 * It only sets `req.user`; it never rejects (the PermissionGuard answers 401 where a user is needed).
 * Replace it with your real auth guard or middleware.
 */
@Injectable()
export class FakeAuthGuard implements CanActivate {
  public canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined>; user?: DemoUser }>();
    const header = req.headers.authorization;
    const id = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (id !== undefined) req.user = { id };
    return true;
  }
}
