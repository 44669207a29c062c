import {
  assertTenant,
  DepthExceededError,
  EvaluationError,
  InvalidRequestError,
  NAME_PATTERN,
  NotFoundError,
  parseAttribute,
  parseResource,
  parseSubject,
  parseTuple,
} from '@gatehouse/core';
import type { Attribute, CheckRequest, Resource, Subject, Tuple } from '@gatehouse/core';

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
import { Evaluation } from './eval/evaluation.js';
import { expandMember } from './eval/expand.js';
import { candidates, decodePageToken, grantsWithoutTuples, page, reachableFrom } from './eval/lookup.js';
import { planSchema } from './eval/plan.js';
import type { EntityPlan, SchemaPlan } from './eval/plan.js';
import { compileRbac } from './rbac/index.js';
import { compileSchema, toPermifyDefinition } from './schema/index.js';
import type { AttributeType, CompiledSchema } from './schema/index.js';
import { HistoryGoneError } from './store/history-gone-error.js';
import { inferType, isEmptyAttributeFilter, isEmptyTupleFilter, MemoryStore } from './store/memory-store.js';
import { SnapTokenAheadError } from './store/snap-token-ahead-error.js';
import type { DataChange, PageOptions, SchemaRecord, Store, StoreChange, TenantRecord } from './store/store.js';

/** The largest depth budget a request or engine may ask for. */
export const MAX_DEPTH = 10_000;

/** At most this many tuples and attributes per write (Permify's `max_data_per_write`). */
export const MAX_WRITE_ITEMS = 1000;

/** The longest `freshnessTimeoutMs` an engine accepts (one minute). */
const MAX_FRESHNESS_TIMEOUT_MS = 60_000;

/** A request waiting for the view to apply a token. */
interface Waiter {
  readonly token: number;
  readonly resolve: () => void;
}

interface Compiled {
  readonly compiled: CompiledSchema;
  readonly plan: SchemaPlan;
}

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
  private readonly maxDepth: number;
  private readonly freshnessTimeoutMs: number;
  private readonly compiledCache = new WeakMap<SchemaRecord, Compiled>();
  private schemaCompilations = 0;
  private schemaCacheHits = 0;
  private readonly watchers = new Set<(e: EngineChange) => void>();
  private readonly waiters = new Set<Waiter>();
  private readonly unsubscribe: () => void;
  /** Serialises catch-ups and reloads of the view (durable stores). */
  private catchingUp: Promise<void> = Promise.resolve();
  /** While the view is being (re)loaded, deliveries are left to the catch-up that ends the load. */
  private loading: boolean;
  private closed = false;

  private constructor(
    private readonly store: Store,
    private view: MemoryStore,
    options: EngineOptions,
  ) {
    this.defaultTenant = options.defaultTenant ?? 't1';
    this.maxDepth = options.maxDepth ?? 20;
    this.freshnessTimeoutMs = options.freshnessTimeoutMs ?? 5000;
    this.loading = view !== store;
    if (view === store) {
      this.unsubscribe = store.subscribe((c) => {
        this.emit(c);
      });
    } else {
      // A durable store delivers every commit (ours or another process's) once, in commit order, saying which
      // commit it follows: one that follows on from the view's head is applied as delivered; after a gap the
      // view reads the missing changes back from the store.
      this.unsubscribe = store.subscribe((c, previous) => {
        this.delivered(c, previous);
      });
    }
  }

  /**
   * Creates an engine, loads the store into the in-memory view and writes the given schema to the default tenant
   * (unless it is already its head).
   * @param options - `schema` or `rbac` text, `store` (default a new `MemoryStore`), `defaultTenant` (`t1`),
   *   `maxDepth` (20), `freshnessTimeoutMs` (5000: how long a request with a snap token waits for the view).
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
    if (options.schema !== undefined && options.rbac !== undefined) {
      throw InvalidRequestError.badValue('options', 'schema and rbac', 'either options.schema or options.rbac, not both');
    }
    const source = options.rbac === undefined ? options.schema : compileRbac(options.rbac);
    if (source !== undefined) compileSchema(source);
    const store = options.store ?? new MemoryStore({ defaultTenant });
    await store.open();
    const view = store instanceof MemoryStore ? store : new MemoryStore({ defaultTenant });
    const engine = new Engine(store, view, { ...options, defaultTenant });
    if (view !== store) await engine.load();
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
    await this.settle(snapToken);
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
    await this.settle(snapToken);
    return { tenantId: id };
  }

  /** Tenants ordered by id, paged. */
  public async listTenants(options: PageOptions = {}): Promise<{ tenants: TenantRecord[]; continuousToken: string }> {
    return await this.store.listTenants(options);
  }

  // ---- schemas ----

  /**
   * Compiles and stores a new schema version for a tenant.
   * @throws {@link SchemaParseError} / {@link SchemaCompileError}; {@link NotFoundError} for an unknown tenant.
   */
  public async writeSchema(tenant: string, text: string): Promise<{ schemaVersion: string }> {
    this.tenant(tenant);
    if (typeof text !== 'string') throw InvalidRequestError.badValue('schema', text, 'schema-language text');
    compileSchema(text);
    const { schema, snapToken } = await this.store.writeSchema(tenant, text);
    await this.settle(snapToken);
    return { schemaVersion: schema.version };
  }

  /** A schema version of the tenant (own, else inherited from the default tenant), with Permify's compiled JSON. */
  public async readSchema(tenant: string, options: { schemaVersion?: string } = {}): Promise<SchemaRead> {
    const { record, compiled } = this.schemaFor(this.tenant(tenant), options.schemaVersion);
    return await Promise.resolve({ schemaVersion: record.version, source: record.source, definition: toPermifyDefinition(compiled.compiled) });
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
    const { compiled } = this.schemaFor(tenant, request.schemaVersion);
    for (const t of tuples) validateTuple(compiled.compiled, t);
    const byKey = new Map<string, Attribute>();
    for (const a of attributes) byKey.set(`${a.entity.type}:${a.entity.id}$${a.attribute}`, validateAttribute(compiled.compiled, a));
    const { snapToken } = await this.store.commit({ tenant, createTuples: tuples, writeAttributes: [...byKey.values()] });
    await this.settle(snapToken);
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
    await this.settle(snapToken);
    return { snapToken };
  }

  /** Tuples matching a filter, at a snap token (head when absent), paged. */
  public async readRelationships(request: ReadRelationshipsRequest): Promise<{ tuples: Tuple[]; continuousToken: string }> {
    await this.fresh(request.snapToken, request.tenant);
    return await this.store.readTuples(this.tenant(request.tenant), request.filter ?? {}, pick(request));
  }

  /** Attributes matching a filter, at a snap token (head when absent), paged. */
  public async readAttributes(request: ReadAttributesRequest): Promise<{ attributes: Attribute[]; continuousToken: string }> {
    await this.fresh(request.snapToken, request.tenant);
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
    await this.fresh(request.consistency?.atLeastAsFresh, request.tenant);
    return this.checkSync(request);
  }

  /** {@link Engine.check} without waiting for freshness. @internal */
  public checkSync(request: EngineCheckRequest): EngineDecision {
    const tenant = this.tenant(request.tenant);
    const subject = parseSubject(request.subject);
    const resource = parseResource(request.resource);
    const action = name('action', request.action);
    const { plan } = this.schemaFor(tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const ev = this.evaluation(tenant, plan, subject, resource, request.context, request.depth);
    const allowed = resource.id === undefined ? ev.checkType(entity, action) : ev.check(ev.resolve(resource.type, resource.id), entity, action);
    return { allowed, reason: allowed ? 'allowed' : 'denied', snapToken: String(this.view.head), checkCount: ev.checkCount };
  }

  /** Several checks; results in request order. A failing item rejects the whole call. */
  public async checkMany(requests: readonly EngineCheckRequest[]): Promise<EngineDecision[]> {
    for (const r of requests) await this.fresh(r.consistency?.atLeastAsFresh, r.tenant);
    return requests.map((r) => this.checkSync(r));
  }

  /**
   * Ids of `entityType` on which the subject has `permission` (including entities only an attribute or a rule
   * makes visible), sorted, paged.
   */
  public async lookupEntity(request: LookupEntityRequest): Promise<{ ids: string[]; continuousToken: string }> {
    await this.fresh(request.snapToken, request.tenant);
    const after = decodePageToken(request.continuousToken);
    const tenant = this.tenant(request.tenant);
    const subject = parseSubject(request.subject);
    const type = name('entity type', request.entityType);
    const permission = name('permission', request.permission);
    const { plan } = this.schemaFor(tenant, request.schemaVersion);
    const entity = entityPlan(plan, type, tenant);
    if (!entity.members.has(permission)) throw new NotFoundError(`entity "${type}" has no permission, relation or attribute named "${permission}"`, { tenant });
    const ev = this.evaluation(tenant, plan, subject, undefined, request.context, request.depth);
    const extra = this.contextNodes(ev, request.context);
    if (subject.type === type) extra.push(ev.sNode);
    const scope = request.scope?.[type];
    const allow = scope === undefined ? undefined : new Set(scope);
    const typeId = this.view.findName(type);
    // Without attribute, rule or tenant grants, only entities reachable backwards from the subject can match.
    // Contextual tuples may link the subject to stored entities, so they also take the full scan.
    const scan = grantsWithoutTuples(ev, entity, permission) || (request.context?.tuples?.length ?? 0) > 0;
    const nodes = scan ? candidates(ev, type, typeId, extra) : [...reachableFrom(ev, ev.sNode, ev.sRel, typeId), ...candidates(ev, type, -1, extra)];
    if (!scan && ev.sNode >= 0 && subject.type === type) nodes.push(ev.sNode);
    const ids: string[] = [];
    for (const node of new Set(nodes)) {
      const id = ev.idOf(node);
      if (allow !== undefined && !allow.has(id)) continue;
      if (ev.check(node, entity, permission)) ids.push(id);
    }
    return page(ids, request.pageSize, after);
  }

  /** Ids of subjects of `subjectReference.type` (with its relation) that have `permission` on the entity. */
  public async lookupSubject(request: LookupSubjectRequest): Promise<{ ids: string[]; continuousToken: string }> {
    await this.fresh(request.snapToken, request.tenant);
    const after = decodePageToken(request.continuousToken);
    const tenant = this.tenant(request.tenant);
    const resource = parseResource(request.entity);
    if (resource.id === undefined) throw InvalidRequestError.badValue('entity', request.entity, 'an entity with an id');
    const type = name('subject type', request.subjectReference.type);
    const relation = request.subjectReference.relation ? name('subject relation', request.subjectReference.relation) : undefined;
    const permission = name('permission', request.permission);
    const { plan } = this.schemaFor(tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const probe = this.evaluation(tenant, plan, { type, id: '*' }, resource, request.context, request.depth);
    probe.member(entity, permission);
    const ids: string[] = [];
    for (const node of candidates(probe, type, this.view.findName(type), this.contextNodes(probe, request.context))) {
      const id = probe.idOf(node);
      const subject: Subject = relation === undefined ? { type, id } : { type, id, relation };
      const ev = this.evaluation(tenant, plan, subject, resource, request.context, request.depth);
      if (ev.check(ev.resolve(resource.type, resource.id), entity, permission)) ids.push(id);
    }
    return page(ids, request.pageSize, after);
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
    await this.fresh(request.snapToken, request.tenant);
    const tenant = this.tenant(request.tenant);
    const subject = parseSubject(request.subject);
    const resource = parseResource(request.entity);
    const { plan } = this.schemaFor(tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const ev = this.evaluation(tenant, plan, subject, resource, request.context, request.depth);
    const node = resource.id === undefined ? 0 : ev.resolve(resource.type, resource.id);
    const permissions: Record<string, boolean> = {};
    let errors: Record<string, string> | undefined;
    for (const m of entity.members.values()) {
      if (m.kind === 'attribute' || (m.kind === 'relation' && (m.implicit || request.onlyPermission === true))) continue;
      try {
        permissions[m.name] = resource.id === undefined ? ev.checkType(entity, m.name) : ev.check(node, entity, m.name);
      } catch (err) {
        if (request.onError !== 'deny' || !(err instanceof EvaluationError || err instanceof DepthExceededError)) throw err;
        permissions[m.name] = false;
        (errors ??= {})[m.name] = err.message;
      }
    }
    return errors === undefined ? { permissions } : { permissions, errors };
  }

  /** Permify's expand tree of who holds `permission` on the entity. */
  public async expand(request: ExpandRequest): Promise<{ tree: ExpandTreeNode }> {
    await this.fresh(request.snapToken, request.tenant);
    const tenant = this.tenant(request.tenant);
    const resource = parseResource(request.entity);
    if (resource.id === undefined) throw InvalidRequestError.badValue('entity', request.entity, 'an entity with an id');
    const { plan } = this.schemaFor(tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const ev = this.evaluation(tenant, plan, { type: resource.type, id: resource.id, relation: '' }, resource, request.context, undefined);
    const node = ev.resolve(resource.type, resource.id);
    const member = ev.member(entity, name('permission', request.permission));
    try {
      return { tree: expandMember(ev, node, entity, member) };
    } catch (err) {
      throw ev.stackSafe(err);
    }
  }

  /** The decision and the tree of why: which branch, tuple or attribute decided. */
  public async explain(request: EngineCheckRequest): Promise<{ allowed: boolean; tree: ExplainNode }> {
    await this.fresh(request.consistency?.atLeastAsFresh, request.tenant);
    const tenant = this.tenant(request.tenant);
    const subject = parseSubject(request.subject);
    const resource = parseResource(request.resource);
    const action = name('action', request.action);
    const { plan } = this.schemaFor(tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const ev = this.evaluation(tenant, plan, subject, resource, request.context, request.depth);
    const tree = resource.id === undefined ? ev.explainType(entity, action) : ev.explain(ev.resolve(resource.type, resource.id), entity, action);
    return { allowed: tree.allowed, tree };
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
      return [...own, ...inherited].sort((a, b) => Number(a.snapToken) - Number(b.snapToken)).map((c) => this.toEngineChange(c));
    } catch (err) {
      if (!(err instanceof HistoryGoneError)) throw err;
      return [{ tenant, snapToken: String(this.view.head), kind: 'reset', changes: [] }];
    }
  }

  /** The newest snap token of the engine (tokens are one sequence across tenants). */
  /**
   * Counters of the compiled-schema cache (each schema version is compiled once, then served from the cache):
   * `schemaCompilations` (misses) and `schemaCacheHits` since the engine was created. The PDP server exports them
   * on `/metrics`.
   * @example
   * ```ts
   * const { schemaCompilations, schemaCacheHits } = engine.stats();
   * ```
   */
  public stats(): { readonly schemaCompilations: number; readonly schemaCacheHits: number } {
    return { schemaCompilations: this.schemaCompilations, schemaCacheHits: this.schemaCacheHits };
  }

  public headSnapToken(tenant: string): string {
    this.tenant(tenant);
    return String(this.view.head);
  }

  /** Stops listening to the store and closes it. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.watchers.clear();
    for (const w of [...this.waiters]) w.resolve();
    await this.catchingUp.catch(() => undefined);
    await this.store.close();
  }

  // ---- internals ----

  private tenant(tenant: string): string {
    assertTenant(tenant);
    if (!this.view.hasTenant(tenant)) throw new NotFoundError(`tenant ${JSON.stringify(tenant)} does not exist`, { tenant });
    return tenant;
  }

  private schemaFor(tenant: string, version: string | undefined): { record: SchemaRecord; compiled: Compiled; plan: SchemaPlan } {
    const own = this.view.schemasOf(tenant);
    const inherited = own.length === 0 ? this.view.schemasOf(this.defaultTenant) : own;
    const record = version === undefined || version === '' ? inherited.at(-1) : inherited.find((s) => s.version === version);
    if (record === undefined) {
      throw new NotFoundError(
        version ? `schema version ${JSON.stringify(version)} does not exist in tenant ${JSON.stringify(tenant)}` : `tenant ${JSON.stringify(tenant)} has no schema`,
        { tenant },
      );
    }
    let compiled = this.compiledCache.get(record);
    if (compiled === undefined) {
      const schema = compileSchema(record.source);
      compiled = { compiled: schema, plan: planSchema(schema, this.view) };
      this.compiledCache.set(record, compiled);
      this.schemaCompilations++;
    } else {
      this.schemaCacheHits++;
    }
    return { record, compiled, plan: compiled.plan };
  }

  private input(tenant: string, plan: SchemaPlan, subject: Subject, resource: Resource | undefined, context: EngineCheckRequest['context']): ConstructorParameters<typeof Evaluation>[0] {
    const data = this.view.tenantData(tenant);
    if (data === undefined) throw new NotFoundError(`tenant ${JSON.stringify(tenant)} does not exist`, { tenant });
    const extra: { type: string; id: string; values: Readonly<Record<string, unknown>> }[] = [];
    if (subject.attributes !== undefined) extra.push({ type: subject.type, id: subject.id, values: subject.attributes });
    if (resource?.attributes !== undefined && resource.id !== undefined) extra.push({ type: resource.type, id: resource.id, values: resource.attributes });
    return { plan, store: this.view, data, tenant, at: this.view.head, subject, context, extraAttributes: extra, maxDepth: this.maxDepth };
  }

  private evaluation(tenant: string, plan: SchemaPlan, subject: Subject, resource: Resource | undefined, context: EngineCheckRequest['context'], depth: number | undefined): Evaluation {
    if (depth !== undefined && (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH)) {
      throw InvalidRequestError.badValue('depth', depth, `an integer from 0 to ${String(MAX_DEPTH)}`);
    }
    const input = this.input(tenant, plan, subject, resource, context);
    return new Evaluation(depth === undefined ? input : { ...input, maxDepth: depth });
  }

  private contextNodes(ev: Evaluation, context: EngineCheckRequest['context']): number[] {
    const out: number[] = [];
    for (const raw of context?.tuples ?? []) {
      const t = parseTuple(raw);
      out.push(ev.resolve(t.entity.type, t.entity.id), ev.resolve(t.subject.type, t.subject.id));
    }
    for (const raw of context?.attributes ?? []) {
      const a = parseAttribute(raw);
      out.push(ev.resolve(a.entity.type, a.entity.id));
    }
    return out;
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

  private emit(c: StoreChange): void {
    const e = this.toEngineChange(c);
    for (const w of [...this.watchers]) {
      try {
        w(e);
      } catch {
        // A failing listener must not break the commit path of everyone else.
      }
    }
  }

  /** Waits until the view holds `token` (durable stores); a no-op for the memory store. */
  private async settle(token: string): Promise<void> {
    // The store delivers its own commits before `commit()` resolves, so this is normally done already.
    if (this.view === this.store || Number(token) <= this.view.head) return;
    await this.catchUp();
  }

  /**
   * Makes the view at least as fresh as `token` before a read: at once when it is; with the memory store a
   * newer token cannot come from anywhere else, so it is invalid input at once; with a durable store, catch up
   * from the store and wait (for another replica's commit the notice may not have arrived yet) until the deadline.
   * @throws {@link InvalidRequestError} for a token that is not a decimal snap token, or (memory store) one ahead
   *   of the head; {@link SnapTokenAheadError} when a durable store's view does not reach it in time.
   */
  private async fresh(token: unknown, tenant: string): Promise<void> {
    if (token === undefined || token === '') return;
    if (typeof token !== 'string' || !/^\d{1,16}$/.test(token)) {
      throw InvalidRequestError.badValue('snap token', token, 'a snap token returned by a write or a read of this engine: a decimal integer string (or "" for the latest)');
    }
    const want = Number(token);
    if (want <= this.view.head) return;
    if (this.view === this.store) {
      // Nothing else writes to this engine's memory store, so this token was never issued here.
      throw InvalidRequestError.badValue('snap token', token, `a snap token this engine issued (its latest is "${String(this.view.head)}")`);
    }
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waiter: Waiter | undefined;
    const reached = new Promise<boolean>((resolve) => {
      waiter = { token: want, resolve: () => { resolve(true); } };
      this.waiters.add(waiter);
      timer = setTimeout(() => { resolve(false); }, this.freshnessTimeoutMs);
    });
    // The token may be committed already with its notice still on the way: read it from the store. A store that
    // fails to answer fails the request at once (with its error) rather than at the deadline.
    let failure: unknown;
    this.catchUp().then(
      () => { this.wakeWaiters(); },
      (err: unknown) => {
        failure = err;
        waiter?.resolve();
      },
    );
    const ok = await reached;
    clearTimeout(timer);
    if (waiter !== undefined) this.waiters.delete(waiter);
    if (failure !== undefined && this.view.head < want) throw failure instanceof Error ? failure : new Error('catching up from the store failed', { cause: failure });
    // Also when the engine closed meanwhile: never an answer from a view older than the token.
    if (!ok || this.view.head < want) {
      throw new SnapTokenAheadError(token, String(this.view.head), Math.max(1, Math.round(performance.now() - started)), tenant);
    }
  }

  private wakeWaiters(): void {
    const head = this.view.head;
    for (const w of this.waiters) if (w.token <= head) w.resolve();
  }

  /** A delivery of the store's feed (durable stores). */
  private delivered(c: StoreChange, previous: string | undefined): void {
    if (this.closed) return;
    if (c.kind === 'reset') {
      void this.reload().catch(() => undefined);
      return;
    }
    // The load (or reload) ends with a catch-up that reads whatever is delivered meanwhile.
    if (this.loading) return;
    const head = this.view.head;
    if (Number(c.snapToken) <= head) return;
    if (previous !== undefined && Number(previous) === head) {
      this.view.apply(c);
      this.emit(c);
      if (this.waiters.size > 0) this.wakeWaiters();
      return;
    }
    void this.catchUp().catch(() => undefined);
  }

  /** Applies the store's changes after the view's head, in commit order (serialised with reloads). */
  private catchUp(): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        await this.pull();
      } catch (err) {
        if (!(err instanceof HistoryGoneError)) throw err;
        await this.reloadNow();
      }
    };
    this.catchingUp = this.catchingUp.then(run, run);
    return this.catchingUp;
  }

  private async pull(): Promise<void> {
    for (;;) {
      const before = this.view.head;
      const changes = await this.store.changesSince(String(before), { limit: 1000 });
      if (changes.length === 0) return;
      for (const c of changes) {
        if (c.kind === 'reset' || Number(c.snapToken) <= this.view.head) continue;
        this.view.apply(c);
        this.emit(c);
      }
      if (this.waiters.size > 0) this.wakeWaiters();
      // A store that answers with nothing newer must not spin us forever.
      if (this.view.head === before) return;
    }
  }

  /**
   * The store no longer has the changes after the view's head: build a new view from the store's head, swap it
   * in, and tell every watcher to drop what it derived from the old one (`'*'`, `reset`).
   */
  private reload(): Promise<void> {
    const run = (): Promise<void> => this.reloadNow();
    this.catchingUp = this.catchingUp.then(run, run);
    return this.catchingUp;
  }

  private async reloadNow(): Promise<void> {
    if (this.closed) return;
    const fresh = new MemoryStore({ defaultTenant: this.defaultTenant });
    this.loading = true;
    try {
      await this.loadInto(fresh);
      this.view = fresh;
    } finally {
      this.loading = false;
    }
    this.emitReset();
    await this.pull();
  }

  private emitReset(): void {
    const e: EngineChange = { tenant: '*', snapToken: String(this.view.head), kind: 'reset', changes: [] };
    for (const w of [...this.watchers]) {
      try {
        w(e);
      } catch {
        // As in emit().
      }
    }
    if (this.waiters.size > 0) this.wakeWaiters();
  }

  /** The first load, on the same chain as catch-ups and reloads (a `reset` delivered meanwhile waits for it). */
  private load(): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        await this.loadInto(this.view);
      } finally {
        this.loading = false;
      }
      try {
        await this.pull();
      } catch (err) {
        if (!(err instanceof HistoryGoneError)) throw err;
        await this.reloadNow();
      }
    };
    this.catchingUp = this.catchingUp.then(run, run);
    return this.catchingUp;
  }

  /** Loads every tenant, schema and live row at the store's head into `view`. */
  private async loadInto(view: MemoryStore): Promise<void> {
    const token = await this.store.headSnapToken();
    let continuousToken = '';
    do {
      const page = await this.store.listTenants({ pageSize: 1000, continuousToken });
      for (const t of page.tenants) {
        if (t.id !== this.defaultTenant) view.apply({ kind: 'tenant', tenant: t.id, snapToken: '0', operation: 'create', record: t });
        let schemaToken = '';
        const versions: string[] = [];
        do {
          const list = await this.store.listSchemas(t.id, { pageSize: 1000, continuousToken: schemaToken });
          versions.push(...list.schemas.map((s) => s.version));
          schemaToken = list.continuousToken;
        } while (schemaToken !== '');
        for (const v of versions.reverse()) {
          const schema = await this.store.readSchema(t.id, v);
          if (schema !== undefined) view.apply({ kind: 'schema', tenant: t.id, snapToken: '0', schema });
        }
        for await (const row of this.store.loadTenant(t.id, { snapToken: token })) view.loadRow(t.id, row);
      }
      continuousToken = page.continuousToken;
    } while (continuousToken !== '');
    view.advanceTo(Number(token));
  }
}

function pick(r: { snapToken?: string; pageSize?: number; continuousToken?: string }): { snapToken?: string; pageSize?: number; continuousToken?: string } {
  return {
    ...(r.snapToken === undefined ? {} : { snapToken: r.snapToken }),
    ...(r.pageSize === undefined ? {} : { pageSize: r.pageSize }),
    ...(r.continuousToken === undefined ? {} : { continuousToken: r.continuousToken }),
  };
}

function name(what: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) throw InvalidRequestError.badValue(what, value, 'a name of letters and "_" only');
  return value;
}

function entityPlan(plan: SchemaPlan, type: string, tenant: string): EntityPlan {
  const e = plan.entities.get(type);
  if (e === undefined) throw new NotFoundError(`entity type "${type}" is not defined in the schema`, { tenant });
  return e;
}

/** Permify's data validation of a tuple (permify.md §3.2). */
function validateTuple(schema: CompiledSchema, t: Tuple): void {
  const where = `${t.entity.type}:${t.entity.id}#${t.relation}@${t.subject.type}:${t.subject.id}${t.subject.relation ? `#${t.subject.relation}` : ''}`;
  const entity = schema.entities.get(t.entity.type);
  if (entity === undefined) throw InvalidRequestError.badValue('tuple', where, `an entity type of the schema ("${t.entity.type}" is not defined)`);
  const relation = entity.relations.get(t.relation);
  if (relation === undefined || relation.implicit === true) {
    throw InvalidRequestError.badValue('tuple', where, `a relation of entity "${t.entity.type}" ("${t.relation}" is ${relation?.implicit ? 'implicit and cannot be written' : 'not a relation of it'})`);
  }
  const sRel = t.subject.relation ?? '';
  const ok = relation.references.some((r) => r.type === t.subject.type && (r.relation ?? '') === sRel);
  if (!ok) {
    const allowed = relation.references.map((r) => (r.relation ? `@${r.type}#${r.relation}` : `@${r.type}`)).join(' ');
    throw InvalidRequestError.badValue('tuple', where, `a subject allowed on ${t.entity.type}#${t.relation} (${allowed})`);
  }
  if (t.subject.type === t.entity.type && t.subject.id === t.entity.id && sRel === t.relation) {
    throw InvalidRequestError.badValue('tuple', where, 'a subject other than the tuple\'s own entity#relation');
  }
}

/** Permify's data validation of an attribute: it exists and the value has the declared type. */
function validateAttribute(schema: CompiledSchema, a: Attribute): Attribute {
  const where = `${a.entity.type}:${a.entity.id}$${a.attribute}`;
  const entity = schema.entities.get(a.entity.type);
  if (entity === undefined) throw InvalidRequestError.badValue('attribute', where, `an entity type of the schema ("${a.entity.type}" is not defined)`);
  const def = entity.attributes.get(a.attribute);
  if (def === undefined) throw InvalidRequestError.badValue('attribute', where, `an attribute of entity "${a.entity.type}"`);
  if (a.valueType !== undefined && a.valueType !== def.type) {
    throw InvalidRequestError.badValue('attribute', where, `a value of type ${def.type} (got ${a.valueType})`);
  }
  if (!valueMatches(def.type, a.value)) throw InvalidRequestError.badValue('attribute', where, `a value of type ${def.type} (got ${inferType(a.value)})`);
  return { entity: a.entity, attribute: a.attribute, value: a.value, valueType: def.type };
}

function valueMatches(type: AttributeType, value: unknown): boolean {
  const scalar = (t: string, v: unknown): boolean =>
    t === 'boolean' ? typeof v === 'boolean' : t === 'string' ? typeof v === 'string' : t === 'integer' ? Number.isInteger(v) && Math.abs(v as number) <= 2147483648 : typeof v === 'number' && Number.isFinite(v);
  if (type.endsWith('[]')) return Array.isArray(value) && value.every((v) => scalar(type.slice(0, -2), v));
  return scalar(type, value);
}

export type { DataChange };
export type { CheckRequest };
