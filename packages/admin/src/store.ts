/** A member's profile, kept beside the policy data (roles themselves are tuples). */
export interface ProfileRecord {
  readonly tenant: string;
  readonly userId: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly invitedBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A stored invitation: the token itself is never stored, only its SHA-256. */
export interface InvitationRecord {
  readonly id: string;
  readonly tenant: string;
  /** Hex SHA-256 of the token. */
  readonly tokenHash: string;
  readonly email: string;
  readonly name: string | null;
  readonly roles: readonly string[];
  readonly invitedBy: string | null;
  /** The actor kind of the inviter: a user (re-checked at acceptance) or a trusted caller. */
  readonly inviterIsUser: boolean;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly acceptedAt: Date | null;
  readonly acceptedBy: string | null;
  readonly revokedAt: Date | null;
}

/** An audit entry as stored. */
export interface AuditRecord {
  /** Decimal, increasing in append order. */
  readonly id: string;
  readonly tenant: string;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly snapToken: string | null;
}

/** What to read from the audit trail. */
export interface AuditQuery {
  /** Only entries with an id greater than this (decimal). */
  readonly afterId?: string;
  readonly actor?: string;
  readonly target?: string;
  readonly action?: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly limit: number;
}

/**
 * Where member profiles, invitations and the audit trail live: {@link MemoryAdminStore}, or `PostgresAdminStore`
 * from `@gatehouse/admin/postgres`. Every read and write names its tenant.
 */
export interface AdminStore {
  /** Creates tables (idempotent). */
  open(): Promise<void>;
  /**
   * Runs `fn` while holding the tenant's lock shared by every process using this store (PostgreSQL: an advisory
   * lock), so changes and their audit entries are serialized across replicas too. Absent for a store of one process.
   */
  exclusive?<T>(tenant: string, fn: () => Promise<T>): Promise<T>;
  /** Releases connections the store created. */
  close(): Promise<void>;

  getProfile(tenant: string, userId: string): Promise<ProfileRecord | undefined>;
  /** Profiles of these users (missing ones are left out). */
  getProfiles(tenant: string, userIds: readonly string[]): Promise<ProfileRecord[]>;
  /** Inserts or replaces. */
  putProfile(profile: ProfileRecord): Promise<void>;
  deleteProfile(tenant: string, userId: string): Promise<void>;

  insertInvitation(invitation: InvitationRecord): Promise<void>;
  /** The invitation with this token hash, in any tenant (the caller checks the tenant). */
  invitationByHash(tokenHash: string): Promise<InvitationRecord | undefined>;
  invitationById(tenant: string, id: string): Promise<InvitationRecord | undefined>;
  /** Invitations neither accepted nor revoked nor expired at `now`, oldest first. */
  pendingInvitations(tenant: string, now: Date): Promise<InvitationRecord[]>;
  /**
   * At most `limit` pending invitations (as {@link AdminStore.pendingInvitations}) after `after` in the order
   * (`createdAt`, `id`): one page, read without reading the others or another tenant's.
   */
  pendingInvitationsPage(tenant: string, now: Date, after: { readonly createdAt: Date; readonly id: string } | undefined, limit: number): Promise<InvitationRecord[]>;
  /** How many invitations of the tenant are pending at `now` (the per-tenant cap counts them). */
  countPendingInvitations(tenant: string, now: Date): Promise<number>;
  /**
   * Marks a pending invitation accepted, atomically: `false` when it was no longer pending (not accepted, not
   * revoked). This is what makes an invitation single-use, across replicas too.
   */
  markAccepted(tenant: string, id: string, userId: string, at: Date): Promise<boolean>;
  /** Undoes {@link AdminStore.markAccepted} when granting the roles failed. */
  unmarkAccepted(tenant: string, id: string): Promise<void>;
  /** Marks a pending invitation revoked; `false` when it was no longer pending. */
  markRevoked(tenant: string, id: string, at: Date): Promise<boolean>;

  /** Appends an entry and returns it with its id. */
  appendAudit(entry: Omit<AuditRecord, 'id'>): Promise<AuditRecord>;
  /** Entries of a tenant matching the query, by increasing id. */
  listAudit(tenant: string, query: AuditQuery): Promise<AuditRecord[]>;
  /** Deletes entries older than `before`; returns how many. */
  pruneAudit(before: Date): Promise<number>;

  /** Deletes everything of a tenant (profiles, invitations, audit entries): the tenant was deleted or re-created. */
  purgeTenant(tenant: string): Promise<void>;
}
