export { AdminService } from './admin-service.js';
export type { AdminServiceOptions, InviteEvent } from './admin-service.js';
export { AuditTrail } from './audit-trail.js';
export type { AuditEvent, AuditTrailOptions } from './audit-trail.js';
export type { Clock } from './clock.js';
export { decisionAudit } from './decision-audit.js';
export type { DecisionAuditOptions } from './decision-audit.js';
export { AdminForbiddenError, InvitationGoneError, LockOutError } from './errors.js';
export { ADMIN_PATHS, adminErrorAnswer, handleAdminRequest } from './http-handler.js';
export type { AdminCaller, AdminErrorAnswer, AdminPath } from './http-handler.js';
export { MemoryAdminStore } from './memory-store.js';
export type { MemoryAdminStoreOptions } from './memory-store.js';
export type { PolicyData } from './policy.js';
export type { AdminStore, AuditQuery, AuditRecord, InvitationRecord, ProfileRecord } from './store.js';
export type {
  AdminActor,
  AdminBackend,
  AdminCall,
  AuditEntry,
  AuditFilter,
  Invitation,
  Member,
  Page,
  PageRequest,
  RoleInfo,
  RolesView,
} from './types.js';
export type { WireAuditEntry, WireInvitation, WireMember, WireRoles } from './wire.js';
