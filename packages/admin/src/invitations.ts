import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidRequestError, NotFoundError } from '@gatehouse/core';
import type { AdminServiceOptions } from './admin-service.js';
import type { AuditTrail } from './audit-trail.js';
import type { Clock } from './clock.js';
import { decodeCursor, encodeCursor, pageLimit } from './cursor.js';
import { InvitationGoneError } from './errors.js';
import { hashToken, looksLikeToken, newToken } from './invitation-token.js';
import { roleTuple } from './policy.js';
import type { Policy, PolicyData } from './policy.js';
import { checkActor, invitationOf, label, memberOf } from './records.js';
import { knownRoles, roleList } from './role-input.js';
import type { AdminStore, InvitationRecord, ProfileRecord } from './store.js';
import type { AdminActor, AdminCall, Invitation, Member, Page, PageRequest } from './types.js';
import { displayName, email as checkEmail, shortText, tenantId, userId as checkUserId } from './validate.js';

/** The (`createdAt`, `id`) position of an invitations cursor. @throws InvalidRequestError when malformed. */
function invitationKey(after: string | undefined, token: string | undefined): { createdAt: Date; id: string } | undefined {
  if (after === undefined) return undefined;
  const [at = '', id = '', ...extra] = after.split('\u0000');
  const createdAt = new Date(at);
  if (extra.length > 0 || !/^[A-Za-z0-9-]{1,64}$/.test(id) || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at) {
    throw InvalidRequestError.badValue('continuous_token', token, 'the continuous_token of a previous invitations page of this tenant');
  }
  return { createdAt, id };
}

/** What the invitation operations share with the service. @internal */
export interface InvitationContext {
  readonly store: AdminStore;
  readonly audit: AuditTrail;
  readonly policy: Policy;
  readonly data: PolicyData;
  readonly clock: Clock;
  readonly ttlMs: number;
  readonly maxPending: number;
  readonly onInvite: AdminServiceOptions['onInvite'];
}

/** Invitations: issue, accept, list, revoke (the `AdminService` methods of the same names delegate here). @internal */
export class Invitations {
  private readonly store: AdminStore;
  private readonly audit: AuditTrail;
  private readonly policy: Policy;
  private readonly data: PolicyData;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly maxPending: number;
  private readonly onInvite: AdminServiceOptions['onInvite'];

  public constructor(ctx: InvitationContext) {
    this.store = ctx.store;
    this.audit = ctx.audit;
    this.policy = ctx.policy;
    this.data = ctx.data;
    this.clock = ctx.clock;
    this.ttlMs = ctx.ttlMs;
    this.maxPending = ctx.maxPending;
    this.onInvite = ctx.onInvite;
  }

  public async invite(call: AdminCall & { readonly email: string; readonly name?: string; readonly roles: readonly string[] }): Promise<{ invitation: Invitation; token: string }> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const address = checkEmail(call.email);
    const name = call.name === undefined ? null : displayName(call.name);
    const roles = roleList(call.roles);
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, 'manage_members', model);
    for (const r of roles) await this.policy.require(tenant, actor, `assign_${r}`, model);
    knownRoles(model, roles);
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
      if ((await this.store.countPendingInvitations(tenant, now)) >= this.maxPending) {
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

  public async accept(call: { readonly tenant: string; readonly token: string; readonly userId: string }): Promise<Member> {
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
      knownRoles(model, current.roles);
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

  public async list(call: AdminCall & PageRequest): Promise<Page<Invitation>> {
    const tenant = tenantId(call.tenant);
    const actor = checkActor(call.actor);
    const limit = pageLimit(call.pageSize);
    const after = decodeCursor('invitations', tenant, call.continuousToken);
    const model = await this.policy.model(tenant);
    await this.policy.require(tenant, actor, 'view_members', model);
    const now = this.clock();
    const rows = await this.store.pendingInvitationsPage(tenant, now, invitationKey(after, call.continuousToken), limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => invitationOf(r, now)),
      continuousToken: rows.length > limit && last !== undefined ? encodeCursor('invitations', tenant, `${last.createdAt.toISOString()}\u0000${last.id}`) : '',
    };
  }

  public async revoke(call: AdminCall & { readonly invitationId: string }): Promise<Invitation> {
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
}
