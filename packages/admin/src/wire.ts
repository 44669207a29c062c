import { InvalidRequestError } from '@gatehouse/core';
import type { AuditEntry, AuditFilter, Invitation, Member, RolesView } from './types.js';

/** The JSON (snake_case) shapes of the admin API, as the PDP server and the app routes send them. */
export interface WireMember {
  id: string | null;
  email: string | null;
  name: string | null;
  roles: string[];
  status: 'active' | 'invited';
  invited_by: string | null;
  created_at: string | null;
  updated_at: string | null;
  invitation_id?: string;
}

/** An invitation on the wire. */
export interface WireInvitation {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  status: Invitation['status'];
  invited_by: string | null;
  created_at: string;
  expires_at: string;
  accepted_by?: string;
}

/** An audit entry on the wire. */
export interface WireAuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  snap_token: string | null;
}

/** roles/list on the wire. */
export interface WireRoles {
  roles: { name: string; assignable: boolean }[];
  permissions: { manage_members: boolean; view_members: boolean; view_audit: boolean };
  viewer: string | null;
}

/** @internal */
export function memberToWire(m: Member): WireMember {
  return {
    id: m.id,
    email: m.email,
    name: m.name,
    roles: [...m.roles],
    status: m.status,
    invited_by: m.invitedBy,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    ...(m.invitationId === undefined ? {} : { invitation_id: m.invitationId }),
  };
}

/** @internal */
export function memberFromWire(w: WireMember): Member {
  return {
    id: w.id,
    email: w.email,
    name: w.name,
    roles: w.roles,
    status: w.status,
    invitedBy: w.invited_by,
    createdAt: w.created_at,
    updatedAt: w.updated_at,
    ...(w.invitation_id === undefined ? {} : { invitationId: w.invitation_id }),
  };
}

/** @internal */
export function invitationToWire(i: Invitation): WireInvitation {
  return {
    id: i.id,
    email: i.email,
    name: i.name,
    roles: [...i.roles],
    status: i.status,
    invited_by: i.invitedBy,
    created_at: i.createdAt,
    expires_at: i.expiresAt,
    ...(i.acceptedBy === undefined ? {} : { accepted_by: i.acceptedBy }),
  };
}

/** @internal */
export function invitationFromWire(w: WireInvitation): Invitation {
  return {
    id: w.id,
    email: w.email,
    name: w.name,
    roles: w.roles,
    status: w.status,
    invitedBy: w.invited_by,
    createdAt: w.created_at,
    expiresAt: w.expires_at,
    ...(w.accepted_by === undefined ? {} : { acceptedBy: w.accepted_by }),
  };
}

/** @internal */
export function auditToWire(e: AuditEntry): WireAuditEntry {
  return { id: e.id, at: e.at, actor: e.actor, action: e.action, target: e.target, details: { ...e.details }, snap_token: e.snapToken };
}

/** @internal */
export function auditFromWire(w: WireAuditEntry): AuditEntry {
  return { id: w.id, at: w.at, actor: w.actor, action: w.action, target: w.target, details: w.details, snapToken: w.snap_token };
}

/** @internal */
export function rolesToWire(r: RolesView): WireRoles {
  return {
    roles: r.roles.map((x) => ({ name: x.name, assignable: x.assignable })),
    permissions: { manage_members: r.permissions.manageMembers, view_members: r.permissions.viewMembers, view_audit: r.permissions.viewAudit },
    viewer: r.viewer,
  };
}

/** @internal */
export function rolesFromWire(w: WireRoles): RolesView {
  return {
    roles: w.roles,
    permissions: { manageMembers: w.permissions.manage_members, viewMembers: w.permissions.view_members, viewAudit: w.permissions.view_audit },
    viewer: w.viewer,
  };
}

/** A body as a plain object with only the given keys. @internal */
export function bodyObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  const b = body ?? {};
  if (typeof b !== 'object' || Array.isArray(b)) throw InvalidRequestError.badValue('body', body, 'a JSON object');
  for (const k of Object.keys(b)) {
    if (!allowed.includes(k)) {
      throw InvalidRequestError.badValue('body field', k, allowed.length === 0 ? 'no fields' : `only ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    }
  }
  return b as Record<string, unknown>;
}

/** An optional string field. @internal */
export function optString(b: Record<string, unknown>, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw InvalidRequestError.badValue(key, v, 'a string');
  return v;
}

/** An optional integer field. @internal */
export function optInt(b: Record<string, unknown>, key: string): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw InvalidRequestError.badValue(key, v, 'an integer');
  return v;
}

/** The audit `filter` object. @internal */
export function auditFilterOf(value: unknown): AuditFilter | undefined {
  if (value === undefined || value === null) return undefined;
  const f = bodyObject(value, ['actor', 'target', 'action', 'since', 'until']);
  const out: Record<string, string> = {};
  for (const k of ['actor', 'target', 'action', 'since', 'until']) {
    const v = optString(f, k);
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}
