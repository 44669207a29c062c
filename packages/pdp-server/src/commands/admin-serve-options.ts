import { InvalidRequestError } from '@gatehouse/core';
import type { PostgresAdminStore } from '@gatehouse/admin/postgres';
import type { ServerAdminOptions } from '../admin-setup.js';

/** `gatehouse serve` usage lines of the tenant-admin flags. */
export const ADMIN_SERVE_USAGE = `  --audit-retention-days N  GATEHOUSE_AUDIT_RETENTION_DAYS  delete audit entries older than N days (at start, then
                                              hourly); kept by default. With --postgres the trail, member profiles
                                              and invitations are in PostgreSQL; otherwise in memory (the trail is
                                              a ring of the newest 10,000 entries per tenant)`;

/**
 * The admin options of `gatehouse serve`: the PostgreSQL admin store with `--postgres` (same database and schema as
 * the policy data), and the audit retention.
 * @throws InvalidRequestError for a bad number of days, or when `@gatehouse/admin/postgres` (or `pg`) cannot load.
 */
export async function adminServeOptions(postgres: string | undefined, schema: string | undefined, retentionDays: string | undefined): Promise<ServerAdminOptions | undefined> {
  let days: number | undefined;
  if (retentionDays !== undefined && retentionDays !== '') {
    if (!/^\d+$/.test(retentionDays) || Number(retentionDays) < 1) throw InvalidRequestError.badValue('--audit-retention-days', retentionDays, 'a whole number of days ≥ 1');
    days = Number(retentionDays);
  }
  if (postgres === undefined) return days === undefined ? undefined : { auditRetentionDays: days };
  let mod: { PostgresAdminStore: typeof PostgresAdminStore };
  try {
    mod = await import('@gatehouse/admin/postgres');
  } catch (err) {
    throw new InvalidRequestError(`--postgres: the admin store (@gatehouse/admin/postgres, which needs "pg") could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  const store = new mod.PostgresAdminStore({ connectionString: postgres, ...(schema === undefined ? {} : { schema }) });
  return { store, ...(days === undefined ? {} : { auditRetentionDays: days }) };
}
