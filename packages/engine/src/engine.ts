import { assertTenant, InvalidRequestError, parseAttribute, parseTuple } from '@gatehouse/core';
import type { Attribute, CheckRequest, Tuple } from '@gatehouse/core';

import type {
  DeleteRequest,
  EngineChange,
  EngineCheckRequest,
  EngineDecision,
  EngineOptions,
  ExpandRequest,
  ExpandTreeNode,
  ExplainNode,
  LookupEntityRequest,
  LookupSubjectRequest,
  ReadAttributesRequest,
  ReadRelationshipsRequest,
  SchemaRead,
  SubjectPermissionsEngineRequest,
  SubjectPermissionsEngineResult,
  WriteRequest,
} from './engine-types.js';
import { resolveBudget } from './eval/budget.js';
import type { StepMeter } from './eval/budget.js';
import { PageTokens } from './eval/page-token.js';
import { validateAttribute, validateTuple } from './facade/data-validation.js';
import { MAX_DEPTH, Queries } from './facade/queries.js';
import { SchemaCache } from './facade/schema-cache.js';
import { ViewFollower } from './facade/view-follower.js';
import { planRequest } from './query-plan/index.js';
import type { EnginePlan, PlanEngineRequest } from './query-plan/index.js';
import { compileRbac } from './rbac/index.js';
import { compileSchema, toPermifyDefinition } from './schema/index.js';
import type { CompiledSchema } from './schema/index.js';
import { HistoryGoneError } from './store/history-gone-error.js';
import { isEmptyAttributeFilter, isEmptyTupleFilter, MemoryStore } from './store/memory-store.js';
import { compareSnapTokens, formatSnapToken } from './store/snap-token.js';
import type { DataChange, PageOptions, Store, StoreChange, TenantRecord } from './store/store.js';

export { MAX_DEPTH };

/** At most this many tuples and attributes per write (Permify's `max_data_per_write`). */
export const MAX_WRITE_ITEMS = 1000;

/** The longest `freshnessTimeoutMs` an engine accepts (one minute). */
const MAX_FRESHNESS_TIMEOUT_MS = 60_000;

/**
 * The embedded policy decision point: Permify-compatible schemas, tenants, data with snap tokens, checks,
 * lookups, subject permissions, expand and explain. Checks run synchronously against an in-memory view; a
 * durable {@link Store} (PostgreSQL) is the system of record when given.
 *
 * @example
 * ```ts
 * const engine = await Engine.create({ schema: 'entity user {} entity document { relation owner @user permission edit = owner }' });
 * await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
 * const { allowed } = await engine.check({ tenant: 't1', subject: { type: 'user', id: 'alice' }, action: 'edit', resource: { type: 'document', id: '1' } });
 * ```
 */
export class Engine {
  /** The tenant that always exists (`t1`). */
  public readonly defaultTenant: string;
  private readonly schemas: SchemaCache;
  private readonly follower: ViewFollower;
  private readonly queries: Queries;
  private readonly watchers = new Set<(e: EngineChange) => void>();
  private closed = false;
  /** Steps of the requests before the latest one, and the latest one's meter. */
  private stepsBefore = 0;
  private lastMeter: StepMeter | undefined;
  /** The depth budget of plans (the engine's `maxDepth`). */
  private readonly planDepth: number;

  private constructor(
    private readonly store: Store,
    options: EngineOptions & { readonly defaultTenant: string },
  ) {
    this.defaultTenant = options.defaultTenant;
    this.schemas = new SchemaCache(this.defaultTenant);
    this.follower = new ViewFollower(store, {
      defaultTenant: this.defaultTenant,
      freshnessTimeoutMs: options.freshnessTimeoutMs ?? 5000,
      onChange: (c) => {
        this.emit(this.toEngineChange(c));
      },
      onReset: (head) => {
        this.emit({ tenant: '*', snapToken: head, kind: 'reset', changes: [] });
      },
    });
    this.planDepth = options.maxDepth ?? 20;
    this.queries = new Queries({
      view: () => this.follower.view,
      schemas: this.schemas,
      maxDepth: options.maxDepth ?? 20,
      budget: resolveBudget(options.budget),
      tokens: new PageTokens(options.pageTokenKey),
      onMeter: (meter) => {
        this.stepsBefore += this.lastMeter?.used ?? 0;
        this.lastMeter = meter;
      },
    });
  }

  /**
   * Creates an engine, loads the store into the in-memory view and writes the given schema to the default tenant
   * (unless it is already its head).
   * @param options - `schema` or `rbac` text, `store` (default a new `MemoryStore`), `defaultTenant` (`t1`),
   *   `maxDepth` (20), `freshnessTimeoutMs` (5000: how long a request with a snap token waits for the view),
   *   `budget` (the step budget and request-size limits, {@link DEFAULT_BUDGET}), `pageTokenKey` (signs lookup
   *   continuation tokens; shared by replicas that serve one walk).
   * @returns the engine, ready for checks.
   * @throws {@link SchemaParseError} / {@link SchemaCompileError} for a bad schema; {@link InvalidRequestError}
   *   for bad options.
   * @example
   * ```ts
   * const engine = await Engine.create({ schema: readFileSync('schema.perm', 'utf8') });
   * ```
   */
  public static async create(options: EngineOptions = {}): Promise<Engine> {
    const defaultTenant = assertTenant(options.defaultTenant ?? 't1');
    if (options.maxDepth !== undefined && (!Number.isInteger(options.maxDepth) || options.maxDepth < 0 || options.maxDepth > MAX_DEPTH)) {
      throw InvalidRequestError.badValue('options.maxDepth', options.maxDepth, `an integer from 0 to ${String(MAX_DEPTH)}`);
    }
    if (options.freshnessTimeoutMs !== undefined && (!Number.isInteger(options.freshnessTimeoutMs) || options.freshnessTimeoutMs < 0 || options.freshnessTimeoutMs > MAX_FRESHNESS_TIMEOUT_MS)) {
      throw InvalidRequestError.badValue('options.freshnessTimeoutMs', options.freshnessTimeoutMs, `an integer from 0 to ${String(MAX_FRESHNESS_TIMEOUT_MS)} (milliseconds)`);
    }
    resolveBudget(options.budget);
    if (options.pageTokenKey !== undefined && (typeof options.pageTokenKey !== 'string' || options.pageTokenKey.length < 16)) {
      throw InvalidRequestError.badValue('options.pageTokenKey', '(hidden)', 'a secret string of at least 16 characters');
    }
    if (options.schema !== undefined && options.rbac !== undefined) {
      throw InvalidRequestError.badValue('options', 'schema and rbac', 'either options.schema or options.rbac, not both');
    }
    const source = options.rbac === undefined ? options.schema : compileRbac(options.rbac);
    if (source !== undefined) compileSchema(source);
    const store = options.store ?? new MemoryStore({ defaultTenant });
    await store.open();
    const engine = new Engine(store, { ...options, defaultTenant });
    await engine.follower.start();
    if (source !== undefined && (await store.readSchema(defaultTenant))?.source !== source) {
      await engine.writeSchema(defaultTenant, source);
    }
    return engine;
  }

  // ---- tenants ----

  /**
   * Creates a tenant.
   * @throws {@link ConflictError} when it exists; {@link InvalidRequestError} for a bad id or the id `default`.
   */
  public async createTenant(id: string, options: { name?: string } = {}): Promise<TenantRecord> {
    assertTenant(id);
    if (id === 'default') throw InvalidRequestError.badValue('tenant id', id, 'an id other than "default" (reserved for the default tenant on the Permit API)');
    const { tenant, snapToken } = await this.store.createTenant(id, options.name ?? id);
    await this.follower.settle(snapToken);
    return tenant;
  }

  /**
   * Deletes a tenant and all its data.
   * @throws {@link NotFoundError} when unknown; {@link InvalidRequestError} for the default tenant.
   */
  public async deleteTenant(id: string): Promise<{ tenantId: string }> {
    this.tenant(id);
    if (id === this.defaultTenant) throw InvalidRequestError.badValue('tenant', id, 'a tenant other than the default tenant, which always exists');
    const { snapToken } = await this.store.deleteTenant(id);
    await this.follower.settle(snapToken);
    return { tenantId: id };
  }

  /**
   * One tenant's record, or `undefined` when it does not exist.
   * @throws {@link InvalidRequestError} for a malformed tenant id.
   */
  public async getTenant(id: string): Promise<TenantRecord | undefined> {
    assertTenant(id);
    return await this.store.getTenant(id);
  }

  /** Tenants ordered by id, paged. */
  public async listTenants(options: PageOptions = {}): Promise<{ tenants: TenantRecord[]; continuousToken: string }> {
    return await this.store.listTenants(options);
  }

  // ---- schemas ----

  /**
   * Compiles and stores a new schema version for a tenant.
   * @returns the new version and the snap token of its commit.
   * @throws {@link SchemaParseError} / {@link SchemaCompileError}; {@link NotFoundError} for an unknown tenant.
   */
  public async writeSchema(tenant: string, text: string): Promise<{ schemaVersion: string; snapToken: string }> {
    this.tenant(tenant);
    if (typeof text !== 'string') throw InvalidRequestError.badValue('schema', text, 'schema-language text');
    compileSchema(text);
    const { schema, snapToken } = await this.store.writeSchema(tenant, text);
    await this.follower.settle(snapToken);
    return { schemaVersion: schema.version, snapToken };
  }

  /** A schema version of the tenant (own, else inherited from the default tenant), with Permify's compiled JSON. */
  public async readSchema(tenant: string, options: { schemaVersion?: string } = {}): Promise<SchemaRead> {
    const { record, compiled } = this.schemas.resolve(this.follower.view, this.tenant(tenant), options.schemaVersion);
    return await Promise.resolve({ schemaVersion: record.version, source: record.source, definition: toPermifyDefinition(compiled) });
  }

  /** The tenant's own schema versions, newest first. */
  public async listSchemas(tenant: string, options: PageOptions = {}): Promise<{ head: string; schemas: { version: string; createdAt: string }[]; continuousToken: string }> {
    return await this.store.listSchemas(this.tenant(tenant), options);
  }

  // ---- data ----

  /**
   * Writes tuples and attributes, validated against the tenant's schema, all or nothing.
   * @param request - the tenant, tuples and attributes (string or object forms), and optionally the schema
   *   version to validate against.
   * @returns the snap token of the commit.
   * @example
   * ```ts
   * await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'], attributes: ['document:1$public|boolean:true'] });
   * ```
   * @throws {@link InvalidRequestError} for a malformed or schema-invalid item (nothing is written).
   */
  public async write(request: WriteRequest): Promise<{ snapToken: string }> {
    const tenant = this.tenant(request.tenant);
    const tuples = (request.tuples ?? []).map((t) => parseTuple(t));
    const attributes = (request.attributes ?? []).map((a) => parseAttribute(a));
    if (tuples.length + attributes.length > MAX_WRITE_ITEMS) {
      throw InvalidRequestError.badValue('write', `${String(tuples.length + attributes.length)} items`, `at most ${String(MAX_WRITE_ITEMS)} tuples and attributes per write`);
    }
    const { compiled } = this.schemas.resolve(this.follower.view, tenant, request.schemaVersion);
    for (const t of tuples) validateTuple(compiled, t);
    const byKey = new Map<string, Attribute>();
    for (const a of attributes) byKey.set(`${a.entity.type}:${a.entity.id}$${a.attribute}`, validateAttribute(compiled, a));
    const { snapToken } = await this.store.commit({ tenant, createTuples: tuples, writeAttributes: [...byKey.values()] });
    await this.follower.settle(snapToken);
    return { snapToken };
  }

  /**
   * Deletes exact tuples and everything matching the filters (empty fields are wildcards).
   * @param request - the tenant, exact tuples, a tuple filter and/or an attribute filter.
   * @returns the snap token of the commit.
   * @example
   * ```ts
   * await engine.delete({ tenant: 'acme', tupleFilter: { subject: { type: 'user', ids: ['alice'] } } });
   * ```
   * @throws {@link InvalidRequestError} when nothing to delete is given.
   */
  public async delete(request: DeleteRequest): Promise<{ snapToken: string }> {
    const tenant = this.tenant(request.tenant);
    const tuples = (request.tuples ?? []).map((t) => parseTuple(t));
    const tupleFilter = request.tupleFilter !== undefined && !isEmptyTupleFilter(request.tupleFilter) ? request.tupleFilter : undefined;
    const attributeFilter = request.attributeFilter !== undefined && !isEmptyAttributeFilter(request.attributeFilter) ? request.attributeFilter : undefined;
    if (tuples.length === 0 && tupleFilter === undefined && attributeFilter === undefined) {
      throw InvalidRequestError.badValue('delete', request, 'tuples, a tuple filter or an attribute filter with at least one field set');
    }
    const { snapToken } = await this.store.commit({
      tenant,
      deleteTuples: tuples,
      ...(tupleFilter === undefined ? {} : { tupleFilter }),
      ...(attributeFilter === undefined ? {} : { attributeFilter }),
    });
    await this.follower.settle(snapToken);
    return { snapToken };
  }

  /** Tuples matching a filter, at a snap token (head when absent), paged. */
  public async readRelationships(request: ReadRelationshipsRequest): Promise<{ tuples: Tuple[]; continuousToken: string }> {
    await this.follower.fresh(request.snapToken, request.tenant);
    return await this.store.readTuples(this.tenant(request.tenant), request.filter ?? {}, pick(request));
  }

  /** Attributes matching a filter, at a snap token (head when absent), paged. */
  public async readAttributes(request: ReadAttributesRequest): Promise<{ attributes: Attribute[]; continuousToken: string }> {
    await this.follower.fresh(request.snapToken, request.tenant);
    return await this.store.readAttributes(this.tenant(request.tenant), request.filter ?? {}, pick(request));
  }

  // ---- checks ----

  /**
   * Checks whether the subject may do the action on the resource (a type-level check when it has no id).
   * @param request - tenant, subject, action, resource, and optionally context, consistency, depth, schema version.
   * @example
   * ```ts
   * const { allowed } = await engine.check({ tenant: 'acme', subject: { type: 'user', id: 'alice' }, action: 'edit', resource: { type: 'document', id: '1' } });
   * ```
   * @returns the decision with reason `allowed` or `denied`, the head snap token and the number of sub-checks.
   * @throws {@link DepthExceededError}, {@link EvaluationError}, {@link InvalidRequestError}, {@link NotFoundError};
   *   {@link SnapTokenAheadError} when `consistency.atLeastAsFresh` is a token the view has not applied and does
   *   not reach within `freshnessTimeoutMs` (at once with the memory store): never a decision from an older view.
   */
  public async check(request: EngineCheckRequest): Promise<EngineDecision> {
    await this.follower.fresh(request.consistency?.atLeastAsFresh, request.tenant);
    return this.checkSync(request);
  }

  /** {@link Engine.check} without waiting for freshness. @internal */
  public checkSync(request: EngineCheckRequest): EngineDecision {
    return this.queries.check(request);
  }

  /**
   * Several checks; results in request order. A failing item rejects the whole call. The checks share one step
   * budget (docs/budgets.md): a batch may not cost more than one request.
   */
  public async checkMany(requests: readonly EngineCheckRequest[]): Promise<EngineDecision[]> {
    for (const r of requests) await this.follower.fresh(r.consistency?.atLeastAsFresh, r.tenant);
    return this.queries.checkMany(requests);
  }

  /**
   * Ids of `entityType` on which the subject has `permission` (including entities only an attribute or a rule
   * makes visible), sorted, paged.
   */
  public async lookupEntity(request: LookupEntityRequest): Promise<{ ids: string[]; continuousToken: string }> {
    await this.follower.fresh(request.snapToken, request.tenant);
    // A later page reads at the snapshot its walk began at: this view must hold it (a replica may lag).
    await this.follower.fresh(PageTokens.peekSnap(request.continuousToken), request.tenant);
    return this.queries.lookupEntity(request);
  }

  /**
   * The query plan of `permission` on every entity of `entityType` for the subject: `always`, `never`, or a
   * condition on the application's rows — relations as id sets, the type's own attributes (boolean leaves, rules
   * the translator covers) as conditions on the row's columns, everything else as ids computed from stored data
   * (docs/data-filtering.md). Pinned to, and returned with, the snap token it was computed at.
   * @throws {@link InvalidRequestError}, {@link NotFoundError}, and the evaluation's errors as a check would.
   * @example
   * ```ts
   * const plan = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'view', entityType: 'document' });
   * // { kind: 'conditional', condition: { or: [{ field: 'id', in: ['1'] }, { field: 'public', eq: true }] }, snapToken: '3' }
   * ```
   */
  public async plan(request: PlanEngineRequest): Promise<EnginePlan> {
    await this.follower.fresh(request.snapToken, request.tenant);
    const view = this.follower.view;
    const tenant = this.tenant(request.tenant);
    const { plan } = this.schemas.resolve(view, tenant, request.schemaVersion);
    const subject = request.subject;
    const meter = this.queries.meter(tenant, request.context, typeof subject === 'string' ? undefined : subject.attributes);
    return planRequest({ view, tenant, schema: plan, maxDepth: this.planDepth, meter }, request);
  }

  /** Ids of subjects of `subjectReference.type` (with its relation) that have `permission` on the entity. */
  public async lookupSubject(request: LookupSubjectRequest): Promise<{ ids: string[]; continuousToken: string }> {
    await this.follower.fresh(request.snapToken, request.tenant);
    // A later page reads at the snapshot its walk began at: this view must hold it (a replica may lag).
    await this.follower.fresh(PageTokens.peekSnap(request.continuousToken), request.tenant);
    return this.queries.lookupSubject(request);
  }

  /**
   * Every permission (and relation, unless `onlyPermission`) of the entity for the subject, in one pass.
   *
   * By default (`onError: 'reject'`) a permission that fails to evaluate fails the whole call, as in Permify (the
   * PDP server's Permify-shaped route relies on it). With `onError: 'deny'` each permission fails closed on its
   * own: when evaluating one throws (a rule reads a `context.data` key the request did not send, a rule's regular
   * expression is rejected, the depth budget runs out) it is `false` and `errors[name]` says why, while the others
   * are still answered — so a CASL ability can be built from the rest ({@link EmbeddedPdp} asks this way).
   * @returns `permissions` (name → allowed) and, with `onError: 'deny'` when any failed, `errors` (name → message).
   * @throws {@link InvalidRequestError} for a bad subject, entity or token; {@link NotFoundError} for an unknown
   *   tenant, entity type or schema version; {@link SnapTokenAheadError} (durable stores); with `onError:
   *   'reject'`, the first permission's {@link EvaluationError} or {@link DepthExceededError}.
   * @example
   * ```ts
   * const { permissions, errors } = await engine.subjectPermissions({
   *   tenant: 't1', entity: { type: 'document', id: '1' }, subject: { type: 'user', id: 'alice' }, onError: 'deny',
   * });
   * // permissions: { edit: true, view: true, approve: false }, errors: { approve: 'rule "within" failed: …amount…' }
   * ```
   */
  public async subjectPermissions(request: SubjectPermissionsEngineRequest): Promise<SubjectPermissionsEngineResult> {
    await this.follower.fresh(request.snapToken, request.tenant);
    return this.queries.subjectPermissions(request);
  }

  /** Permify's expand tree of who holds `permission` on the entity. */
  public async expand(request: ExpandRequest): Promise<{ tree: ExpandTreeNode }> {
    await this.follower.fresh(request.snapToken, request.tenant);
    return this.queries.expand(request);
  }

  /**
   * The decision and the tree of why: which branch, tuple or attribute decided. Where the depth limit cut a path the
   * tree has a `kind: 'depth'` node and `depthExceeded` is true: the check itself would fail (`DepthExceededError`,
   * a fail-closed denial through the client), so `allowed` is then false. `schema` is the compiled schema version the
   * tree was evaluated against (to name the operands a short-circuit skipped).
   */
  public async explain(
    request: EngineCheckRequest,
  ): Promise<{ allowed: boolean; tree: ExplainNode; depthExceeded: boolean; schema: CompiledSchema }> {
    await this.follower.fresh(request.consistency?.atLeastAsFresh, request.tenant);
    return this.queries.explain(request);
  }

  // ---- changes ----

  /** Calls `listener` synchronously, in commit order, for every commit. Returns the unsubscribe function. */
  public watch(listener: (e: EngineChange) => void): () => void {
    this.watchers.add(listener);
    return () => {
      this.watchers.delete(listener);
    };
  }

  /**
   * The changes of a tenant committed after `snapToken` (and inherited schema changes as `'*'`). When the store no
   * longer has all of them (its history was collected), the answer is one `reset` change for the tenant at the
   * head: whoever resumes from such an old token must drop what it derived from the tenant's data.
   */
  public async changesSince(tenant: string, snapToken: string): Promise<EngineChange[]> {
    this.tenant(tenant);
    try {
      const own = await this.store.changesSince(snapToken, { tenant });
      const inherited = tenant === this.defaultTenant ? [] : (await this.store.changesSince(snapToken, { tenant: this.defaultTenant })).filter((c) => c.kind === 'schema');
      return [...own, ...inherited].sort((a, b) => compareSnapTokens(a.snapToken, b.snapToken)).map((c) => this.toEngineChange(c));
    } catch (err) {
      if (!(err instanceof HistoryGoneError)) throw err;
      return [{ tenant, snapToken: formatSnapToken(this.follower.view.head), kind: 'reset', changes: [] }];
    }
  }

  /**
   * Counters since the engine was created: of the compiled-schema cache (each schema version is compiled once,
   * then served from the cache), `schemaCompilations` (misses) and `schemaCacheHits`; and `evaluationSteps`, the
   * steps every evaluation request took (the unit of the step budget, docs/budgets.md), with `lastRequestSteps`
   * those of the latest one. The PDP server exports the schema counters on `/metrics`.
   * @example
   * ```ts
   * const { schemaCompilations, schemaCacheHits, evaluationSteps } = engine.stats();
   * ```
   */
  public stats(): { readonly schemaCompilations: number; readonly schemaCacheHits: number; readonly evaluationSteps: number; readonly lastRequestSteps: number } {
    const last = this.lastMeter?.used ?? 0;
    return { ...this.schemas.stats(), evaluationSteps: this.stepsBefore + last, lastRequestSteps: last };
  }

  /** The newest snap token of the engine (tokens are one sequence across tenants). */
  public headSnapToken(tenant: string): string {
    this.tenant(tenant);
    return formatSnapToken(this.follower.view.head);
  }

  /** Stops listening to the store and closes it. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchers.clear();
    await this.follower.close();
    await this.store.close();
  }

  // ---- internals ----

  private tenant(tenant: string): string {
    return this.queries.tenant(tenant);
  }

  private toEngineChange(c: StoreChange): EngineChange {
    switch (c.kind) {
      case 'data':
        return { tenant: c.tenant, snapToken: c.snapToken, kind: 'data', changes: c.changes };
      case 'schema':
        return { tenant: c.tenant === this.defaultTenant ? '*' : c.tenant, snapToken: c.snapToken, kind: 'schema', changes: [] };
      case 'tenant':
        return { tenant: c.tenant, snapToken: c.snapToken, kind: 'tenant', changes: [] };
      case 'reset':
        return { tenant: '*', snapToken: c.snapToken, kind: 'reset', changes: [] };
    }
  }

  private emit(e: EngineChange): void {
    for (const w of [...this.watchers]) {
      try {
        w(e);
      } catch {
        // A failing listener must not break the commit path of everyone else.
      }
    }
  }
}

function pick(r: { snapToken?: string; pageSize?: number; continuousToken?: string }): { snapToken?: string; pageSize?: number; continuousToken?: string } {
  return {
    ...(r.snapToken === undefined ? {} : { snapToken: r.snapToken }),
    ...(r.pageSize === undefined ? {} : { pageSize: r.pageSize }),
    ...(r.continuousToken === undefined ? {} : { continuousToken: r.continuousToken }),
  };
}

export type { DataChange };
export type { CheckRequest };
