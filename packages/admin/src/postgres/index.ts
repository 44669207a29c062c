import { GatehouseError, InvalidRequestError } from '@gatehouse/core';
import pg from 'pg';
import type { PoolClient, PoolConfig, QueryResultRow } from 'pg';
import type { AdminStore, AuditQuery, AuditRecord, InvitationRecord, ProfileRecord } from '../store.js';
import { migrateAdmin } from './migrations.js';

/** Options of {@link PostgresAdminStore}. */
export interface PostgresAdminStoreOptions {
  /** A PostgreSQL URL. Either this or `pool` is required. */
  readonly connectionString?: string;
  /** node-postgres pool settings; merged with `connectionString`. */
  readonly pool?: PoolConfig;
  /** The PostgreSQL schema (namespace) of the tables; created when missing. @defaultValue 'public' */
  readonly schema?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A failure of the admin store (connection, query): HTTP 503. */
class AdminStoreError extends GatehouseError {
  public constructor(message: string, cause: unknown) {
    super('GH_ERR_STORE', message, { cause });
  }
}

interface ProfileRow {
  tenant_id: string;
  user_id: string;
  email: string | null;
  name: string | null;
  invited_by: string | null;
  created_at: Date;
  updated_at: Date;
}

interface InvitationRow {
  id: string;
  tenant_id: string;
  token_hash: string;
  email: string;
  name: string | null;
  roles: string[];
  invited_by: string | null;
  inviter_is_user: boolean;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
}

interface AuditRow {
  id: string;
  tenant_id: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  snap_token: string | null;
}

function profileOf(r: ProfileRow): ProfileRecord {
  return { tenant: r.tenant_id, userId: r.user_id, email: r.email, name: r.name, invitedBy: r.invited_by, createdAt: r.created_at, updatedAt: r.updated_at };
}

function invitationOf(r: InvitationRow): InvitationRecord {
  return {
    id: r.id,
    tenant: r.tenant_id,
    tokenHash: r.token_hash,
    email: r.email,
    name: r.name,
    roles: r.roles,
    invitedBy: r.invited_by,
    inviterIsUser: r.inviter_is_user,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    acceptedAt: r.accepted_at,
    acceptedBy: r.accepted_by,
    revokedAt: r.revoked_at,
  };
}

function auditOf(r: AuditRow): AuditRecord {
  return { id: r.id, tenant: r.tenant_id, at: r.at, actor: r.actor, action: r.action, target: r.target, details: r.details, snapToken: r.snap_token };
}

/**
 * Member profiles, invitations and a durable audit trail in PostgreSQL (tables `admin_member_profiles`,
 * `admin_invitations`, `audit_entries`, created by idempotent migrations in `open()`). Single use of invitations
 * holds across replicas: accepting is one conditional `UPDATE`. Needs the `pg` package (an optional peer).
 * @example
 * ```ts
 * const store = new PostgresAdminStore({ connectionString: 'postgres://postgres@127.0.0.1:5432/gatehouse' });
 * const admin = new AdminService({ engine, pdp: new EmbeddedPdp(engine), store });
 * await store.open();
 * ```
 */
export class PostgresAdminStore implements AdminStore {
  private readonly pool: pg.Pool;
  /** Connections that hold tenant locks: apart from the query pool, so a held lock never starves a query. */
  private readonly lockPool: pg.Pool;
  private readonly schema: string;
  private opened: Promise<void> | undefined;

  public constructor(options: PostgresAdminStoreOptions) {
    if (options.connectionString === undefined && options.pool === undefined) {
      throw InvalidRequestError.badValue('options', options, '{ connectionString } or { pool }');
    }
    const schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) throw InvalidRequestError.badValue('options.schema', schema, 'a lower-case PostgreSQL identifier of letters, digits and "_"');
    this.schema = schema;
    this.pool = new pg.Pool({
      max: 5,
      ...(options.connectionString === undefined ? {} : { connectionString: options.connectionString }),
      ...options.pool,
      // Every connection works in the store's schema (no round trip per query).
      options: `-c search_path=${schema}`,
      allowExitOnIdle: true,
    });
    this.pool.on('error', () => undefined);
    this.lockPool = new pg.Pool({
      max: 10,
      ...(options.connectionString === undefined ? {} : { connectionString: options.connectionString }),
      ...options.pool,
      allowExitOnIdle: true,
    });
    this.lockPool.on('error', () => undefined);
  }

  public async open(): Promise<void> {
    this.opened ??= (async () => {
      const client = await this.connect();
      try {
        await migrateAdmin(client, this.schema);
      } finally {
        client.release();
      }
    })();
    try {
      await this.opened;
    } catch (err) {
      this.opened = undefined;
      throw err;
    }
  }

  public async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.lockPool.end()]);
  }

  public async exclusive<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    await this.open();
    let client: PoolClient;
    try {
      client = await this.lockPool.connect();
    } catch (err) {
      throw new AdminStoreError(`the admin store cannot reach PostgreSQL: ${(err as Error).message}`, err);
    }
    const key = `gatehouse_admin:${this.schema}:${tenant}`;
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
      }
    } finally {
      client.release();
    }
  }

  public async getProfile(tenant: string, userId: string): Promise<ProfileRecord | undefined> {
    const rows = await this.query<ProfileRow>('SELECT * FROM admin_member_profiles WHERE tenant_id = $1 AND user_id = $2', [tenant, userId]);
    return rows[0] === undefined ? undefined : profileOf(rows[0]);
  }

  public async getProfiles(tenant: string, userIds: readonly string[]): Promise<ProfileRecord[]> {
    if (userIds.length === 0) return [];
    const rows = await this.query<ProfileRow>('SELECT * FROM admin_member_profiles WHERE tenant_id = $1 AND user_id = ANY($2::text[])', [tenant, [...userIds]]);
    return rows.map(profileOf);
  }

  public async putProfile(p: ProfileRecord): Promise<void> {
    await this.query(
      `INSERT INTO admin_member_profiles (tenant_id, user_id, email, name, invited_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, user_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, invited_by = EXCLUDED.invited_by,
         created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`,
      [p.tenant, p.userId, p.email, p.name, p.invitedBy, p.createdAt, p.updatedAt],
    );
  }

  public async deleteProfile(tenant: string, userId: string): Promise<void> {
    await this.query('DELETE FROM admin_member_profiles WHERE tenant_id = $1 AND user_id = $2', [tenant, userId]);
  }

  public async insertInvitation(i: InvitationRecord): Promise<void> {
    await this.query(
      `INSERT INTO admin_invitations (id, tenant_id, token_hash, email, name, roles, invited_by, inviter_is_user, created_at, expires_at, accepted_at, accepted_by, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [i.id, i.tenant, i.tokenHash, i.email, i.name, [...i.roles], i.invitedBy, i.inviterIsUser, i.createdAt, i.expiresAt, i.acceptedAt, i.acceptedBy, i.revokedAt],
    );
  }

  public async invitationByHash(tokenHash: string): Promise<InvitationRecord | undefined> {
    const rows = await this.query<InvitationRow>('SELECT * FROM admin_invitations WHERE token_hash = $1', [tokenHash]);
    return rows[0] === undefined ? undefined : invitationOf(rows[0]);
  }

  public async invitationById(tenant: string, id: string): Promise<InvitationRecord | undefined> {
    const rows = await this.query<InvitationRow>('SELECT * FROM admin_invitations WHERE tenant_id = $1 AND id = $2', [tenant, id]);
    return rows[0] === undefined ? undefined : invitationOf(rows[0]);
  }

  public async pendingInvitations(tenant: string, now: Date): Promise<InvitationRecord[]> {
    const rows = await this.query<InvitationRow>(
      'SELECT * FROM admin_invitations WHERE tenant_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at, id',
      [tenant, now],
    );
    return rows.map(invitationOf);
  }

  public async pendingInvitationsPage(tenant: string, now: Date, after: { readonly createdAt: Date; readonly id: string } | undefined, limit: number): Promise<InvitationRecord[]> {
    const rows = await this.query<InvitationRow>(
      `SELECT * FROM admin_invitations WHERE tenant_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2
         AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::text)) ORDER BY created_at, id LIMIT $5`,
      [tenant, now, after?.createdAt ?? null, after?.id ?? '', limit],
    );
    return rows.map(invitationOf);
  }

  public async countPendingInvitations(tenant: string, now: Date): Promise<number> {
    const rows = await this.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM admin_invitations WHERE tenant_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2',
      [tenant, now],
    );
    return Number(rows[0]?.n ?? '0');
  }

  public async markAccepted(tenant: string, id: string, userId: string, at: Date): Promise<boolean> {
    const rows = await this.query(
      'UPDATE admin_invitations SET accepted_at = $3, accepted_by = $4 WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id',
      [tenant, id, at, userId],
    );
    return rows.length === 1;
  }

  public async unmarkAccepted(tenant: string, id: string): Promise<void> {
    await this.query('UPDATE admin_invitations SET accepted_at = NULL, accepted_by = NULL WHERE tenant_id = $1 AND id = $2', [tenant, id]);
  }

  public async markRevoked(tenant: string, id: string, at: Date): Promise<boolean> {
    const rows = await this.query(
      'UPDATE admin_invitations SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id',
      [tenant, id, at],
    );
    return rows.length === 1;
  }

  public async appendAudit(e: Omit<AuditRecord, 'id'>): Promise<AuditRecord> {
    const rows = await this.query<AuditRow>(
      'INSERT INTO audit_entries (tenant_id, at, actor, action, target, details, snap_token) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text AS id, tenant_id, at, actor, action, target, details, snap_token',
      [e.tenant, e.at, e.actor, e.action, e.target, JSON.stringify(e.details), e.snapToken],
    );
    const row = rows[0];
    if (row === undefined) throw new AdminStoreError('admin store: the audit insert returned no row', undefined);
    return auditOf(row);
  }

  public async listAudit(tenant: string, q: AuditQuery): Promise<AuditRecord[]> {
    const where = ['tenant_id = $1', 'id > $2'];
    const params: unknown[] = [tenant, q.afterId ?? '0'];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${String(params.length)}`));
    };
    if (q.actor !== undefined) add('actor = ?', q.actor);
    if (q.target !== undefined) add('target = ?', q.target);
    if (q.action !== undefined) add('action = ?', q.action);
    if (q.since !== undefined) add('at >= ?', q.since);
    if (q.until !== undefined) add('at < ?', q.until);
    params.push(q.limit);
    const rows = await this.query<AuditRow>(
      `SELECT id::text AS id, tenant_id, at, actor, action, target, details, snap_token FROM audit_entries WHERE ${where.join(' AND ')} ORDER BY audit_entries.id LIMIT $${String(params.length)}`,
      params,
    );
    return rows.map(auditOf);
  }

  public async pruneAudit(before: Date): Promise<number> {
    const rows = await this.query('DELETE FROM audit_entries WHERE at < $1 RETURNING id', [before]);
    return rows.length;
  }

  public async purgeTenant(tenant: string): Promise<void> {
    await this.open();
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      for (const table of ['admin_member_profiles', 'admin_invitations', 'audit_entries']) await client.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [tenant]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new AdminStoreError(`admin store: purging tenant ${JSON.stringify(tenant)} failed: ${(err as Error).message}`, err);
    } finally {
      client.release();
    }
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw new AdminStoreError(`the admin store cannot reach PostgreSQL: ${(err as Error).message}`, err);
    }
  }

  private async query<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    await this.open();
    const client = await this.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } catch (err) {
      throw new AdminStoreError(`admin store query failed: ${(err as Error).message}`, err);
    } finally {
      client.release();
    }
  }
}
