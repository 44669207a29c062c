/**
 * Who a management call acts for.
 * - `{ userId }`: an end user; the user's delegation permissions (`manage_members`, `assign_<role>`, …) on the
 *   tenant are checked by the policy.
 * - `{ trusted }`: the application itself (an API key, an operator's CLI): no delegation check, like the key's own
 *   data writes; `trusted` is the label recorded in the audit trail.
 */
export type AdminActor = { readonly userId: string } | { readonly trusted: string };

/** A member of a tenant: a user holding at least one role there, or a pending invitation. */
export interface Member {
  /** The user id; `null` for a pending invitation. */
  readonly id: string | null;
  readonly email: string | null;
  readonly name: string | null;
  /** Roles held (for an invitation: the roles offered). Sorted. */
  readonly roles: readonly string[];
  /** `active`: holds roles; `invited`: a pending invitation. */
  readonly status: 'active' | 'invited';
  /** The actor who invited the user (a user id or an API key label), when known. */
  readonly invitedBy: string | null;
  /** RFC 3339. */
  readonly createdAt: string | null;
  /** RFC 3339. */
  readonly updatedAt: string | null;
  /** For a pending invitation: its id (for `revokeInvitation`). */
  readonly invitationId?: string;
}

/** An invitation to join a tenant with some roles. Its token is never stored or listed, only its hash. */
export interface Invitation {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly roles: readonly string[];
  readonly status: 'pending' | 'accepted' | 'revoked' | 'expired';
  readonly invitedBy: string | null;
  /** RFC 3339. */
  readonly createdAt: string;
  /** RFC 3339. */
  readonly expiresAt: string;
  /** The user who accepted it. */
  readonly acceptedBy?: string;
}

/** One line of the audit trail. */
export interface AuditEntry {
  /** Opaque, increasing in commit order within the trail. */
  readonly id: string;
  /** RFC 3339. */
  readonly at: string;
  /** The user the change was made for, or the API key's label. */
  readonly actor: string;
  /** `member.invite`, `invitation.accept`, `invitation.revoke`, `member.role.assign`, `member.role.revoke`,
   * `member.remove`, `schema.write`, `data.write`, `data.delete`, `decision` (sampled decisions). */
  readonly action: string;
  /** What was changed: `user:dave`, `invitation:<id>`, `tenant:acme`. */
  readonly target: string;
  /** What changed, in detail (roles, counts, the first tuples of a write). */
  readonly details: Readonly<Record<string, unknown>>;
  /** The snap token of the commit, or `null` when nothing in the policy data changed (an invitation). */
  readonly snapToken: string | null;
}

/** Filters of {@link AdminBackend.listAudit}; every field is optional and exact. */
export interface AuditFilter {
  readonly actor?: string;
  readonly target?: string;
  readonly action?: string;
  /** RFC 3339; entries at or after it. */
  readonly since?: string;
  /** RFC 3339; entries before it. */
  readonly until?: string;
}

/** A role of the tenant and whether the actor may grant it. */
export interface RoleInfo {
  readonly name: string;
  /** The actor holds `assign_<name>`. */
  readonly assignable: boolean;
}

/** What {@link AdminBackend.listRoles} answers. */
export interface RolesView {
  readonly roles: readonly RoleInfo[];
  /** The actor's management permissions in the tenant. */
  readonly permissions: { readonly manageMembers: boolean; readonly viewMembers: boolean; readonly viewAudit: boolean };
  /** The acting user's id, or `null` for a trusted caller. */
  readonly viewer: string | null;
}

/** Common fields of a management call. */
export interface AdminCall {
  readonly tenant: string;
  readonly actor: AdminActor;
}

/** Paging of list calls. */
export interface PageRequest {
  /** @defaultValue 50 (at most 1000) */
  readonly pageSize?: number;
  /** The `continuousToken` of the previous page. */
  readonly continuousToken?: string;
}

/** A page of results; `continuousToken` is `''` after the last page (audit pages always carry a resume token). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly continuousToken: string;
}

/**
 * The management operations, one interface for the embedded service ({@link AdminService}) and the remote
 * client (`RemoteAdmin` from `@gatehouse/admin/remote`). The Express router and the Nest module call it with the
 * request's tenant and subject.
 */
export interface AdminBackend {
  /** The tenant's roles and which ones the actor may grant; needs no permission. */
  listRoles(call: AdminCall): Promise<RolesView>;
  /** Members (active first, then pending invitations). Needs `view_members`. */
  listMembers(call: AdminCall & PageRequest & { readonly query?: string }): Promise<Page<Member>>;
  /** Invites someone by email with roles. Needs `manage_members` and `assign_<role>` for every role. */
  invite(call: AdminCall & { readonly email: string; readonly name?: string; readonly roles: readonly string[] }): Promise<{ invitation: Invitation; token: string }>;
  /** Accepts an invitation for the authenticated user `userId`: writes the role tuples. The token is the credential. */
  acceptInvitation(call: { readonly tenant: string; readonly token: string; readonly userId: string }): Promise<Member>;
  /** Pending invitations. Needs `view_members`. */
  listInvitations(call: AdminCall & PageRequest): Promise<Page<Invitation>>;
  /** Revokes a pending invitation. Needs `manage_members`. */
  revokeInvitation(call: AdminCall & { readonly invitationId: string }): Promise<Invitation>;
  /** Grants a role. Needs `assign_<role>`. */
  assignRole(call: AdminCall & { readonly userId: string; readonly role: string }): Promise<{ snapToken: string }>;
  /** Takes a role away. Needs `assign_<role>`. */
  revokeRole(call: AdminCall & { readonly userId: string; readonly role: string }): Promise<{ snapToken: string }>;
  /** Takes every role of a member away. Needs `manage_members`. */
  removeMember(call: AdminCall & { readonly userId: string }): Promise<{ snapToken: string }>;
  /** The audit trail, oldest first. Needs `view_audit`. */
  listAudit(call: AdminCall & PageRequest & { readonly filter?: AuditFilter }): Promise<Page<AuditEntry>>;
}
