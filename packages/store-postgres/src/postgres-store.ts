import { ConflictError, NotFoundError, assertTenant } from '@gatehouse/core';
import type { Attribute, Tuple } from '@gatehouse/core';
import { HistoryGoneError } from '@gatehouse/engine';
import type {
  AttributeFilter,
  CommitResult,
  IoOptions,
  LoadedRow,
  PageOptions,
  ReadOptions,
  SchemaRecord,
  Store,
  StoreChange,
  StoreListener,
  TenantRecord,
  TupleFilter,
  WriteSet,
} from '@gatehouse/engine';
import { Pool } from 'pg';
import type { PoolClient } from 'pg';

import { abortReason, cancelOnAbort } from './internal/abort.js';
import { ChangeFeed, FEED_BATCH } from './internal/change-feed.js';
import { applyWriteSet, readChanges, streamTenant, visibleAt } from './internal/data-sql.js';
import { runMigrations } from './internal/migrations.js';
import {
  ATTRIBUTE_COLUMNS,
  TUPLE_COLUMNS,
  attributeFilterSql,
  attributeOf,
  pageSizeOf,
  parseToken,
  tupleFilterSql,
  tupleOf,
} from './internal/rows.js';
import type { AttributeRow, TupleRow } from './internal/rows.js';
import { catalogQuery, tenantQuery } from './internal/tenant-sql.js';
import type { Queryable } from './internal/tenant-sql.js';
import { runWriteTransaction } from './internal/write-transaction.js';
import type { Committed, WriteContext } from './internal/write-transaction.js';
import { resolveOptions } from './options.js';
import type { PostgresStoreOptions, ResolvedOptions } from './options.js';
import type { ChangeNotice, ChangeRelay } from './relay/change-relay.js';
import { PostgresRelay } from './relay/postgres-relay.js';
import { RedisRelay } from './relay/redis-relay.js';
import { StoreError } from './store-error.js';

/** Counters of a {@link PostgresStore}. */
export interface PostgresStoreStats {
  /** Write transactions committed by this process. */
  readonly commits: number;
  /** Attempts that failed with a serialization failure or deadlock and were retried. */
  readonly retries: number;
  /** Errors of background work (change feed, relay, collector), which never reject a call. */
  readonly backgroundErrors: number;
}

interface TenantRow {
  readonly id: string;
  readonly name: string;
  readonly created_at: Date;
}

const recordOf = (r: TenantRow): TenantRecord => ({ id: r.id, name: r.name, createdAt: r.created_at.toISOString() });

/**
 * The durable {@link Store} of the Gatehouse engine on PostgreSQL: tenants, versioned schemas, tuples and
 * attributes with MVCC rows, snap tokens that follow commit order, and a change feed that brings other
 * processes' commits to this one (LISTEN/NOTIFY or Redis pub/sub, with catch-up after a reconnect).
 *
 * Every engine keeps an in-memory view for checks; this store is the system of record it loads at start
 * and follows afterwards. Several servers may share one database.
 *
 * @example
 * ```ts
 * import { Engine } from '@gatehouse/engine';
 * import { PostgresStore } from '@gatehouse/store-postgres';
 *
 * const store = new PostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
 * const engine = await Engine.create({ store, schema: 'entity user {}\nentity doc { relation owner @user }' });
 * const { snapToken } = await engine.write({ tenant: 't1', tuples: ['doc:1#owner@user:alice'] });
 * await engine.close(); // closes the store too
 * ```
 */
export class PostgresStore implements Store {
  /** The tenant that always exists. */
  public readonly defaultTenant: string;
  private readonly options: ResolvedOptions;
  private readonly pool: Pool;
  private readonly relay: ChangeRelay;
  private feed: ChangeFeed | undefined;
  private opening: Promise<void> | undefined;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private counters = { commits: 0, retries: 0, backgroundErrors: 0 };

  /**
   * @param options - where the database is, and how changes travel; see {@link PostgresStoreOptions}
   * @throws {@link InvalidRequestError} for a bad option (named, with the value)
   */
  public constructor(options: PostgresStoreOptions) {
    this.options = resolveOptions(options);
    this.defaultTenant = this.options.defaultTenant;
    assertTenant(this.defaultTenant);
    this.pool = new Pool({ max: 10, ...this.options.pool, allowExitOnIdle: true });
    // An idle client that loses its connection emits here; the pool replaces it on the next checkout.
    this.pool.on('error', () => {
      this.counters.backgroundErrors++;
    });
    this.relay =
      this.options.relay === 'redis'
        ? new RedisRelay(this.options.redisUrl, this.options.redisPrefix, this.options.schema)
        : new PostgresRelay(this.options.pool, `gatehouse_changes_${this.options.schema}`);
  }

  /** Counters: commits, retried conflicts, background errors. */
  public get stats(): PostgresStoreStats {
    return { ...this.counters };
  }

  /** The relay in use (tests drop its connection to exercise reconnect and catch-up). @internal */
  public get changeRelay(): ChangeRelay {
    return this.relay;
  }

  /**
   * Runs migrations (idempotent, safe when several servers start at once), makes sure the default tenant
   * exists, and starts following commits (relay, poll, collector). Calling it again returns the same promise.
   * @throws {@link StoreError} when PostgreSQL (or Redis, for that relay) cannot be reached
   */
  public async open(): Promise<void> {
    this.opening ??= this.start().catch((err: unknown) => {
      // A failed open can be retried (the database or Redis may come up later).
      this.opening = undefined;
      throw err;
    });
    await this.opening;
  }

  /** A pooled connection, with a failure to connect reported as a {@link StoreError}. */
  private async connect(tenant?: string): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw StoreError.wrap(err, 'connecting', tenant);
    }
  }

  private async start(): Promise<void> {
    const client = await this.connect();
    try {
      await runMigrations(client, this.options.schema);
      await catalogQuery(client, 'defaultTenant', [this.defaultTenant]);
      const head = (await catalogQuery<{ token: string }>(client, 'head')).rows[0]?.token ?? '0';
      this.feed = new ChangeFeed(
        head,
        async (after) => await this.changesSince(after, { limit: FEED_BATCH }),
        () => {
          this.counters.backgroundErrors++;
        },
        async () => await this.headSnapToken(),
      );
    } catch (err) {
      throw StoreError.wrap(err, 'opening (migrations)');
    } finally {
      client.release();
    }
    const feed = this.feed;
    try {
      await this.relay.start({
        onNotice: (n) => {
          feed.notice(n.snapToken);
        },
        onResync: () => {
          feed.wake();
        },
      });
    } catch (err) {
      throw StoreError.wrap(err, `starting the ${this.options.relay} relay`);
    }
    if (this.options.pollIntervalMs > 0) this.every(this.options.pollIntervalMs, () => this.poll());
    if (this.options.gcWindowMs > 0) {
      this.every(this.options.gcIntervalMs, async () => {
        await this.collectGarbage();
      });
    }
  }

  /** {@inheritDoc @gatehouse/engine#Store.headSnapToken} */
  public async headSnapToken(): Promise<string> {
    return await this.read('reading the head token', undefined, undefined, async (db) => {
      return (await catalogQuery<{ token: string }>(db, 'head')).rows[0]?.token ?? '0';
    });
  }

  /**
   * {@inheritDoc @gatehouse/engine#Store.createTenant}
   * @throws {@link ConflictError} when a tenant with this id exists
   */
  public async createTenant(id: string, name: string): Promise<{ tenant: TenantRecord; snapToken: string }> {
    const done = await this.write(id, 'tenant_create', async ({ client, token }) => {
      const res = await tenantQuery<TenantRow>(
        client,
        id,
        'INSERT INTO tenants (id, name, created_tx_id) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id, name, created_at',
        [name, token],
      );
      const row = res.rows[0];
      if (row === undefined) throw new ConflictError(`tenant ${JSON.stringify(id)} already exists`, { tenant: id });
      return recordOf(row);
    });
    await this.announce({ kind: 'tenant', tenant: id, snapToken: done.token, operation: 'create', record: done.value }, done);
    return { tenant: done.value, snapToken: done.token };
  }

  /**
   * {@inheritDoc @gatehouse/engine#Store.deleteTenant}
   * @throws {@link NotFoundError} when it does not exist
   */
  public async deleteTenant(id: string): Promise<{ snapToken: string }> {
    const done = await this.write(id, 'tenant_delete', async ({ client, token }) => {
      const gone = await tenantQuery(client, id, 'DELETE FROM tenants WHERE tenants.id = $1');
      if (gone.rowCount === 0) throw notFound(id);
      await tenantQuery(client, id, 'DELETE FROM relation_tuples WHERE tenant_id = $1');
      await tenantQuery(client, id, 'DELETE FROM attributes WHERE tenant_id = $1');
      await tenantQuery(client, id, 'DELETE FROM schema_definitions WHERE tenant_id = $1');
      // The history goes too, except this transaction: the tombstone replicas catch up from.
      await tenantQuery(client, id, 'DELETE FROM transactions WHERE tenant_id = $1 AND id <> $2', [token]);
    });
    await this.announce({ kind: 'tenant', tenant: id, snapToken: done.token, operation: 'delete' }, done);
    return { snapToken: done.token };
  }

  /** {@inheritDoc @gatehouse/engine#Store.getTenant} */
  public async getTenant(id: string): Promise<TenantRecord | undefined> {
    return await this.read('reading a tenant', id, undefined, async (db) => {
      const res = await tenantQuery<TenantRow>(db, id, 'SELECT id, name, created_at FROM tenants WHERE tenants.id = $1');
      const row = res.rows[0];
      return row === undefined ? undefined : recordOf(row);
    });
  }

  /** {@inheritDoc @gatehouse/engine#Store.listTenants} */
  public async listTenants(options: PageOptions = {}): Promise<{ tenants: TenantRecord[]; continuousToken: string }> {
    const size = pageSizeOf(options.pageSize);
    return await this.read('listing tenants', undefined, undefined, async (db) => {
      const res = await catalogQuery<TenantRow>(db, 'listTenants', [options.continuousToken ?? '', size + 1]);
      const tenants = res.rows.slice(0, size).map(recordOf);
      return { tenants, continuousToken: res.rows.length > size ? (tenants.at(-1)?.id ?? '') : '' };
    });
  }

  /**
   * {@inheritDoc @gatehouse/engine#Store.writeSchema}
   * @throws {@link NotFoundError} for an unknown tenant
   */
  public async writeSchema(tenant: string, source: string): Promise<{ schema: SchemaRecord; snapToken: string }> {
    const done = await this.write(tenant, 'schema', async ({ client, token }) => {
      await this.requireTenant(client, tenant);
      const res = await tenantQuery<{ created_at: Date }>(
        client,
        tenant,
        'INSERT INTO schema_definitions (tenant_id, version, source) VALUES ($1, $2, $3) RETURNING created_at',
        [token, source],
      );
      const createdAt = res.rows[0]?.created_at.toISOString() ?? new Date().toISOString();
      return { tenant, version: token, source, createdAt } satisfies SchemaRecord;
    });
    await this.announce({ kind: 'schema', tenant, snapToken: done.token, schema: done.value }, done);
    return { schema: done.value, snapToken: done.token };
  }

  /** {@inheritDoc @gatehouse/engine#Store.readSchema} */
  public async readSchema(tenant: string, version?: string): Promise<SchemaRecord | undefined> {
    return await this.read('reading a schema', tenant, undefined, async (db) => {
      await this.requireTenant(db, tenant);
      const head = version === undefined || version === '';
      if (!head && !/^\d{1,18}$/.test(version)) return undefined;
      const res = await tenantQuery<{ version: string; source: string; created_at: Date }>(
        db,
        tenant,
        head
          ? 'SELECT version::text, source, created_at FROM schema_definitions WHERE tenant_id = $1 ORDER BY schema_definitions.version DESC LIMIT 1'
          : 'SELECT version::text, source, created_at FROM schema_definitions WHERE tenant_id = $1 AND version = $2',
        head ? [] : [version],
      );
      const row = res.rows[0];
      return row === undefined
        ? undefined
        : { tenant, version: row.version, source: row.source, createdAt: row.created_at.toISOString() };
    });
  }

  /** {@inheritDoc @gatehouse/engine#Store.listSchemas} */
  public async listSchemas(
    tenant: string,
    options: PageOptions = {},
  ): Promise<{ head: string; schemas: { version: string; createdAt: string }[]; continuousToken: string }> {
    const size = pageSizeOf(options.pageSize);
    const before = parseToken(options.continuousToken, 'continuousToken') ?? '9223372036854775807';
    return await this.read('listing schemas', tenant, undefined, async (db) => {
      await this.requireTenant(db, tenant);
      const head = await tenantQuery<{ version: string }>(
        db,
        tenant,
        'SELECT coalesce(max(version), 0)::text AS version FROM schema_definitions WHERE tenant_id = $1',
      );
      const res = await tenantQuery<{ version: string; created_at: Date }>(
        db,
        tenant,
        'SELECT version::text, created_at FROM schema_definitions WHERE tenant_id = $1 AND version < $2 ORDER BY schema_definitions.version DESC LIMIT $3',
        [before, size + 1],
      );
      const schemas = res.rows.slice(0, size).map((r) => ({ version: r.version, createdAt: r.created_at.toISOString() }));
      const h = head.rows[0]?.version ?? '0';
      return {
        head: h === '0' ? '' : h,
        schemas,
        continuousToken: res.rows.length > size ? (schemas.at(-1)?.version ?? '') : '',
      };
    });
  }

  /**
   * {@inheritDoc @gatehouse/engine#Store.commit}
   * `options.signal` cancels the running statement and rolls the transaction back (the call rejects with the
   * signal's reason); an abort after COMMIT succeeded changes nothing.
   * @throws {@link NotFoundError} for an unknown tenant
   * @throws {@link StoreError} when the database fails, or the write still conflicts after `maxRetries`
   */
  public async commit(write: WriteSet, options: IoOptions = {}): Promise<CommitResult> {
    const done = await this.write(
      write.tenant,
      'data',
      async ({ client, token }) => {
        await this.requireTenant(client, write.tenant);
        return await applyWriteSet(client, token, write);
      },
      options.signal,
    );
    await this.announce({ kind: 'data', tenant: write.tenant, snapToken: done.token, changes: done.value }, done);
    return { snapToken: done.token, changes: done.value };
  }

  /** {@inheritDoc @gatehouse/engine#Store.readTuples} */
  public async readTuples(
    tenant: string,
    filter: TupleFilter,
    options: ReadOptions = {},
  ): Promise<{ tuples: Tuple[]; continuousToken: string }> {
    const token = parseToken(options.snapToken);
    const after = parseToken(options.continuousToken, 'continuousToken') ?? '0';
    const size = pageSizeOf(options.pageSize);
    return await this.read('reading tuples', tenant, options.signal, async (db) => {
      await this.requireTenant(db, tenant);
      const f = tupleFilterSql(filter, 3);
      const v = visibleAt(token, 3 + f.values.length);
      const res = await tenantQuery<TupleRow>(
        db,
        tenant,
        `SELECT ${TUPLE_COLUMNS} FROM relation_tuples WHERE tenant_id = $1 AND relation_tuples.id > $2${f.sql}${v.sql}
          ORDER BY relation_tuples.id LIMIT ${String(size + 1)}`,
        [after, ...f.values, ...v.values],
      );
      const rows = res.rows.slice(0, size);
      return { tuples: rows.map(tupleOf), continuousToken: res.rows.length > size ? (rows.at(-1)?.id ?? '') : '' };
    });
  }

  /** {@inheritDoc @gatehouse/engine#Store.readAttributes} */
  public async readAttributes(
    tenant: string,
    filter: AttributeFilter,
    options: ReadOptions = {},
  ): Promise<{ attributes: Attribute[]; continuousToken: string }> {
    const token = parseToken(options.snapToken);
    const offset = Number(parseToken(options.continuousToken, 'continuousToken') ?? '0');
    const size = pageSizeOf(options.pageSize);
    return await this.read('reading attributes', tenant, options.signal, async (db) => {
      await this.requireTenant(db, tenant);
      const f = attributeFilterSql(filter, 2);
      const v = visibleAt(token, 2 + f.values.length);
      // MemoryStore's order: by the string `type:id$attribute`, compared by code unit (COLLATE "C").
      const res = await tenantQuery<AttributeRow>(
        db,
        tenant,
        `SELECT ${ATTRIBUTE_COLUMNS} FROM attributes WHERE tenant_id = $1${f.sql}${v.sql}
          ORDER BY (entity_type || ':' || entity_id || '$' || attribute) COLLATE "C"
          OFFSET ${String(offset)} LIMIT ${String(size + 1)}`,
        [...f.values, ...v.values],
      );
      const rows = res.rows.slice(0, size);
      return {
        attributes: rows.map(attributeOf),
        continuousToken: res.rows.length > size ? String(offset + size) : '',
      };
    });
  }

  /**
   * {@inheritDoc @gatehouse/engine#Store.loadTenant}
   * Rows come from one snapshot through a server-side cursor, 20,000 at a time.
   */
  public async *loadTenant(tenant: string, options: { snapToken?: string } & IoOptions = {}): AsyncIterable<LoadedRow> {
    const token = parseToken(options.snapToken);
    const { signal } = options;
    signal?.throwIfAborted();
    const client = await this.connect(tenant);
    const watch = cancelOnAbort(this.pool, client, signal);
    let ok = false;
    try {
      signal?.throwIfAborted();
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await this.requireTenant(client, tenant);
      for await (const row of streamTenant(client, tenant, token, 20_000)) {
        signal?.throwIfAborted();
        yield row;
      }
      ok = true;
    } catch (err) {
      if (signal?.aborted === true) throw abortReason(signal, err);
      throw StoreError.wrap(err, 'loading a tenant', tenant);
    } finally {
      let broken = await watch.finish();
      await client.query(ok ? 'COMMIT' : 'ROLLBACK').catch(() => {
        broken = true;
      });
      client.release(broken);
    }
  }

  /**
   * {@inheritDoc @gatehouse/engine#Store.changesSince}
   * @throws {@link HistoryGoneError} when the collector removed history after `snapToken` (`gcWindowMs`)
   */
  public async changesSince(
    snapToken: string,
    options: { tenant?: string; limit?: number } & IoOptions = {},
  ): Promise<StoreChange[]> {
    const after = parseToken(snapToken);
    const limit = options.limit ?? 10_000;
    if (after === undefined) return [];
    return await this.read('reading changes', options.tenant, options.signal, async (db) => {
      // One snapshot: a tenant deleted halfway must not leave half of its history in the answer, and the
      // horizon read here covers exactly the rows read next (the collector raises it before deleting).
      await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const horizon = (await catalogQuery<{ token: string }>(db, 'gcHorizon')).rows[0]?.token ?? '0';
        if (BigInt(after) < BigInt(horizon)) {
          throw new HistoryGoneError(after, horizon, options.tenant === undefined ? {} : { tenant: options.tenant });
        }
        const out = await readChanges(db, after, limit, options.tenant);
        await db.query('COMMIT');
        return out;
      } catch (err) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }, true);
  }

  /** {@inheritDoc @gatehouse/engine#Store.subscribe} */
  public subscribe(listener: StoreListener): () => void {
    if (this.feed === undefined) throw new StoreError('PostgresStore.subscribe() before open()');
    return this.feed.subscribe(listener);
  }

  /**
   * Removes rows expired longer ago than `gcWindowMs` and the transactions that old (the newest
   * transaction is always kept). Runs by itself every `gcIntervalMs` when `gcWindowMs` is set.
   * @param windowMs - override of the window (`0` collects everything already expired)
   * @returns how many rows and transactions were removed
   */
  public async collectGarbage(windowMs = this.options.gcWindowMs): Promise<{ rows: number; transactions: number }> {
    return await this.read('collecting garbage', undefined, undefined, async (db) => {
      const head = (await catalogQuery<{ token: string }>(db, 'head')).rows[0]?.token ?? '0';
      const cutoffRow = (await catalogQuery<{ token: string }>(db, 'gcCutoff', [windowMs])).rows[0]?.token ?? '0';
      // Never the newest: head tokens must stay derivable.
      const cutoff = BigInt(cutoffRow) >= BigInt(head) ? (BigInt(head) - 1n).toString() : cutoffRow;
      let rows = 0;
      let transactions = 0;
      if (BigInt(cutoff) <= 0n) return { rows, transactions };
      // First, so that a reader that misses a row removed below sees the horizon that says so.
      await catalogQuery(db, 'raiseGcHorizon', [cutoff]);
      const tenants = await catalogQuery<{ tenant_id: string }>(db, 'gcTenants', [cutoff]);
      for (const { tenant_id: tenant } of tenants.rows) {
        for (const table of ['relation_tuples', 'attributes']) {
          const r = await tenantQuery(db, tenant, `DELETE FROM ${table} WHERE tenant_id = $1 AND expired_tx_id <= $2`, [cutoff]);
          rows += r.rowCount ?? 0;
        }
        const t = await tenantQuery(db, tenant, 'DELETE FROM transactions WHERE tenant_id = $1 AND id <= $2', [cutoff]);
        transactions += t.rowCount ?? 0;
      }
      return { rows, transactions };
    });
  }

  /** Resolves when every commit announced so far has reached the listeners (tests, shutdown). */
  public async settled(): Promise<void> {
    await this.feed?.idle();
  }

  /**
   * {@inheritDoc @gatehouse/engine#Store.close}
   * Stops the relay, the poll and the collector, and ends the pool. Idempotent.
   */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.opening?.catch(() => undefined);
    await this.relay.close();
    await this.feed?.idle();
    this.feed?.clear();
    await this.pool.end();
  }

  // ---- helpers ----

  private every(ms: number, work: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.closed) return;
      busy = true;
      work()
        .catch(() => {
          this.counters.backgroundErrors++;
        })
        .finally(() => {
          busy = false;
        });
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async poll(): Promise<void> {
    const head = (await catalogQuery<{ token: string }>(this.pool, 'head')).rows[0]?.token ?? '0';
    this.feed?.notice(head);
  }

  private async write<T>(
    tenant: string,
    kind: string,
    body: (ctx: WriteContext) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<Committed<T>> {
    await this.open();
    const done = await runWriteTransaction(
      this.pool,
      {
        tenant,
        kind,
        maxRetries: this.options.maxRetries,
        ...(this.relay.channel === undefined ? {} : { notifyChannel: this.relay.channel }),
        onRetry: () => {
          this.counters.retries++;
        },
        ...(signal === undefined ? {} : { signal }),
      },
      body,
    );
    this.counters.commits++;
    return done;
  }

  /** Hands a local commit to the feed (listeners run before the call resolves) and the relay. */
  private async announce(change: StoreChange, done: Committed<unknown>): Promise<void> {
    const notice: ChangeNotice = { tenant: change.tenant, snapToken: done.token, kind: change.kind };
    if (!this.relay.transactional) this.relay.publish(notice);
    await this.feed?.local(change, done.previous);
  }

  /**
   * Runs a read on the pool, or on a client of its own when it must (`dedicated`: a transaction) or may be
   * aborted (`signal`: the statement running on that client is cancelled).
   */
  private async read<T>(
    what: string,
    tenant: string | undefined,
    signal: AbortSignal | undefined,
    work: (db: Queryable) => Promise<T>,
    dedicated = false,
  ): Promise<T> {
    signal?.throwIfAborted();
    await this.open();
    if (!dedicated && signal === undefined) {
      try {
        return await work(this.pool);
      } catch (err) {
        throw StoreError.wrap(err, what, tenant);
      }
    }
    const client = await this.connect(tenant);
    const watch = cancelOnAbort(this.pool, client, signal);
    let broken = false;
    try {
      signal?.throwIfAborted();
      return await work(client);
    } catch (err) {
      if (signal?.aborted === true) throw abortReason(signal, err);
      throw StoreError.wrap(err, what, tenant);
    } finally {
      if (await watch.finish()) broken = true;
      client.release(broken);
    }
  }

  private async requireTenant(db: Queryable, tenant: string): Promise<void> {
    const res = await tenantQuery(db, tenant, 'SELECT 1 FROM tenants WHERE tenants.id = $1');
    if (res.rowCount === 0) throw notFound(tenant);
  }
}

function notFound(tenant: string): NotFoundError {
  return new NotFoundError(`tenant ${JSON.stringify(tenant)} does not exist`, { tenant });
}
