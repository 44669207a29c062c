import { InvalidRequestError } from '@gatehouse/core';
import type { Tuple } from '@gatehouse/core';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { PolicyData } from './policy.js';
import { memberOf } from './records.js';
import type { TenantModel } from './schema-roles.js';
import type { AdminStore, InvitationRecord } from './store.js';
import type { Member, Page } from './types.js';

/**
 * Most role tuples read per engine page while walking a tenant's members: a walk reads pages of `page_size + 16`
 * tuples up to this, fixed for the walk (a position names a tuple of a page).
 */
const WALK_PAGE = 100;
/** Pending invitations read per store call while listing them after the members. */
const INVITATION_PAGE = 100;
/**
 * Rows (role tuples and invitations) one members page may examine. A page with a `query` that matches little stops
 * here with fewer items than asked (even none) and a continuation token; a page without one rarely gets near it.
 */
export const MEMBERS_SCAN_LIMIT = 5_000;

/**
 * Where a members walk stands: among the active members (`a`: the engine's tuple page at snap token `s` that starts
 * at its continuation token `e`, read `z` tuples a page, and how many tuples `k` of that page are done), or among the pending invitations
 * (`i`: after the invitation created at `c` with id `d`; `c` empty for their start).
 */
type Position =
  | { readonly p: 'a'; readonly s: string; readonly e: string; readonly k: number; readonly z: number }
  | { readonly p: 'i'; readonly c: string; readonly d: string };

const TOKEN_PART = /^[A-Za-z0-9_.:-]{0,100}$/;
const INVITATION_ID = /^[A-Za-z0-9-]{1,64}$/;

function decodePosition(tenant: string, token: string | undefined): Position | undefined {
  const raw = decodeCursor('members', tenant, token);
  if (raw === undefined) return undefined;
  const bad = (): InvalidRequestError => InvalidRequestError.badValue('continuous_token', token, 'the continuous_token of a previous members page of this tenant');
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw bad();
  }
  if (typeof v !== 'object' || v === null) throw bad();
  const o = v as Record<string, unknown>;
  if (o.p === 'a') {
    const { s, e, k, z } = o;
    if (typeof s !== 'string' || typeof e !== 'string' || !TOKEN_PART.test(s) || !TOKEN_PART.test(e)) throw bad();
    if (typeof z !== 'number' || !Number.isInteger(z) || z < 1 || z > WALK_PAGE) throw bad();
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > z) throw bad();
    return { p: 'a', s, e, k, z };
  }
  if (o.p === 'i') {
    const { c, d } = o;
    if (c === '' && d === '') return { p: 'i', c, d };
    if (typeof c !== 'string' || typeof d !== 'string' || !INVITATION_ID.test(d)) throw bad();
    const at = new Date(c);
    if (Number.isNaN(at.getTime()) || at.toISOString() !== c) throw bad();
    return { p: 'i', c, d };
  }
  throw bad();
}

function encodePosition(tenant: string, pos: Position): string {
  return encodeCursor('members', tenant, JSON.stringify(pos));
}

/** The public form of a pending invitation in the members list. */
function invitedMember(inv: InvitationRecord): Member {
  return {
    id: null,
    email: inv.email,
    name: inv.name,
    roles: [...inv.roles].sort(),
    status: 'invited',
    invitedBy: inv.invitedBy,
    createdAt: inv.createdAt.toISOString(),
    updatedAt: inv.createdAt.toISOString(),
    invitationId: inv.id,
  };
}

/** What a members page needs. @internal */
export interface MembersPageRequest {
  readonly data: PolicyData;
  readonly store: AdminStore;
  readonly tenant: string;
  readonly model: TenantModel;
  readonly limit: number;
  /** Lower case; undefined for no filter. */
  readonly query: string | undefined;
  readonly now: Date;
  readonly continuousToken: string | undefined;
}

/**
 * One page of a tenant's members: active members in the order of their first role tuple in the engine (pinned at
 * the snap token of the walk's first page, so a walk never repeats or skips a member), then pending invitations
 * oldest first. A page reads the engine's tuples from where the last one stopped and the roles and profiles of the
 * members it meets, never the whole tenant.
 * @internal
 */
export async function membersPage(req: MembersPageRequest): Promise<Page<Member>> {
  const { data, store, tenant, model, limit, query, now } = req;
  const pos = decodePosition(tenant, req.continuousToken);
  const roles = new Set(model.roles);
  const isRole = (t: Tuple): boolean => roles.has(t.relation) && t.subject.type === 'user' && (t.subject.relation ?? '') === '';
  const matches = (m: Member): boolean => query === undefined || [m.id, m.email, m.name].some((v) => v?.toLowerCase().includes(query) === true);
  const items: Member[] = [];
  let budget = MEMBERS_SCAN_LIMIT;
  const done = (next: Position | undefined): Page<Member> => ({ items, continuousToken: next === undefined ? '' : encodePosition(tenant, next) });

  if (pos === undefined || pos.p === 'a') {
    const snap = pos?.s ?? data.headSnapToken?.(tenant) ?? '';
    let e = pos?.e ?? '';
    let k = pos?.k ?? 0;
    const z = pos?.z ?? Math.min(WALK_PAGE, limit + 16);
    for (;;) {
      const page = await data.readRelationships({
        tenant,
        filter: { entity: { type: 'tenant', ids: [tenant] }, subject: { type: 'user' } },
        pageSize: z,
        ...(snap === '' ? {} : { snapToken: snap }),
        ...(e === '' ? {} : { continuousToken: e }),
      });
      const rest = page.tuples.slice(k).filter(isRole);
      const held = await heldRoles(data, tenant, snap, [...new Set(rest.map((t) => t.subject.id))], isRole);
      // A member is listed at its first role tuple (in the engine's stable order); its other tuples are skipped.
      const firsts = page.tuples.map((t, i) => i >= k && isRole(t) && held.get(t.subject.id)?.first === t.relation);
      const ids = page.tuples.filter((_, i) => firsts[i] === true).map((t) => t.subject.id);
      const profiles = new Map((ids.length === 0 ? [] : await store.getProfiles(tenant, ids)).map((p) => [p.userId, p]));
      for (const [i, t] of page.tuples.entries()) {
        if (i < k) continue;
        if (firsts[i] === true) {
          const member = memberOf(t.subject.id, held.get(t.subject.id)?.roles ?? new Set(), profiles.get(t.subject.id));
          if (matches(member)) {
            if (items.length === limit) return done({ p: 'a', s: snap, e, k: i, z });
            items.push(member);
          }
        }
        if (--budget <= 0) return done({ p: 'a', s: snap, e, k: i + 1, z });
      }
      if (page.continuousToken === '') break;
      e = page.continuousToken;
      k = 0;
    }
  }

  let after = pos?.p === 'i' && pos.c !== '' ? { createdAt: new Date(pos.c), id: pos.d } : undefined;
  for (;;) {
    const invitations = await store.pendingInvitationsPage(tenant, now, after, INVITATION_PAGE);
    for (const inv of invitations) {
      const member = invitedMember(inv);
      if (matches(member)) {
        if (items.length === limit) return done(after === undefined ? { p: 'i', c: '', d: '' } : { p: 'i', c: after.createdAt.toISOString(), d: after.id });
        items.push(member);
      }
      after = { createdAt: inv.createdAt, id: inv.id };
      if (--budget <= 0) return done({ p: 'i', c: inv.createdAt.toISOString(), d: inv.id });
    }
    if (invitations.length < INVITATION_PAGE) return done(undefined);
  }
}

/**
 * The role tuples of these users at the snap token: their roles, and the relation of each one's first role tuple in
 * the engine's order (where the walk lists the member).
 */
async function heldRoles(
  data: PolicyData,
  tenant: string,
  snap: string,
  userIds: readonly string[],
  isRole: (t: Tuple) => boolean,
): Promise<Map<string, { first: string; roles: Set<string> }>> {
  const out = new Map<string, { first: string; roles: Set<string> }>();
  if (userIds.length === 0) return out;
  let token = '';
  do {
    const page = await data.readRelationships({
      tenant,
      filter: { entity: { type: 'tenant', ids: [tenant] }, subject: { type: 'user', ids: userIds } },
      pageSize: 1000,
      ...(snap === '' ? {} : { snapToken: snap }),
      ...(token === '' ? {} : { continuousToken: token }),
    });
    for (const t of page.tuples) {
      if (!isRole(t)) continue;
      const got = out.get(t.subject.id);
      if (got === undefined) out.set(t.subject.id, { first: t.relation, roles: new Set([t.relation]) });
      else got.roles.add(t.relation);
    }
    token = page.continuousToken;
  } while (token !== '');
  return out;
}
