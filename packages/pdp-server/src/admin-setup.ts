import { AdminService, AuditTrail, MemoryAdminStore } from '@gatehouse/admin';
import type { AdminStore, InviteEvent } from '@gatehouse/admin';
import { EmbeddedPdp } from '@gatehouse/engine';
import type { Engine } from '@gatehouse/engine';

/** Tenant administration options of the server (`@gatehouse/admin`). */
export interface ServerAdminOptions {
  /** Profiles, invitations and the audit trail. @defaultValue a MemoryAdminStore (the audit trail is a bounded ring) */
  readonly store?: AdminStore;
  /** Audit entries older than this many days are deleted (at start, then hourly). @defaultValue kept */
  readonly auditRetentionDays?: number;
  /** @defaultValue 7 days */
  readonly invitationTtlMs?: number;
  /** Called with each new invitation and its token. */
  readonly onInvite?: (event: InviteEvent) => void | Promise<void>;
  /** @defaultValue the system clock */
  readonly clock?: () => Date;
}

/** The server's admin service and audit trail. */
export interface ServerAdmin {
  readonly service: AdminService;
  readonly audit: AuditTrail;
  close(): Promise<void>;
}

/**
 * Opens the admin store (the server closes it on `close()`); the caller starts audit retention (`audit.start`).
 * @param engine - the served engine.
 * @param options - see {@link ServerAdminOptions}.
 */
export async function setUpAdmin(engine: Engine, options: ServerAdminOptions = {}): Promise<ServerAdmin> {
  const store = options.store ?? new MemoryAdminStore();
  await store.open();
  const clock = options.clock;
  const audit = new AuditTrail({
    store,
    ...(clock === undefined ? {} : { clock }),
    ...(options.auditRetentionDays === undefined ? {} : { retentionDays: options.auditRetentionDays }),
  });
  const service = new AdminService({
    engine,
    pdp: new EmbeddedPdp(engine),
    store,
    audit,
    ...(clock === undefined ? {} : { clock }),
    ...(options.invitationTtlMs === undefined ? {} : { invitationTtlMs: options.invitationTtlMs }),
    ...(options.onInvite === undefined ? {} : { onInvite: options.onInvite }),
  });
  return {
    service,
    audit,
    async close() {
      audit.stop();
      await store.close();
    },
  };
}
