import { ConflictError, ForbiddenError, GatehouseError, InvalidRequestError, NotFoundError } from '@gatehouse/core';
import { AdminForbiddenError, InvitationGoneError } from './errors.js';
import type { AdminActor, AdminBackend } from './types.js';
import { auditFilterOf, auditToWire, bodyObject, invitationToWire, memberToWire, optInt, optString, rolesToWire } from './wire.js';

/** The admin operations, by their path under `/v1/tenants/{tenant}/` (server) or the app's mount point. */
export const ADMIN_PATHS = [
  'roles/list',
  'members/list',
  'members/invite',
  'members/remove',
  'members/roles/assign',
  'members/roles/revoke',
  'invitations/accept',
  'invitations/list',
  'invitations/revoke',
  'audit/list',
] as const;

/** One of {@link ADMIN_PATHS}. */
export type AdminPath = (typeof ADMIN_PATHS)[number];

/**
 * Who calls:
 * - `server`: the PDP server; `actor` (and `user_id` of accept) come from the body, and a body without `actor`
 *   acts as the API key, labelled `keyLabel`;
 * - `app`: an app route; the actor is the request's subject, and a body naming `actor` or `user_id` is refused.
 */
export type AdminCaller = { readonly kind: 'server'; readonly keyLabel: string } | { readonly kind: 'app'; readonly userId: string };

const PAGE = ['page_size', 'continuous_token'];

function fields(caller: AdminCaller, own: readonly string[]): string[] {
  return caller.kind === 'server' ? ['actor', ...own] : [...own];
}

function actorOf(caller: AdminCaller, b: Record<string, unknown>): AdminActor {
  if (caller.kind === 'app') return { userId: caller.userId };
  // Only an absent actor is the key itself: an empty one (an app's missing user id) is refused, never trusted.
  const actor = optString(b, 'actor');
  return actor === undefined ? { trusted: caller.keyLabel } : { userId: actor };
}

function page(b: Record<string, unknown>): { pageSize?: number; continuousToken?: string } {
  const pageSize = optInt(b, 'page_size');
  const continuousToken = optString(b, 'continuous_token');
  return { ...(pageSize === undefined ? {} : { pageSize }), ...(continuousToken === undefined ? {} : { continuousToken }) };
}

function required(b: Record<string, unknown>, key: string): string {
  const v = optString(b, key);
  if (v === undefined) throw InvalidRequestError.badValue(key, b[key], 'a string (required)');
  return v;
}

/**
 * Runs one admin operation from a JSON body and answers the JSON the HTTP API sends (snake_case). The same
 * function serves the PDP server routes, the Express router and the Nest controller, so they answer alike.
 * @param backend - the embedded service or the remote client.
 * @param path - which operation.
 * @param tenant - the tenant (from the path on the server, from the request on the app side).
 * @param body - the parsed JSON body (hostile: validated here).
 * @param caller - who calls, see {@link AdminCaller}.
 * @throws InvalidRequestError for a malformed body, and the backend's errors (see {@link adminErrorAnswer}).
 */
export async function handleAdminRequest(backend: AdminBackend, path: AdminPath, tenant: string, body: unknown, caller: AdminCaller): Promise<unknown> {
  switch (path) {
    case 'roles/list': {
      const b = bodyObject(body, fields(caller, []));
      return rolesToWire(await backend.listRoles({ tenant, actor: actorOf(caller, b) }));
    }
    case 'members/list': {
      const b = bodyObject(body, fields(caller, [...PAGE, 'query']));
      const query = optString(b, 'query');
      const p = await backend.listMembers({ tenant, actor: actorOf(caller, b), ...page(b), ...(query === undefined ? {} : { query }) });
      return { members: p.items.map(memberToWire), continuous_token: p.continuousToken };
    }
    case 'members/invite': {
      const b = bodyObject(body, fields(caller, ['email', 'name', 'roles']));
      const name = optString(b, 'name');
      const roles = b.roles;
      if (!Array.isArray(roles)) throw InvalidRequestError.badValue('roles', roles, 'a list of role names (required)');
      const r = await backend.invite({ tenant, actor: actorOf(caller, b), email: required(b, 'email'), roles: roles as string[], ...(name === undefined || name === '' ? {} : { name }) });
      return { invitation: invitationToWire(r.invitation), token: r.token };
    }
    case 'invitations/accept': {
      const b = bodyObject(body, caller.kind === 'server' ? ['token', 'user_id'] : ['token']);
      const userId = caller.kind === 'server' ? required(b, 'user_id') : caller.userId;
      const member = await backend.acceptInvitation({ tenant, token: required(b, 'token'), userId });
      return { member: memberToWire(member) };
    }
    case 'invitations/list': {
      const b = bodyObject(body, fields(caller, PAGE));
      const p = await backend.listInvitations({ tenant, actor: actorOf(caller, b), ...page(b) });
      return { invitations: p.items.map(invitationToWire), continuous_token: p.continuousToken };
    }
    case 'invitations/revoke': {
      const b = bodyObject(body, fields(caller, ['invitation_id']));
      return { invitation: invitationToWire(await backend.revokeInvitation({ tenant, actor: actorOf(caller, b), invitationId: required(b, 'invitation_id') })) };
    }
    case 'members/roles/assign':
    case 'members/roles/revoke': {
      const b = bodyObject(body, fields(caller, ['user_id', 'role']));
      const call = { tenant, actor: actorOf(caller, b), userId: required(b, 'user_id'), role: required(b, 'role') };
      const r = path === 'members/roles/assign' ? await backend.assignRole(call) : await backend.revokeRole(call);
      return { snap_token: r.snapToken };
    }
    case 'members/remove': {
      const b = bodyObject(body, fields(caller, ['user_id']));
      return { snap_token: (await backend.removeMember({ tenant, actor: actorOf(caller, b), userId: required(b, 'user_id') })).snapToken };
    }
    case 'audit/list': {
      const b = bodyObject(body, fields(caller, [...PAGE, 'filter']));
      const filter = auditFilterOf(b.filter);
      const p = await backend.listAudit({ tenant, actor: actorOf(caller, b), ...page(b), ...(filter === undefined ? {} : { filter }) });
      return { entries: p.items.map(auditToWire), continuous_token: p.continuousToken };
    }
  }
}

/** How an admin error is answered over HTTP. */
export interface AdminErrorAnswer {
  readonly status: 400 | 403 | 404 | 409 | 410 | 503;
  /** `GH_ERR_…` */
  readonly code: string;
  readonly message: string;
  /** For 403: the permission the actor lacks. */
  readonly permission?: string;
}

/**
 * Maps an error of an admin operation to its HTTP answer: 400 bad input, 403 a missing delegation permission
 * (named), 404 unknown member or invitation, 409 lock-out, 410 used/revoked/expired invitation, 503 the PDP or
 * the store is unavailable. `undefined` for anything else (a bug: answer 500).
 */
export function adminErrorAnswer(err: unknown): AdminErrorAnswer | undefined {
  if (err instanceof AdminForbiddenError) return { status: 403, code: 'GH_ERR_FORBIDDEN', message: err.message, permission: err.permission };
  if (err instanceof ForbiddenError) return { status: 403, code: 'GH_ERR_FORBIDDEN', message: err.message };
  if (err instanceof InvitationGoneError) return { status: 410, code: 'GH_ERR_GONE', message: err.message };
  if (err instanceof NotFoundError) return { status: 404, code: 'GH_ERR_NOT_FOUND', message: err.message };
  if (err instanceof ConflictError) return { status: 409, code: 'GH_ERR_CONFLICT', message: err.message };
  if (err instanceof GatehouseError) {
    // The app cannot reach its PDP, the PDP refused the app's key, or the store is down: not the client's fault.
    if (err.code === 'GH_ERR_PDP_UNAVAILABLE' || err.code === 'GH_ERR_PDP_PROTOCOL' || err.code === 'GH_ERR_STORE') return { status: 503, code: err.code, message: err.message };
    return { status: 400, code: err.code, message: err.message };
  }
  return undefined;
}
