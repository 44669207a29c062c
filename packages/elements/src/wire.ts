/**
 * Reads the admin routes' JSON answers defensively: what does not have the expected shape is dropped, so a
 * view never renders a non-string as text or trips over a missing field.
 */
import type { AuditEntry, Invitation, Member, Page, RoleInfo, RolesAnswer } from './types.js';

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A member from the wire (a user with a string id, or a pending invitation with its id), or undefined. */
export function readMember(value: unknown): Member | undefined {
  const r = record(value);
  const id = str(r?.id);
  const invitationId = str(r?.invitation_id);
  if (r === undefined || (id === undefined && invitationId === undefined)) return undefined;
  return { id, invitationId, email: str(r.email), name: str(r.name), roles: strings(r.roles), status: str(r.status) ?? 'active' };
}

/** `roles/list`'s answer; a permission the answer does not grant explicitly is denied. */
export function readRoles(value: unknown): RolesAnswer {
  const r = record(value);
  const p = record(r?.permissions);
  const roles = readPage(value, 'roles', readRole).items;
  return {
    roles,
    permissions: { manage_members: p?.manage_members === true, view_members: p?.view_members === true, view_audit: p?.view_audit === true },
    viewer: str(r?.viewer),
  };
}

/** A role from the wire (a bare string is an unassignable role). */
export function readRole(value: unknown): RoleInfo | undefined {
  if (typeof value === 'string') return { name: value, assignable: false };
  const r = record(value);
  const name = str(r?.name);
  return name === undefined ? undefined : { name, assignable: r?.assignable === true };
}

/** An invitation from the wire, or undefined when it has no string id. */
export function readInvitation(value: unknown): Invitation | undefined {
  const r = record(value);
  const id = str(r?.id);
  if (r === undefined || id === undefined) return undefined;
  return { id, email: str(r.email), name: str(r.name), roles: strings(r.roles), expires_at: str(r.expires_at), status: str(r.status) };
}

/** An audit entry from the wire, or undefined without an id, time, actor and action. */
export function readAuditEntry(value: unknown): AuditEntry | undefined {
  const r = record(value);
  const id = str(r?.id) ?? (typeof r?.id === 'number' ? String(r.id) : undefined);
  const at = str(r?.at);
  const actor = str(r?.actor);
  const action = str(r?.action);
  if (r === undefined || id === undefined || at === undefined || actor === undefined || action === undefined) return undefined;
  return { id, at, actor, action, target: str(r.target), details: r.details, snap_token: str(r.snap_token) };
}

/** The snap token of a write's answer. */
export function readSnapToken(value: unknown): string | undefined {
  return str(record(value)?.snap_token);
}

/** `{ <key>: [...], continuous_token }` as a {@link Page}, keeping the items `read` accepts. */
export function readPage<T>(value: unknown, key: string, read: (item: unknown) => T | undefined): Page<T> {
  const r = record(value);
  const list = r?.[key];
  const items = Array.isArray(list) ? list.map(read).filter((v): v is T => v !== undefined) : [];
  const token = str(r?.continuous_token);
  return { items, continuousToken: token === '' ? undefined : token };
}
