import { InvalidRequestError } from '@gatehouse/core';
import type { InvitationRecord, ProfileRecord } from './store.js';
import type { AdminActor, Invitation, Member } from './types.js';
import { shortText, userId as checkUserId } from './validate.js';

/** The audit label of an actor. @internal */
export function label(actor: AdminActor): string {
  return 'userId' in actor ? actor.userId : actor.trusted;
}

/** A validated actor. @internal */
export function checkActor(actor: AdminActor): AdminActor {
  if (typeof actor !== 'object' || (actor as unknown) === null) throw InvalidRequestError.badValue('actor', actor, '{ userId } or { trusted }');
  if ('userId' in actor) return { userId: checkUserId(actor.userId, 'actor') };
  return { trusted: shortText((actor as { trusted?: unknown }).trusted, 'trusted actor label', 200) };
}

/** The public form of a stored invitation, its status at `now`. @internal */
export function invitationOf(r: InvitationRecord, now: Date): Invitation {
  const status = r.acceptedAt !== null ? 'accepted' : r.revokedAt !== null ? 'revoked' : r.expiresAt <= now ? 'expired' : 'pending';
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    roles: [...r.roles],
    status,
    invitedBy: r.invitedBy,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    ...(r.acceptedBy === null ? {} : { acceptedBy: r.acceptedBy }),
  };
}

/** The public form of an active member. @internal */
export function memberOf(userId: string, roles: ReadonlySet<string>, p: ProfileRecord | undefined): Member {
  return {
    id: userId,
    email: p?.email ?? null,
    name: p?.name ?? null,
    roles: [...roles].sort(),
    status: 'active',
    invitedBy: p?.invitedBy ?? null,
    createdAt: p?.createdAt.toISOString() ?? null,
    updatedAt: p?.updatedAt.toISOString() ?? null,
  };
}
