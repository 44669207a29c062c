import type { PoolClient } from 'pg';

/** The admin tables, one step per version; each step runs once, in a transaction, under an advisory lock. */
const STEPS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS admin_member_profiles (
     tenant_id text NOT NULL,
     user_id text NOT NULL,
     email text,
     name text,
     invited_by text,
     created_at timestamptz NOT NULL,
     updated_at timestamptz NOT NULL,
     PRIMARY KEY (tenant_id, user_id)
   );
   CREATE TABLE IF NOT EXISTS admin_invitations (
     id text PRIMARY KEY,
     tenant_id text NOT NULL,
     token_hash text NOT NULL UNIQUE,
     email text NOT NULL,
     name text,
     roles text[] NOT NULL,
     invited_by text,
     inviter_is_user boolean NOT NULL,
     created_at timestamptz NOT NULL,
     expires_at timestamptz NOT NULL,
     accepted_at timestamptz,
     accepted_by text,
     revoked_at timestamptz
   );
   CREATE INDEX IF NOT EXISTS admin_invitations_by_tenant ON admin_invitations (tenant_id, created_at);
   CREATE TABLE IF NOT EXISTS audit_entries (
     id bigserial PRIMARY KEY,
     tenant_id text NOT NULL,
     at timestamptz NOT NULL,
     actor text NOT NULL,
     action text NOT NULL,
     target text NOT NULL,
     details jsonb NOT NULL,
     snap_token text
   );
   CREATE INDEX IF NOT EXISTS audit_entries_by_tenant ON audit_entries (tenant_id, id);
   CREATE INDEX IF NOT EXISTS audit_entries_by_time ON audit_entries (at);`,
  // Pending invitations of a tenant, in paging order: a page or a count reads only them.
  `CREATE INDEX IF NOT EXISTS admin_invitations_pending ON admin_invitations (tenant_id, created_at, id) WHERE accepted_at IS NULL AND revoked_at IS NULL;`,
];

/**
 * Creates the schema and the admin tables (idempotent, safe to run from several processes at once).
 * @internal
 */
export async function migrateAdmin(client: PoolClient, schema: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('gatehouse_admin_migrations'))");
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`SET LOCAL search_path TO "${schema}"`);
    await client.query('CREATE TABLE IF NOT EXISTS admin_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM admin_migrations');
    const done = rows[0]?.v ?? 0;
    for (let v = done + 1; v <= STEPS.length; v++) {
      await client.query(STEPS[v - 1] ?? '');
      await client.query('INSERT INTO admin_migrations (version) VALUES ($1)', [v]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
