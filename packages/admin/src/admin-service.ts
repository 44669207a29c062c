import { InvalidRequestError, NotFoundError } from '@gatehouse/core';
import type { Pdp, Tuple } from '@gatehouse/core';
import { AuditTrail } from './audit-trail.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { pageLimit } from './cursor.js';
import { Invitations } from './invitations.js';
import { membersPage } from './members-page.js';
import { MemoryAdminStore } from './memory-store.js';
import { Policy, roleTuple } from './policy.js';
import type { PolicyData, RoleMap } from './policy.js';
import { checkActor, label } from './records.js';
import { knownRoles } from './role-input.js';
import type { TenantModel } from './schema-roles.js';
import type { AdminStore } from './store.js';
import type { AdminActor, AdminBackend, AdminCall, AuditEntry, AuditFilter, Invitation, Member, Page, PageRequest, RolesView } from './types.js';
import { roleName, shortText, tenantId, userId as checkUserId } from './validate.js';

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
  private readonly invitations: Invitations;

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
    const maxPending = options.maxPendingInvitations ?? 1000;
    if (!Number.isInteger(maxPending) || maxPending < 1) throw InvalidRequestError.badValue('options.maxPendingInvitations', maxPending, 'a positive integer');
    this.invitations = new Invitations({
      store: this.store,
      audit: this.audit,
      policy: this.policy,
      data: this.data,
      clock: this.clock,
      ttlMs: ttl,
      maxPending,
      onInvite: options.onInvite,
    });
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
    const query = call.query === undefined || call.query === '' ? undefined : shortText(call.query, 'query', 200).toLowerCase();
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, 'view_members', model);
    return await membersPage({ data: this.data, store: this.store, tenant, model, limit, query, now: this.clock(), continuousToken: call.continuousToken });
  }

  public async invite(call: AdminCall & { readonly email: string; readonly name?: string; readonly roles: readonly string[] }): Promise<{ invitation: Invitation; token: string }> {
    return await this.invitations.invite(call);
  }

  public async acceptInvitation(call: { readonly tenant: string; readonly token: string; readonly userId: string }): Promise<Member> {
    return await this.invitations.accept(call);
  }

  public async listInvitations(call: AdminCall & PageRequest): Promise<Page<Invitation>> {
    return await this.invitations.list(call);
  }

  public async revokeInvitation(call: AdminCall & { readonly invitationId: string }): Promise<Invitation> {
    return await this.invitations.revoke(call);
  }

  public async assignRole(call: AdminCall & { readonly userId: string; readonly role: string }): Promise<{ snapToken: string }> {
    const { tenant, actor, userId, role, model, tuple } = await this.roleChange(call);
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
    const { tenant, actor, userId, role, model, tuple } = await this.roleChange(call);
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

  /**
   * The checked parts of a role assignment or revocation: the inputs validated, the actor allowed `assign_<role>`,
   * the role one the tenant's schema defines, and the role tuple.
   */
  private async roleChange(call: AdminCall & { readonly userId: string; readonly role: string }): Promise<{
    tenant: string;
    actor: AdminActor;
    userId: string;
    role: string;
    model: TenantModel;
    tuple: Tuple;
  }> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const userId = checkUserId(call.userId);
    const role = roleName(call.role);
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, `assign_${role}`, model);
    knownRoles(model, [role]);
    return { tenant, actor, userId, role, model, tuple: roleTuple(tenant, role, userId) };
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
}
