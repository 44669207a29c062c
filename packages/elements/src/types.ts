/**
 * The wire shapes of the app's admin routes (`@gatehouse/admin`'s router, mounted by the app). The app's
 * request decides the actor and the tenant, so no request body names them.
 */

/** A member of the tenant: a user who holds at least one role there, or has a pending invitation. */
export interface Member {
  /** The user id; absent for a pending invitation. */
  readonly id?: string | undefined;
  /** For a pending invitation (`status: 'invited'`): the invitation's id. */
  readonly invitationId?: string | undefined;
  readonly email?: string | undefined;
  readonly name?: string | undefined;
  readonly roles: readonly string[];
  readonly status: string;
}

/** A role of the tenant and whether the viewing user may grant and revoke it (`assign_<role>`). */
export interface RoleInfo {
  readonly name: string;
  readonly assignable: boolean;
}

/** What the viewer may do in the tenant (`roles/list`'s `permissions`). */
export interface ViewerPermissions {
  readonly manage_members: boolean;
  readonly view_members: boolean;
  readonly view_audit: boolean;
}

/** `roles/list`: the tenant's roles, what the viewer may do, and who the viewer is. */
export interface RolesAnswer {
  readonly roles: readonly RoleInfo[];
  readonly permissions: ViewerPermissions;
  readonly viewer?: string | undefined;
}

/** A pending (or used, expired, revoked) invitation. The token itself is never listed. */
export interface Invitation {
  readonly id: string;
  readonly email?: string | undefined;
  readonly name?: string | undefined;
  readonly roles: readonly string[];
  readonly expires_at?: string | undefined;
  readonly status?: string | undefined;
}

/** One entry of the audit trail, in commit order. */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target?: string | undefined;
  readonly details?: unknown;
  readonly snap_token?: string | undefined;
}

/** Filters of the audit trail; every field is optional, times are ISO 8601. */
export interface AuditFilter {
  readonly actor?: string;
  readonly target?: string;
  readonly action?: string;
  readonly since?: string;
  readonly until?: string;
}

/** A page of results and the token that continues it (absent or empty at the end). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly continuousToken?: string | undefined;
}

/** What an invite answers: the invitation and, when the app's route returns it, its token (shown once). */
export interface InviteResult {
  readonly invitation: Invitation;
  readonly token?: string | undefined;
}
