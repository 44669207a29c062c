import type { QueryResult, QueryResultRow } from 'pg';

/** Anything that runs a query: a pool or a checked-out client. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * Every statement on tenant data goes through {@link tenantQuery}: the tenant is always `$1`, and the text
 * must filter on it (`tenant_id = $1`, `tenants.id = $1`) or insert it (`INSERT INTO x (tenant_id, …`
 * with `$1`). A statement that does not is a programming error, refused before it reaches the database,
 * so no call for tenant A can read or change tenant B's rows.
 */
const TENANT_FILTER = /\b(?:tenant_id|tenants\.id) = \$1\b|^INSERT INTO (?:[a-z_]+ \(tenant_id, |tenants \(id, )/;

/** Runs a statement scoped to one tenant (`$1`). @internal */
export async function tenantQuery<R extends QueryResultRow>(
  db: Queryable,
  tenant: string,
  text: string,
  values: readonly unknown[] = [],
): Promise<QueryResult<R>> {
  if (!TENANT_FILTER.test(text) || !text.includes('$1')) {
    throw new Error(`internal: refusing a statement without a tenant filter: ${text}`);
  }
  return await db.query<R>(text, [tenant, ...values]);
}

/**
 * The only statements that span tenants. They read the tenant catalog, the global transaction sequence
 * and the commit feed (which transaction ids exist, and for which tenant); none reads a tuple, an
 * attribute or a schema. Kept in one table so a reader (and the SQL-inspecting test) sees all of them.
 */
export const CATALOG = {
  head: 'SELECT coalesce(max(id), 0)::text AS token FROM transactions',
  listTenants:
    'SELECT id, name, created_at FROM tenants WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C" LIMIT $2',
  feed: 'SELECT id::text AS token, tenant_id, kind FROM transactions WHERE id > $1 ORDER BY id LIMIT $2',
  gcCutoff:
    "SELECT coalesce(max(id), 0)::text AS token FROM transactions WHERE created_at < now() - $1 * interval '1 millisecond'",
  gcTenants: 'SELECT DISTINCT tenant_id FROM transactions WHERE id <= $1',
  lockCommits: 'LOCK TABLE commit_lock IN EXCLUSIVE MODE',
  defaultTenant: "INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT (id) DO NOTHING",
  // History: changes after `token` are all kept; the collector raises it before it deletes anything.
  gcHorizon: 'SELECT token::text AS token FROM gc_horizon',
  raiseGcHorizon: 'UPDATE gc_horizon SET token = greatest(token, $1::bigint)',
  // Aborting a call (AbortSignal): cancels the statement running on that call's own connection.
  cancelBackend: 'SELECT pg_cancel_backend($1)',
} as const;

/** Runs one of the {@link CATALOG} statements. @internal */
export async function catalogQuery<R extends QueryResultRow>(
  db: Queryable,
  name: keyof typeof CATALOG,
  values: readonly unknown[] = [],
): Promise<QueryResult<R>> {
  return await db.query<R>(CATALOG[name], [...values]);
}
