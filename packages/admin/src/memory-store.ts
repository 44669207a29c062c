import { InvalidRequestError } from '@gatehouse/core';
import type { AdminStore, AuditQuery, AuditRecord, InvitationRecord, ProfileRecord } from './store.js';

/** Options of {@link MemoryAdminStore}. */
export interface MemoryAdminStoreOptions {
  /**
   * The audit trail in memory is a ring: each tenant keeps its newest `auditCapacity` entries, older ones are
   * dropped (use the PostgreSQL store for a durable trail). @defaultValue 10000
   */
  readonly auditCapacity?: number;
}

/** Matches an audit record against a query's filters (not its paging). @internal */
export function auditMatches(r: AuditRecord, q: AuditQuery): boolean {
  if (q.actor !== undefined && r.actor !== q.actor) return false;
  if (q.target !== undefined && r.target !== q.target) return false;
  if (q.action !== undefined && r.action !== q.action) return false;
  if (q.since !== undefined && r.at < q.since) return false;
  if (q.until !== undefined && r.at >= q.until) return false;
  return true;
}

/**
 * Profiles, invitations and a bounded audit ring in process memory: what the embedded engine uses when nothing
 * durable is configured. Lost on restart.
 * @example
 * ```ts
 * const admin = new AdminService({ engine, pdp: new EmbeddedPdp(engine), store: new MemoryAdminStore({ auditCapacity: 1000 }) });
 * ```
 */
export class MemoryAdminStore implements AdminStore {
  private readonly profiles = new Map<string, Map<string, ProfileRecord>>();
  private readonly invitations = new Map<string, InvitationRecord>();
  /** Invitation ids by token hash. */
  private readonly byHash = new Map<string, string>();
  private readonly audit = new Map<string, AuditRecord[]>();
  private readonly capacity: number;
  private nextAuditId = 1n;

  public constructor(options: MemoryAdminStoreOptions = {}) {
    const cap = options.auditCapacity ?? 10_000;
    if (!Number.isInteger(cap) || cap < 1) throw InvalidRequestError.badValue('options.auditCapacity', cap, 'a positive integer');
    this.capacity = cap;
  }

  public async open(): Promise<void> {
    // Nothing to create.
  }

  public async close(): Promise<void> {
    // Nothing to release.
  }

  public async getProfile(tenant: string, userId: string): Promise<ProfileRecord | undefined> {
    return await Promise.resolve(this.profiles.get(tenant)?.get(userId));
  }

  public async getProfiles(tenant: string, userIds: readonly string[]): Promise<ProfileRecord[]> {
    const m = this.profiles.get(tenant);
    const out: ProfileRecord[] = [];
    for (const id of userIds) {
      const p = m?.get(id);
      if (p !== undefined) out.push(p);
    }
    return await Promise.resolve(out);
  }

  public async putProfile(profile: ProfileRecord): Promise<void> {
    let m = this.profiles.get(profile.tenant);
    if (m === undefined) this.profiles.set(profile.tenant, (m = new Map<string, ProfileRecord>()));
    m.set(profile.userId, { ...profile });
    await Promise.resolve();
  }

  public async deleteProfile(tenant: string, userId: string): Promise<void> {
    this.profiles.get(tenant)?.delete(userId);
    await Promise.resolve();
  }

  public async insertInvitation(invitation: InvitationRecord): Promise<void> {
    this.invitations.set(invitation.id, { ...invitation, roles: [...invitation.roles] });
    this.byHash.set(invitation.tokenHash, invitation.id);
    await Promise.resolve();
  }

  public async invitationByHash(tokenHash: string): Promise<InvitationRecord | undefined> {
    const id = this.byHash.get(tokenHash);
    return await Promise.resolve(id === undefined ? undefined : this.invitations.get(id));
  }

  public async invitationById(tenant: string, id: string): Promise<InvitationRecord | undefined> {
    const inv = this.invitations.get(id);
    return await Promise.resolve(inv?.tenant === tenant ? inv : undefined);
  }

  public async pendingInvitations(tenant: string, now: Date): Promise<InvitationRecord[]> {
    const out = [...this.invitations.values()].filter(
      (i) => i.tenant === tenant && i.acceptedAt === null && i.revokedAt === null && i.expiresAt > now,
    );
    out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    return await Promise.resolve(out);
  }

  public async markAccepted(tenant: string, id: string, userId: string, at: Date): Promise<boolean> {
    const inv = this.invitations.get(id);
    if (inv?.tenant !== tenant || inv.acceptedAt !== null || inv.revokedAt !== null) return false;
    this.invitations.set(id, { ...inv, acceptedAt: at, acceptedBy: userId });
    return await Promise.resolve(true);
  }

  public async unmarkAccepted(tenant: string, id: string): Promise<void> {
    const inv = this.invitations.get(id);
    if (inv?.tenant === tenant) this.invitations.set(id, { ...inv, acceptedAt: null, acceptedBy: null });
    await Promise.resolve();
  }

  public async markRevoked(tenant: string, id: string, at: Date): Promise<boolean> {
    const inv = this.invitations.get(id);
    if (inv?.tenant !== tenant || inv.acceptedAt !== null || inv.revokedAt !== null) return false;
    this.invitations.set(id, { ...inv, revokedAt: at });
    return await Promise.resolve(true);
  }

  public async appendAudit(entry: Omit<AuditRecord, 'id'>): Promise<AuditRecord> {
    const record: AuditRecord = { ...entry, id: (this.nextAuditId++).toString() };
    let ring = this.audit.get(entry.tenant);
    if (ring === undefined) this.audit.set(entry.tenant, (ring = []));
    ring.push(record);
    if (ring.length > this.capacity) ring.splice(0, ring.length - this.capacity);
    return await Promise.resolve(record);
  }

  public async listAudit(tenant: string, query: AuditQuery): Promise<AuditRecord[]> {
    const ring = this.audit.get(tenant) ?? [];
    const after = query.afterId === undefined ? 0n : BigInt(query.afterId);
    const out: AuditRecord[] = [];
    for (const r of ring) {
      if (BigInt(r.id) <= after || !auditMatches(r, query)) continue;
      out.push(r);
      if (out.length >= query.limit) break;
    }
    return await Promise.resolve(out);
  }

  public async purgeTenant(tenant: string): Promise<void> {
    this.profiles.delete(tenant);
    this.audit.delete(tenant);
    for (const [id, inv] of this.invitations) {
      if (inv.tenant !== tenant) continue;
      this.invitations.delete(id);
      this.byHash.delete(inv.tokenHash);
    }
    await Promise.resolve();
  }

  public async pruneAudit(before: Date): Promise<number> {
    let n = 0;
    for (const [tenant, ring] of this.audit) {
      const kept = ring.filter((r) => r.at >= before);
      n += ring.length - kept.length;
      this.audit.set(tenant, kept);
    }
    return await Promise.resolve(n);
  }
}
