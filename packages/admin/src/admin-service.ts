import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidRequestError, NotFoundError } from '@gatehouse/core';
import type { Pdp } from '@gatehouse/core';
import { AuditTrail } from './audit-trail.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { decodeCursor, encodeCursor, pageLimit } from './cursor.js';
import { InvitationGoneError } from './errors.js';
import { hashToken, looksLikeToken, newToken } from './invitation-token.js';
import { MemoryAdminStore } from './memory-store.js';
import { Policy, roleTuple } from './policy.js';
import type { PolicyData, RoleMap } from './policy.js';
import type { TenantModel } from './schema-roles.js';
import { checkActor, invitationOf, label, memberOf } from './records.js';
import type { AdminStore, InvitationRecord, ProfileRecord } from './store.js';
import type { AdminActor, AdminBackend, AdminCall, AuditEntry, AuditFilter, Invitation, Member, Page, PageRequest, RolesView } from './types.js';
import { displayName, email as checkEmail, roleName, shortText, tenantId, userId as checkUserId } from './validate.js';

/** What `onInvite` receives: the place to send the token (Gatehouse sends no email). */
export interface InviteEvent {
  readonly tenant: string;
  readonly invitation: Invitation;
  /** The secret; only its hash is stored. */
  readonly token: string;
}

/** Options of {@link AdminService}. */
export interface AdminServiceOptions {
  /** The policy data: an `Engine` of `@gatehouse/engine`. */
  readonly engine: PolicyData;
  /** Evaluates the delegation permissions: `new EmbeddedPdp(engine)`. */
  readonly pdp: Pdp;
  /** Profiles, invitations and the audit trail. @defaultValue a new {@link MemoryAdminStore} */
  readonly store?: AdminStore;
  /** The audit trail; give one to share it with other writers (the PDP server's data routes). */
  readonly audit?: AuditTrail;
  /** @defaultValue the system clock */
  readonly clock?: Clock;
  /** How long an invitation stays valid. @defaultValue 7 days */
  readonly invitationTtlMs?: number;
  /** Pending invitations a tenant may have at once; one more is refused (409). @defaultValue 1000 */
  readonly maxPendingInvitations?: number;
  /** Called with each new invitation and its token; when it throws, the invitation is revoked and the error rethrown. */
  readonly onInvite?: (event: InviteEvent) => void | Promise<void>;
}

const WEEK_MS = 7 * 24 * 3_600_000;

/**
 * Tenant administration over the embedded engine: members, roles, invitations and the audit trail, with every
 * management call authorized by the tenant's own policy (`manage_members`, `view_members`, `view_audit`,
 * `assign_<role>` on `tenant`).
 * @example
 * ```ts
 * const engine = await Engine.create({ schema });
 * const admin = new AdminService({ engine, pdp: new EmbeddedPdp(engine) });
 * const { token } = await admin.invite({ tenant: 'acme', actor: { userId: 'alice' }, email: 'dave@example.com', roles: ['viewer'] });
 * await admin.acceptInvitation({ tenant: 'acme', token, userId: 'dave' });
 * ```
 */
export class AdminService implements AdminBackend {
  /** The audit trail this service records into. */
  public readonly audit: AuditTrail;
  /** Where profiles, invitations and the trail are kept. */
  public readonly store: AdminStore;
  private readonly data: PolicyData;
  private readonly policy: Policy;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly maxPending: number;
  private readonly onInvite: AdminServiceOptions['onInvite'];

  public constructor(options: AdminServiceOptions) {
    const given = options as Partial<Record<'engine' | 'pdp', { write?: unknown; check?: unknown } | undefined>> | null;
    if (typeof given !== 'object' || given === null) throw InvalidRequestError.badValue('options', options, '{ engine, pdp, … }');
    if (typeof given.engine?.write !== 'function') throw InvalidRequestError.badValue('options.engine', options.engine, 'an Engine');
    if (typeof given.pdp?.check !== 'function') throw InvalidRequestError.badValue('options.pdp', options.pdp, 'a Pdp (new EmbeddedPdp(engine))');
    const ttl = options.invitationTtlMs ?? WEEK_MS;
    if (!Number.isInteger(ttl) || ttl < 1000) throw InvalidRequestError.badValue('options.invitationTtlMs', ttl, 'an integer number of milliseconds, at least 1000');
    this.data = options.engine;
    this.policy = new Policy(options.engine, options.pdp);
    this.store = options.store ?? new MemoryAdminStore();
    this.clock = options.clock ?? systemClock;
    this.audit = options.audit ?? new AuditTrail({ store: this.store, clock: this.clock });
    this.ttlMs = ttl;
    const maxPending = options.maxPendingInvitations ?? 1000;
    if (!Number.isInteger(maxPending) || maxPending < 1) throw InvalidRequestError.badValue('options.maxPendingInvitations', maxPending, 'a positive integer');
    this.maxPending = maxPending;
    this.onInvite = options.onInvite;
  }

  public async listRoles(call: AdminCall): Promise<RolesView> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const model = await this.policy.model(tenant);
    const may = (p: string): Promise<boolean> => this.policy.allowed(tenant, actor, p, model);
    const [assignable, manageMembers, viewMembers, viewAudit] = await Promise.all([
      Promise.all(model.roles.map((r) => may(`assign_${r}`))),
      may('manage_members'),
      may('view_members'),
      may('view_audit'),
    ]);
    return {
      roles: model.roles.map((name, i) => ({ name, assignable: assignable[i] === true })),
      permissions: { manageMembers, viewMembers, viewAudit },
      viewer: 'userId' in actor ? actor.userId : null,
    };
  }

  public async listMembers(call: AdminCall & PageRequest & { readonly query?: string }): Promise<Page<Member>> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const limit = pageLimit(call.pageSize);
    const after = decodeCursor('members', tenant, call.continuousToken);
    const query = call.query === undefined || call.query === '' ? undefined : shortText(call.query, 'query', 200).toLowerCase();
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, 'view_members', model);
    const roles = await this.policy.roles(tenant, model);
    const profiles = new Map((await this.store.getProfiles(tenant, [...roles.keys()])).map((p) => [p.userId, p]));
    const now = this.clock();
    const rows: { key: string; member: Member }[] = [];
    for (const [id, set] of roles) rows.push({ key: `a\u0000${id}`, member: memberOf(id, set, profiles.get(id)) });
    for (const inv of await this.store.pendingInvitations(tenant, now)) {
      rows.push({
        key: `i\u0000${inv.createdAt.toISOString()}\u0000${inv.id}`,
        member: {
          id: null,
          email: inv.email,
          name: inv.name,
          roles: [...inv.roles].sort(),
          status: 'invited',
          invitedBy: inv.invitedBy,
          createdAt: inv.createdAt.toISOString(),
          updatedAt: inv.createdAt.toISOString(),
          invitationId: inv.id,
        },
      });
    }
    const matches = (m: Member): boolean =>
      query === undefined || [m.id, m.email, m.name].some((v) => v?.toLowerCase().includes(query) === true);
    const selected = rows.filter((r) => (after === undefined || r.key > after) && matches(r.member)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const page = selected.slice(0, limit);
    const more = selected.length > limit;
    return { items: page.map((r) => r.member), continuousToken: more ? encodeCursor('members', tenant, page.at(-1)?.key ?? '') : '' };
  }

  public async invite(call: AdminCall & { readonly email: string; readonly name?: string; readonly roles: readonly string[] }): Promise<{ invitation: Invitation; token: string }> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const address = checkEmail(call.email);
    const name = call.name === undefined ? null : displayName(call.name);
    const roles = this.roleList(call.roles);
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, 'manage_members', model);
    for (const r of roles) await this.policy.require(tenant, actor, `assign_${r}`, model);
    this.knownRoles(model, roles);
    const token = newToken();
    const now = this.clock();
    const record: InvitationRecord = {
      id: randomUUID(),
      tenant,
      tokenHash: hashToken(token),
      email: address,
      name,
      roles,
      invitedBy: label(actor),
      inviterIsUser: 'userId' in actor,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlMs),
      acceptedAt: null,
      acceptedBy: null,
      revokedAt: null,
    };
    const invitation = invitationOf(record, now);
    await this.audit.exclusive(tenant, async () => {
      // A bound on what one tenant's managers can make the store hold.
      if ((await this.store.pendingInvitations(tenant, now)).length >= this.maxPending) {
        throw new ConflictError(`tenant ${JSON.stringify(tenant)} has ${String(this.maxPending)} pending invitations, the most it may have: revoke some first`, { tenant });
      }
      await this.store.insertInvitation(record);
      await this.audit.append(
        { tenant, actor: label(actor), action: 'member.invite', target: `invitation:${record.id}`, details: { email: address, roles } },
        null,
      );
    });
    // The hook (sending an email, say) runs outside the tenant's lock; when it fails, the invitation is revoked.
    try {
      await this.onInvite?.({ tenant, invitation, token });
    } catch (err) {
      await this.audit.exclusive(tenant, async () => {
        if (await this.store.markRevoked(tenant, record.id, this.clock())) {
          await this.audit.append(
            { tenant, actor: label(actor), action: 'invitation.revoke', target: `invitation:${record.id}`, details: { email: address, reason: 'onInvite failed' } },
            null,
          );
        }
      });
      throw err;
    }
    return { invitation, token };
  }

  public async acceptInvitation(call: { readonly tenant: string; readonly token: string; readonly userId: string }): Promise<Member> {
    const tenant = tenantId(call.tenant);
    const userId = checkUserId(call.userId);
    const notFound = (): NotFoundError => new NotFoundError(`no such invitation in tenant ${JSON.stringify(tenant)}`, { tenant });
    if (!looksLikeToken(call.token)) throw notFound();
    const inv = await this.store.invitationByHash(hashToken(call.token));
    if (inv?.tenant !== tenant) throw notFound();
    return await this.audit.exclusive(tenant, async () => {
      const now = this.clock();
      const current = (await this.store.invitationById(tenant, inv.id)) ?? inv;
      if (current.acceptedAt !== null) throw new InvitationGoneError('accepted', { tenant });
      if (current.revokedAt !== null) throw new InvitationGoneError('revoked', { tenant });
      if (current.expiresAt <= now) throw new InvitationGoneError('expired', { tenant });
      const model = await this.policy.model(tenant);
      this.knownRoles(model, current.roles);
      // The inviter's right to grant is checked again: an invitation does not outlive its inviter's permissions.
      if (current.inviterIsUser && current.invitedBy !== null) {
        const inviter: AdminActor = { userId: current.invitedBy };
        await this.policy.require(tenant, inviter, 'manage_members', model);
        for (const r of current.roles) await this.policy.require(tenant, inviter, `assign_${r}`, model);
      }
      if (!(await this.store.markAccepted(tenant, current.id, userId, now))) throw new InvitationGoneError('accepted', { tenant });
      // Guarded like any role change: accepting one's own invitation to a role that takes manage_members away (a
      // `suspended` role in `manage_members = admin not suspended`) must not leave the tenant without a manager.
      const before = (await this.policy.roles(tenant, model, userId)).get(userId) ?? new Set<string>();
      const added = current.roles.filter((r) => !before.has(r)).map((r) => roleTuple(tenant, r, userId));
      let snapToken: string;
      try {
        ({ snapToken } = await this.policy.guarded(
          tenant,
          userId,
          model,
          () => this.data.write({ tenant, tuples: current.roles.map((r) => roleTuple(tenant, r, userId)) }),
          () => (added.length === 0 ? Promise.resolve() : this.data.delete({ tenant, tuples: added })),
        ));
      } catch (err) {
        await this.store.unmarkAccepted(tenant, current.id);
        throw err;
      }
      const existing = await this.store.getProfile(tenant, userId);
      const profile: ProfileRecord = {
        tenant,
        userId,
        email: current.email,
        name: current.name ?? existing?.name ?? null,
        invitedBy: current.invitedBy,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      await this.store.putProfile(profile);
      await this.audit.append(
        { tenant, actor: userId, action: 'invitation.accept', target: `user:${userId}`, details: { invitation_id: current.id, roles: [...current.roles], email: current.email } },
        snapToken,
      );
      const held = (await this.policy.roles(tenant, model, userId)).get(userId) ?? new Set(current.roles);
      return memberOf(userId, held, profile);
    });
  }

  public async listInvitations(call: AdminCall & PageRequest): Promise<Page<Invitation>> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const limit = pageLimit(call.pageSize);
    const after = decodeCursor('invitations', tenant, call.continuousToken);
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, 'view_members', model);
    const now = this.clock();
    const keyed = (await this.store.pendingInvitations(tenant, now)).map((r) => ({ key: `${r.createdAt.toISOString()}\u0000${r.id}`, r }));
    const selected = keyed.filter((k) => after === undefined || k.key > after);
    const page = selected.slice(0, limit);
    return {
      items: page.map((k) => invitationOf(k.r, now)),
      continuousToken: selected.length > limit ? encodeCursor('invitations', tenant, page.at(-1)?.key ?? '') : '',
    };
  }

  public async revokeInvitation(call: AdminCall & { readonly invitationId: string }): Promise<Invitation> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const id = shortText(call.invitationId, 'invitation_id', 64);
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, 'manage_members', model);
    return await this.audit.exclusive(tenant, async () => {
      const inv = await this.store.invitationById(tenant, id);
      if (inv === undefined) throw new NotFoundError(`no invitation ${JSON.stringify(id)} in tenant ${JSON.stringify(tenant)}`, { tenant });
      const now = this.clock();
      if (inv.acceptedAt !== null) throw new InvitationGoneError('accepted', { tenant });
      if (inv.revokedAt !== null) throw new InvitationGoneError('revoked', { tenant });
      if (!(await this.store.markRevoked(tenant, id, now))) throw new InvitationGoneError('accepted', { tenant });
      await this.audit.append({ tenant, actor: label(actor), action: 'invitation.revoke', target: `invitation:${id}`, details: { email: inv.email } }, null);
      return invitationOf({ ...inv, revokedAt: now }, now);
    });
  }

  public async assignRole(call: AdminCall & { readonly userId: string; readonly role: string }): Promise<{ snapToken: string }> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const userId = checkUserId(call.userId);
    const role = roleName(call.role);
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, `assign_${role}`, model);
    this.knownRoles(model, [role]);
    const tuple = roleTuple(tenant, role, userId);
    return await this.audit.exclusive(tenant, async () => {
      const held = (await this.policy.roles(tenant, model, userId)).get(userId) ?? new Set<string>();
      const result = await this.policy.guarded(
        tenant,
        userId,
        model,
        () => this.data.write({ tenant, tuples: [tuple] }),
        () => (held.has(role) ? Promise.resolve() : this.data.delete({ tenant, tuples: [tuple] })),
      );
      await this.touchProfile(tenant, userId, label(actor));
      await this.audit.append({ tenant, actor: label(actor), action: 'member.role.assign', target: `user:${userId}`, details: { role } }, result.snapToken);
      return { snapToken: result.snapToken };
    });
  }

  public async revokeRole(call: AdminCall & { readonly userId: string; readonly role: string }): Promise<{ snapToken: string }> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const userId = checkUserId(call.userId);
    const role = roleName(call.role);
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, `assign_${role}`, model);
    this.knownRoles(model, [role]);
    const tuple = roleTuple(tenant, role, userId);
    return await this.audit.exclusive(tenant, async () => {
      const held = await this.heldRoles(tenant, model, userId);
      if (!held.has(role)) throw new NotFoundError(`user ${JSON.stringify(userId)} does not hold the role ${JSON.stringify(role)} in tenant ${JSON.stringify(tenant)}`, { tenant });
      const result = await this.policy.guarded(
        tenant,
        userId,
        model,
        () => this.data.delete({ tenant, tuples: [tuple] }),
        () => this.data.write({ tenant, tuples: [tuple] }),
      );
      await this.audit.append({ tenant, actor: label(actor), action: 'member.role.revoke', target: `user:${userId}`, details: { role } }, result.snapToken);
      return result;
    });
  }

  public async removeMember(call: AdminCall & { readonly userId: string }): Promise<{ snapToken: string }> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const userId = checkUserId(call.userId);
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, 'manage_members', model);
    return await this.audit.exclusive(tenant, async () => {
      const held = [...(await this.heldRoles(tenant, model, userId))].sort();
      const tuples = held.map((r) => roleTuple(tenant, r, userId));
      const result = await this.policy.guarded(
        tenant,
        userId,
        model,
        () => this.data.delete({ tenant, tuples }),
        () => this.data.write({ tenant, tuples }),
      );
      await this.store.deleteProfile(tenant, userId);
      await this.audit.append({ tenant, actor: label(actor), action: 'member.remove', target: `user:${userId}`, details: { roles: held } }, result.snapToken);
      return result;
    });
  }

  public async listAudit(call: AdminCall & PageRequest & { readonly filter?: AuditFilter }): Promise<Page<AuditEntry>> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, 'view_audit', model);
    return await this.audit.list(tenant, call);
  }

  /**
   * Deletes a tenant's profiles, invitations and audit entries. Call it when the tenant is deleted (the PDP server
   * does, and again when a tenant is created): a later tenant with the same id must not inherit them — an old
   * invitation would otherwise grant roles in it.
   */
  public async purgeTenant(tenant: string): Promise<void> {
    const t = tenantId(tenant);
    await this.audit.exclusive(t, () => this.store.purgeTenant(t));
  }

  /** The roles a user holds. @throws NotFoundError when none (not a member). */
  private async heldRoles(tenant: string, model: TenantModel, userId: string): Promise<Set<string>> {
    const held: RoleMap = await this.policy.roles(tenant, model, userId);
    const set = held.get(userId);
    if (set === undefined || set.size === 0) throw new NotFoundError(`user ${JSON.stringify(userId)} is not a member of tenant ${JSON.stringify(tenant)}`, { tenant });
    return set;
  }

  private async touchProfile(tenant: string, userId: string, by: string): Promise<void> {
    const now = this.clock();
    const p = await this.store.getProfile(tenant, userId);
    await this.store.putProfile(
      p === undefined ? { tenant, userId, email: null, name: null, invitedBy: by, createdAt: now, updatedAt: now } : { ...p, updatedAt: now },
    );
  }

  private roleList(value: unknown): string[] {
    if (!Array.isArray(value) || value.length === 0 || value.length > 32) throw InvalidRequestError.badValue('roles', value, 'a list of 1-32 role names');
    const roles = [...new Set(value.map((r, i) => roleName(r, `roles[${String(i)}]`)))];
    return roles.sort();
  }

  private knownRoles(model: TenantModel, roles: readonly string[]): void {
    for (const r of roles) {
      if (!model.roles.includes(r)) throw InvalidRequestError.badValue('role', r, `a role of the tenant (${model.roles.join(', ') || 'it has none'})`);
    }
  }
}

