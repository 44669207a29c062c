/**
 * `@gatehouse/elements`: embeddable member management and audit trail views for Gatehouse tenant
 * administration, as React components. They call the app's admin routes (`@gatehouse/admin/express` or
 * `/nest`) over HTTP with the app's own cookies or headers; the app's request decides the actor and tenant.
 * For pages without React, `@gatehouse/elements/custom-elements` defines `<gatehouse-members>` and
 * `<gatehouse-audit-log>`.
 */
export { Members } from './react/members.js';
export type { MembersProps, MemberChange } from './react/members.js';
export { AuditLog } from './react/audit-log.js';
export type { AuditLogProps } from './react/audit-log.js';
export type { ViewProps } from './react/common.js';
export { AdminClient, AdminRequestError } from './client.js';
export type { AdminClientOptions, PageOptions } from './client.js';
export { defaultStrings, resolveStrings, format } from './strings.js';
export type { ElementsStrings } from './strings.js';
export { elementsCss } from './styles.js';
export { roleControls, assignableRoles, inviteProblem, memberLabel } from './members-model.js';
export type { RoleControls } from './members-model.js';
export { auditFilterOf } from './audit-model.js';
export type { AuditFilterForm } from './audit-model.js';
export type {
  AuditEntry, AuditFilter, Invitation, InviteResult, Member, Page, RoleInfo, RolesAnswer, ViewerPermissions,
} from './types.js';
