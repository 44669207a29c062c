/**
 * The storage contract of the engine. A `Store` is the system of record: tenants, versioned schemas per tenant,
 * tuples and attributes with MVCC. Every engine also keeps a fast in-memory *view* for checks (a `MemoryStore`),
 * which it loads at start ({@link Store.loadTenant}) and then keeps current by applying the commits
 * {@link Store.subscribe} delivers, in commit order, reading them with {@link Store.changesSince} only when a
 * delivery does not follow on from what the view has applied. For the embedded case a `MemoryStore` is both the
 * store and the view.
 *
 * Snap tokens are decimal integer strings that increase in **commit order** across the whole store (all
 * tenants): a durable store uses its transaction id when commits are serialised (e.g. by an advisory lock), or
 * any other sequence assigned at commit. A read at token `T` sees exactly what was committed with a token `<= T`.
 */
import type { Attribute, Tuple } from '@gatehouse/core';

import type { MemoryStore } from './memory-store.js';

/** A tenant as stored. `createdAt` is an ISO-8601 UTC timestamp. */
export interface TenantRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

/** One stored schema version of a tenant. */
export interface SchemaRecord {
  readonly tenant: string;
  /** Opaque version id; versions of one tenant sort by creation when compared as decimal integers. */
  readonly version: string;
  /** The schema-language text, as written. */
  readonly source: string;
  readonly createdAt: string;
}

/**
 * Selects tuples. Every absent or empty field is a wildcard (subject relation `''` included), as in Permify's
 * delete and read filters.
 */
export interface TupleFilter {
  readonly entity?: { readonly type?: string; readonly ids?: readonly string[] };
  readonly relation?: string;
  readonly subject?: { readonly type?: string; readonly ids?: readonly string[]; readonly relation?: string };
}

/** Selects attributes. Every absent or empty field is a wildcard. */
export interface AttributeFilter {
  readonly entity?: { readonly type?: string; readonly ids?: readonly string[] };
  readonly attributes?: readonly string[];
}

/** One row-level change of a commit, as Permify's Watch reports it. */
export interface DataChange {
  readonly operation: 'create' | 'delete';
  readonly tuple?: Tuple;
  readonly attribute?: Attribute;
}

/**
 * A write set: everything one `write` or `delete` call commits, atomically, in one transaction. The engine has
 * already validated it against the tenant's schema. The store applies it in this order: tuple deletes
 * (explicit, then by filter), attribute deletes by filter, tuple creates, attribute writes.
 */
export interface WriteSet {
  readonly tenant: string;
  /** Tuples to create. A tuple that is already live is skipped (no change, no row). */
  readonly createTuples?: readonly Tuple[];
  /** Tuples to delete (expire) exactly. A tuple that is not live is skipped. */
  readonly deleteTuples?: readonly Tuple[];
  /** Live tuples matching this filter are expired. */
  readonly tupleFilter?: TupleFilter;
  /** Attributes to write: each replaces (expires) the live value of the same (entity, attribute). */
  readonly writeAttributes?: readonly Attribute[];
  /** Live attributes matching this filter are expired. */
  readonly attributeFilter?: AttributeFilter;
}

/** What {@link Store.commit} returns: the token of the transaction and the row changes it made, in order. */
export interface CommitResult {
  readonly snapToken: string;
  /** Creates and deletes (an attribute overwrite is a delete of the old row, then a create). */
  readonly changes: readonly DataChange[];
}

/** A committed change as the change feed reports it, one per transaction, in commit order. */
export type StoreChange =
  | { readonly kind: 'data'; readonly tenant: string; readonly snapToken: string; readonly changes: readonly DataChange[] }
  | { readonly kind: 'schema'; readonly tenant: string; readonly snapToken: string; readonly schema: SchemaRecord }
  | {
      readonly kind: 'tenant';
      readonly tenant: string;
      readonly snapToken: string;
      readonly operation: 'create' | 'delete';
      /** The record, for a create. */
      readonly record?: TenantRecord;
    }
  /**
   * Only from {@link Store.subscribe}: the store cannot deliver every commit after the last one it delivered
   * (its history was collected, see `HistoryGoneError`); listeners must reload from the head. `snapToken`
   * is the head when the store noticed; deliveries continue after it.
   */
  | { readonly kind: 'reset'; readonly tenant: '*'; readonly snapToken: string };

/** A live row at a snapshot, as {@link Store.loadTenant} streams it to build an in-memory view. */
export type LoadedRow =
  | { readonly kind: 'tuple'; readonly tuple: Tuple; readonly createdToken: string }
  | { readonly kind: 'attribute'; readonly attribute: Attribute; readonly createdToken: string };

/** Paging of list and read calls. `continuousToken` is opaque; `''` means the first page / no more pages. */
export interface PageOptions {
  readonly pageSize?: number;
  readonly continuousToken?: string;
}

/** Options of {@link Store.readTuples} and {@link Store.readAttributes}. */
export interface ReadOptions extends PageOptions, IoOptions {
  /** Read exactly the state committed up to this token; the head when absent. */
  readonly snapToken?: string;
}

/**
 * A listener for commits; called in commit order. `previous`, when given, is the token of the commit delivered
 * just before this one: the store guarantees nothing was committed between `previous` and `change.snapToken`,
 * so a view whose head is `previous` may apply `change` directly, without reading it back.
 */
export type StoreListener = (change: StoreChange, previous?: string) => void;

/**
 * Options of the calls that do I/O. `signal` aborts the call: a durable store cancels its query or rolls back
 * its transaction and rejects with the signal's reason (an `AbortError` by default); a commit that already
 * committed is reported, not undone.
 */
export interface IoOptions {
  readonly signal?: AbortSignal;
}

/**
 * The storage contract of the engine. Implemented by `MemoryStore` (this package) and `PostgresStore`
 * (`@gatehouse/store-postgres`). All methods validate nothing about schemas (the engine does); they must keep
 * tenants apart: no call for tenant A reads or changes a row of tenant B.
 *
 * The default tenant (`t1` unless the store was configured otherwise) exists after {@link Store.open}.
 *
 * @example
 * ```ts
 * const store: Store = new MemoryStore();
 * await store.open();
 * await store.createTenant('acme', 'Acme');
 * const { snapToken } = await store.commit({ tenant: 'acme', createTuples: [parseTuple('document:1#owner@user:alice')] });
 * const { tuples } = await store.readTuples('acme', {}, { snapToken });
 * ```
 */
export interface Store {
  /**
   * Capability: a store that keeps its data in an in-memory view the engine can evaluate against directly
   * (the memory store: it is its own view) exposes that view here. The engine then follows nothing and answers
   * from it synchronously. A durable store leaves this `undefined`; the engine loads a separate view from it and
   * keeps that view current from {@link Store.subscribe}.
   */
  readonly memoryView?: MemoryStore | undefined;

  /** Prepares the store (migrations, the default tenant). Idempotent. */
  open(): Promise<void>;

  /** The token of the newest commit of the whole store (`'0'` when there is none). */
  headSnapToken(): Promise<string>;

  /**
   * Creates a tenant.
   * @returns the record and the token of the commit.
   * @throws {@link ConflictError} when a tenant with this id exists.
   */
  createTenant(id: string, name: string): Promise<{ tenant: TenantRecord; snapToken: string }>;

  /**
   * Deletes a tenant with all its tuples, attributes, schemas and history, in one transaction.
   * @throws {@link NotFoundError} when it does not exist.
   */
  deleteTenant(id: string): Promise<{ snapToken: string }>;

  /** The tenant, or `undefined`. */
  getTenant(id: string): Promise<TenantRecord | undefined>;

  /** Tenants ordered by id. */
  listTenants(options?: PageOptions): Promise<{ tenants: TenantRecord[]; continuousToken: string }>;

  /**
   * Stores a new schema version for a tenant (the text was compiled by the engine first).
   * @throws {@link NotFoundError} for an unknown tenant.
   */
  writeSchema(tenant: string, source: string): Promise<{ schema: SchemaRecord; snapToken: string }>;

  /** A schema version of the tenant's own (the head when `version` is absent), or `undefined`. No inheritance. */
  readSchema(tenant: string, version?: string): Promise<SchemaRecord | undefined>;

  /** The tenant's own schema versions, newest first, and the head version (`''` when it has none). */
  listSchemas(
    tenant: string,
    options?: PageOptions,
  ): Promise<{ head: string; schemas: { version: string; createdAt: string }[]; continuousToken: string }>;

  /**
   * Commits a write set atomically and returns its token and row changes. A write set that changes nothing
   * still commits (and gets a token), as in Permify.
   * @param options - `signal` aborts the transaction (rolled back; the call rejects with the signal's reason).
   * @throws {@link NotFoundError} for an unknown tenant.
   */
  commit(write: WriteSet, options?: IoOptions): Promise<CommitResult>;

  /** Tuples matching `filter` at `options.snapToken` (head when absent), in a stable order, paged. */
  readTuples(
    tenant: string,
    filter: TupleFilter,
    options?: ReadOptions,
  ): Promise<{ tuples: Tuple[]; continuousToken: string }>;

  /** Attributes matching `filter` at `options.snapToken` (head when absent), in a stable order, paged. */
  readAttributes(
    tenant: string,
    filter: AttributeFilter,
    options?: ReadOptions,
  ): Promise<{ attributes: Attribute[]; continuousToken: string }>;

  /** Streams every live tuple and attribute of a tenant at `snapToken` (head when absent), to build a view. */
  loadTenant(tenant: string, options?: { snapToken?: string } & IoOptions): AsyncIterable<LoadedRow>;

  /**
   * Every change committed after `snapToken`, in commit order (all tenants unless `options.tenant`), at most
   * `options.limit` of them (call again from the last token for more). Never a `reset` change.
   * @throws `HistoryGoneError` when changes after `snapToken` were collected (garbage collection,
   *   compaction): the answer would be incomplete, so there is none.
   */
  changesSince(snapToken: string, options?: { tenant?: string; limit?: number } & IoOptions): Promise<StoreChange[]>;

  /**
   * Calls `listener` for every commit, exactly once, in commit order, including commits of other processes
   * sharing a durable store (delivered some time after they commit); a process's own commits are delivered
   * before the call that made them resolves. Each delivery says which commit it follows (`previous`), so a view
   * applies it directly when it follows on from its head, and reads the gap with {@link Store.changesSince}
   * otherwise. When the store cannot deliver what follows its last delivery (history gone), it delivers a
   * `reset` change. Returns the unsubscribe function.
   */
  subscribe(listener: StoreListener): () => void;

  /** Releases connections and listeners. */
  close(): Promise<void>;
}
