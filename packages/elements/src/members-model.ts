/** The member view's logic, free of any UI library. */
import type { Member, RoleInfo } from './types.js';

/** The role controls of one member: a checkbox per role the viewer may assign, plain text for the others held. */
export interface RoleControls {
  readonly editable: readonly { readonly role: string; readonly held: boolean }[];
  readonly fixed: readonly string[];
}

/** Which role controls the viewer gets for `member`, given `roles/list`. Roles the viewer may not assign get no control. */
export function roleControls(member: Member, roles: readonly RoleInfo[]): RoleControls {
  const assignable = new Set(roles.filter((r) => r.assignable).map((r) => r.name));
  const editable = roles.filter((r) => r.assignable).map((r) => ({ role: r.name, held: member.roles.includes(r.name) }));
  const fixed = member.roles.filter((r) => !assignable.has(r));
  return { editable, fixed };
}

/** The roles the viewer may grant, in `roles/list` order. */
export function assignableRoles(roles: readonly RoleInfo[]): string[] {
  return roles.filter((r) => r.assignable).map((r) => r.name);
}

/** How a member is named in messages and labels: name, then email, then id. */
export function memberLabel(member: Pick<Member, 'id' | 'email' | 'name'>): string {
  if (member.name !== undefined && member.name !== '') return member.name;
  if (member.email !== undefined && member.email !== '') return member.email;
  return member.id ?? '';
}

/** A stable key of a member row: the user id, or the invitation's id for a pending invitation. */
export function memberKey(member: Pick<Member, 'id' | 'invitationId'>): string {
  return member.id !== undefined ? `user:${member.id}` : `invitation:${member.invitationId ?? ''}`;
}

/** Whether the row is a pending invitation rather than a user holding roles. */
export function isInvitation(member: Member): boolean {
  return member.id === undefined || member.status === 'invited';
}

/** Appends `next` to `current`; an item whose key is already there replaces the old one in place. */
export function appendPage<T>(current: readonly T[], next: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map(next.map((item) => [key(item), item]));
  const merged = current.map((item) => byKey.get(key(item)) ?? item);
  const seen = new Set(current.map(key));
  for (const item of next) if (!seen.has(key(item))) merged.push(item);
  return merged;
}

/** `member` with `role` added or taken away (the view shows a change as soon as the server confirms it). */
export function withRole(member: Member, role: string, held: boolean): Member {
  const roles = member.roles.filter((r) => r !== role);
  return { ...member, roles: held ? [...roles, role] : roles };
}

/** What is wrong with an invite form, as a string key, or undefined when it can be sent. */
export function inviteProblem(input: { readonly email: string; readonly role: string }, roles: readonly RoleInfo[]): 'invalidEmail' | 'chooseRole' | undefined {
  const email = input.email.trim();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) return 'invalidEmail';
  if (!assignableRoles(roles).includes(input.role)) return 'chooseRole';
  return undefined;
}
