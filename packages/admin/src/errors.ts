import { ConflictError, ForbiddenError, NotFoundError } from '@gatehouse/core';

/** The actor lacks a delegation permission (`manage_members`, `assign_<role>`, …): HTTP 403 `GH_ERR_FORBIDDEN`. */
export class AdminForbiddenError extends ForbiddenError {
  /** The permission the actor would need, on the tenant. */
  public readonly permission: string;
  public constructor(permission: string, message: string, options?: { tenant?: string }) {
    super(message, { reason: 'denied', ...options });
    this.permission = permission;
  }

  /** The standard message: who lacks what where. */
  public static lacking(actor: string, permission: string, tenant: string): AdminForbiddenError {
    return new AdminForbiddenError(permission, `${JSON.stringify(actor)} lacks the permission ${JSON.stringify(permission)} on tenant ${JSON.stringify(tenant)}`, { tenant });
  }
}

/** The change would leave nobody holding `manage_members` in the tenant: HTTP 409. */
export class LockOutError extends ConflictError {
  public constructor(tenant: string) {
    super(`refused: after this change nobody would hold "manage_members" on tenant ${JSON.stringify(tenant)} (lock-out)`, { tenant });
  }
}

/** The invitation was used, revoked or has expired: HTTP 410 `GH_ERR_GONE` (a {@link NotFoundError} elsewhere). */
export class InvitationGoneError extends NotFoundError {
  /** Why it is gone. */
  public readonly why: 'accepted' | 'revoked' | 'expired';
  public constructor(why: 'accepted' | 'revoked' | 'expired', options?: { tenant?: string }) {
    super(`the invitation ${why === 'accepted' ? 'was already used' : why === 'revoked' ? 'was revoked' : 'has expired'}`, options);
    this.why = why;
  }
}
