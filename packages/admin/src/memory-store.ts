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
  /** Every invitation id of a tenant (what purging deletes). */
  private readonly byTenant = new Map<string, Set<string>>();
  /**
   * A tenant's invitations neither accepted nor revoked (some may have expired), sorted by (`createdAt`, `id`):
   * what listing, paging and counting a tenant's pending invitations read, so no call reads another tenant's.
   */
  private readonly pending = new Map<string, InvitationRecord[]>();
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
    const record = { ...invitation, roles: [...invitation.roles] };
    this.invitations.set(record.id, record);
    this.byHash.set(record.tokenHash, record.id);
    let ids = this.byTenant.get(record.tenant);
    if (ids === undefined) this.byTenant.set(record.tenant, (ids = new Set()));
    ids.add(record.id);
    // Expired invitations leave the pending index here, so it holds at most what the tenant's cap allows.
    const list = this.pending.get(record.tenant)?.filter((i) => i.expiresAt > record.createdAt) ?? [];
    this.pending.set(record.tenant, list);
    if (record.acceptedAt === null && record.revokedAt === null) this.addPending(record);
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
    return await Promise.resolve((this.pending.get(tenant) ?? []).filter((i) => i.expiresAt > now));
  }

  public async pendingInvitationsPage(tenant: string, now: Date, after: { readonly createdAt: Date; readonly id: string } | undefined, limit: number): Promise<InvitationRecord[]> {
    const list = this.pending.get(tenant) ?? [];
    const out: InvitationRecord[] = [];
    for (const inv of list.slice(after === undefined ? 0 : firstAfter(list, after))) {
      if (out.length >= limit) break;
      if (inv.expiresAt > now) out.push(inv);
    }
    return await Promise.resolve(out);
  }

  public async countPendingInvitations(tenant: string, now: Date): Promise<number> {
    let n = 0;
    for (const i of this.pending.get(tenant) ?? []) if (i.expiresAt > now) n++;
    return await Promise.resolve(n);
  }

  public async markAccepted(tenant: string, id: string, userId: string, at: Date): Promise<boolean> {
    const inv = this.invitations.get(id);
    if (inv?.tenant !== tenant || inv.acceptedAt !== null || inv.revokedAt !== null) return false;
    this.invitations.set(id, { ...inv, acceptedAt: at, acceptedBy: userId });
    this.removePending(inv);
    return await Promise.resolve(true);
  }

  public async unmarkAccepted(tenant: string, id: string): Promise<void> {
    const inv = this.invitations.get(id);
    if (inv?.tenant === tenant && inv.acceptedAt !== null) {
      const back = { ...inv, acceptedAt: null, acceptedBy: null };
      this.invitations.set(id, back);
      if (back.revokedAt === null) this.addPending(back);
    }
    await Promise.resolve();
  }

  public async markRevoked(tenant: string, id: string, at: Date): Promise<boolean> {
    const inv = this.invitations.get(id);
    if (inv?.tenant !== tenant || inv.acceptedAt !== null || inv.revokedAt !== null) return false;
    this.invitations.set(id, { ...inv, revokedAt: at });
    this.removePending(inv);
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
    for (const id of this.byTenant.get(tenant) ?? []) {
      const inv = this.invitations.get(id);
      this.invitations.delete(id);
      if (inv !== undefined) this.byHash.delete(inv.tokenHash);
    }
    this.byTenant.delete(tenant);
    this.pending.delete(tenant);
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

  private addPending(inv: InvitationRecord): void {
    let list = this.pending.get(inv.tenant);
    if (list === undefined) this.pending.set(inv.tenant, (list = []));
    list.splice(firstAfter(list, inv), 0, inv);
  }

  private removePending(inv: InvitationRecord): void {
    const list = this.pending.get(inv.tenant);
    const i = list?.findIndex((x) => x.id === inv.id) ?? -1;
    if (i >= 0) list?.splice(i, 1);
  }
}

/** The index of the first invitation of `list` (sorted by `createdAt`, `id`) after `key`: a binary search. */
function firstAfter(list: readonly InvitationRecord[], key: { readonly createdAt: Date; readonly id: string }): number {
  let lo = 0;
  let hi = list.length;
  const t = key.createdAt.getTime();
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = list[mid];
    if (x === undefined) break;
    const c = x.createdAt.getTime() - t || (x.id < key.id ? -1 : x.id > key.id ? 1 : 0);
    if (c <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
