import { TenantGateImpl, toCheckInput } from './bound-gate.js';
import type { BoundGate, CheckInput, CheckOptions, PlanOptions, TenantGate } from './client-types.js';
import { DecisionCache } from './decision-cache.js';
import type { CacheEntry, CacheKey, CacheStats, DecisionCacheOptions } from './decision-cache.js';
import { DecisionLog } from './decision-log.js';
import type { DecisionListener, DecisionLogOptions } from './decision-log.js';
import { ClientClosedError, InvalidRequestError } from './errors.js';
import { NotSupportedError } from './query-plan.js';
import type { PlanRequest, QueryPlan } from './query-plan.js';
import {
  asGatehouseError,
  assertName,
  checked,
  failureReason,
  normalizeCheck,
  optionalContext,
  subjectText,
} from './internal/check-input.js';
import { withDeadline } from './internal/deadline.js';
import { DeadlinePdp } from './internal/deadline-pdp.js';
import { FailOpenWarning } from './internal/fail-open-warning.js';
import { SCHEMA_HASH, SchemaDriftWatch, warnSchemaDrift } from './internal/schema-drift.js';
import type { SchemaDriftEvent } from './internal/schema-drift.js';
import { contextKey, resourceKey, subjectKey } from './internal/stable-key.js';
import { assertTenant, formatResource, formatSubject, parseResource, parseSubject } from './parse.js';
import { ClientMetrics } from './metrics.js';
import type { MetricsOptions } from './metrics.js';
import { CheckTracer } from './tracing.js';
import type { TracingOptions } from './tracing.js';
import type {
  ActionOf,
  CheckInputFor,
  CheckInputOf,
  CheckOptionsOf,
  ContextParam,
  EntityTypeOf,
  PermissionMapOf,
  ResourceParam,
  SchemaTypes,
  SubjectParam,
  UntypedSchema,
} from './schema-types.js';
import type {
  CallOptions,
  CheckContext,
  Decision,
  Pdp,
  ResourceInput,
  SubjectInput,
} from './types.js';

/** Options of {@link Gatehouse}. */
export interface GatehouseOptions {
  /** The policy decision point: `EmbeddedPdp` from `@gatehouse/engine`, or `RemotePdp` from `@gatehouse/core/remote`. */
  readonly pdp: Pdp;
  /** The decision cache, or `false` for none. On by default with {@link DecisionCacheOptions}' defaults. */
  readonly cache?: DecisionCacheOptions | false;
  /**
   * The tenant of calls that name none.
   * @defaultValue 't1'
   */
  readonly defaultTenant?: string;
  /**
   * Deadline of each PDP call, in milliseconds; past it the check is a `pdp_unavailable` denial.
   * @defaultValue 1000
   */
  readonly timeoutMs?: number;
  /**
   * The `schemaHash` of the file `gatehouse generate` wrote for this client's `Schema` type. When given, the
   * client compares it once per tenant (and after each schema change) with the PDP's, and reports a difference
   * through {@link GatehouseOptions.onSchemaDrift}: the types no longer describe the live schema.
   */
  readonly schemaHash?: string;
  /**
   * Receives each schema drift once (tenant, expected and actual hash).
   * @defaultValue a `console.warn` that says to run `gatehouse generate` again
   */
  readonly onSchemaDrift?: (event: SchemaDriftEvent) => void;
  /**
   * Reject with the typed error (`PdpUnavailableError`, `DepthExceededError`, `EvaluationError`, …) when the
   * PDP fails, instead of answering a fail-closed denial.
   * @defaultValue false
   */
  readonly throwOnError?: boolean;
  /**
   * Receives every decision (the audit trail), after sampling and redaction; fail-open decisions are never
   * sampled out. Without it, fail-open decisions are still logged: a `console.warn` naming tenant, action and
   * resource (never the subject), at most once a minute per client.
   */
  readonly onDecision?: DecisionListener;
  /** Sampling and redaction of decision events. */
  readonly decisionLog?: DecisionLogOptions;
  /** OpenTelemetry spans, one per check. */
  readonly tracing?: TracingOptions;
  /**
   * The counters of {@link Gatehouse.stats} as OpenTelemetry metrics (`gatehouse.cache.hits`, …) on the meter
   * `@gatehouse/core`: a no-op until the app registers an OpenTelemetry SDK. `false` registers nothing.
   */
  readonly metrics?: MetricsOptions | false;
}

/** Counters of a client: its cache's, plus what the PDP failed. */
export interface GatehouseStats extends CacheStats {
  /** Checks that failed at the PDP and were answered by a fail-closed (or fail-open) decision or an error. */
  readonly failures: number;
  /** Checks allowed because the caller asked for `failOpen` and the PDP failed. */
  readonly failOpen: number;
}

/**
 * The Gatehouse client: one question — may this subject do this action on this resource, in this tenant? —
 * answered by a PDP through a decision cache. A denial is a value: `check()` and `can()` never reject for
 * a denial or a PDP failure (the answer is a denial with the failure's reason) unless `throwOnError` is set;
 * they reject with {@link InvalidRequestError} for malformed input.
 *
 * @example
 * ```ts
 * import { Engine, EmbeddedPdp } from '@gatehouse/engine';
 * import { Gatehouse } from '@gatehouse/core';
 *
 * const engine = await Engine.create({ schema: 'entity user {}\nentity document { relation owner @user\n permission edit = owner }' });
 * await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
 * const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
 * await gate.can('alice', 'edit', 'document:1'); // true
 * ```
 */
export class Gatehouse<S extends SchemaTypes = UntypedSchema> {
  /** The PDP this client asks. */
  public readonly pdp: Pdp;
  /** The tenant of calls that name none. */
  public readonly defaultTenant: string;
  #cache: DecisionCache | undefined;
  readonly #callPdp: Pdp;
  readonly #timeoutMs: number;
  readonly #throwOnError: boolean;
  readonly #log: DecisionLog | undefined;
  readonly #tracer: CheckTracer;
  readonly #metrics: ClientMetrics | undefined;
  readonly #failOpenWarning = new FailOpenWarning();
  #drift: SchemaDriftWatch | undefined;
  #failures = 0;
  #failOpen = 0;
  #closed = false;

  /**
   * @param options - see {@link GatehouseOptions}.
   * @throws {@link InvalidRequestError} when an option is invalid (named, with the value given).
   */
  public constructor(options: GatehouseOptions) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers
    if (typeof options !== 'object' || options === null) {
      throw InvalidRequestError.badValue('options', options, 'an object { pdp, … }');
    }
    const pdp = options.pdp as Pdp | undefined;
    if (typeof pdp?.check !== 'function' || typeof pdp.subscribe !== 'function') {
      throw InvalidRequestError.badValue('options.pdp', pdp, 'a Pdp (EmbeddedPdp, RemotePdp)');
    }
    const timeoutMs = options.timeoutMs ?? 1000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw InvalidRequestError.badValue('options.timeoutMs', timeoutMs, 'a positive number of milliseconds');
    }
    this.pdp = pdp;
    this.defaultTenant = assertTenant(options.defaultTenant ?? 't1');
    this.#timeoutMs = timeoutMs;
    this.#throwOnError = options.throwOnError ?? false;
    this.#callPdp = new DeadlinePdp(pdp, timeoutMs);
    this.#cache = options.cache === false ? undefined : new DecisionCache(this.#callPdp, options.cache ?? {});
    this.#log = options.onDecision === undefined ? undefined : new DecisionLog(options.onDecision, options.decisionLog);
    this.#tracer = new CheckTracer(options.tracing);
    this.#metrics = options.metrics === false ? undefined : new ClientMetrics(() => this.stats, options.metrics);
    if (options.schemaHash !== undefined) {
      if (typeof options.schemaHash !== 'string' || !SCHEMA_HASH.test(options.schemaHash)) {
        throw InvalidRequestError.badValue('options.schemaHash', options.schemaHash, 'the schemaHash of a file written by gatehouse generate');
      }
      this.#drift = new SchemaDriftWatch(pdp, options.schemaHash, options.onSchemaDrift ?? warnSchemaDrift);
    }
  }

  /** Counters: hits, misses, coalesced, evictions, staleServed, size, failures, failOpen. */
  public get stats(): GatehouseStats {
    const cache = this.#cache?.stats ?? { hits: 0, misses: 0, coalesced: 0, evictions: 0, staleServed: 0, size: 0 };
    return { ...cache, failures: this.#failures, failOpen: this.#failOpen };
  }

  /**
   * Decides one check. A cache hit returns a pre-built frozen decision (`cached: true`) without allocating.
   * @param input - tenant (default: `defaultTenant`), subject, action, resource, and optional context,
   *   consistency, depth and `failOpen`.
   * @param options - `signal` aborts the wait (the promise rejects with the signal's reason).
   * @returns the decision; on a PDP failure a denial with reason `pdp_unavailable`, `depth_exceeded`,
   *   `evaluation_error`, `budget_exceeded` (the PDP's step budget ran out; never cached, so a retry asks the PDP
   *   again) or `invalid_request` (or, with `failOpen`, an allow with reason `fail_open`).
   * @throws {@link InvalidRequestError} for a bad tenant, subject, action, resource or context.
   * @throws {@link PdpUnavailableError} and the other PDP errors only with `throwOnError`.
   * @throws {@link ClientClosedError} after {@link Gatehouse.close}.
   * @example
   * ```ts
   * const { allowed, reason } = await gate.check({ tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:1' });
   * ```
   */
  public check<T extends EntityTypeOf<S> = EntityTypeOf<S>>(typed: CheckInputFor<S, T>, options?: CallOptions): Promise<Decision> {
    const input = typed as CheckInput;
    return this.#hit(input)?.promise ?? this.#miss(input, options);
  }

  /**
   * {@link Gatehouse.check}, but a cache hit is answered synchronously: the decision itself, not a promise of it.
   * Anything else (a miss, malformed input, a closed client) is `check()`'s promise. The hit is logged, traced
   * and counted exactly as `check()` counts it. For hot paths that can go on without a microtask, such as a
   * framework guard that returns `true` for an allowed hit.
   * @returns the decision on a hit, else a promise of it.
   * @throws never synchronously: malformed input rejects the returned promise.
   * @example
   * ```ts
   * const now = gate.checkNow({ tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:1' });
   * const { allowed } = now instanceof Promise ? await now : now;
   * ```
   */
  public checkNow<T extends EntityTypeOf<S> = EntityTypeOf<S>>(typed: CheckInputFor<S, T>, options?: CallOptions): Decision | Promise<Decision> {
    const input = typed as CheckInput;
    return this.#hit(input)?.decision ?? this.#miss(input, options);
  }

  /**
   * The hit path of `check()` and `checkNow()`: the caller's own strings into nested Maps, the fresh entry back
   * (observed as a hit), or `undefined` for everything else.
   */
  #hit(input: CheckInput): CacheEntry | undefined {
    const cache = this.#cache;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may pass anything
    if (cache === undefined || typeof input !== 'object' || input === null || input.context !== undefined || input.consistency !== undefined) return undefined;
    const subject = input.subject;
    const resource = input.resource;
    if (typeof subject !== 'string' || typeof resource !== 'string') return undefined;
    const tenant = input.tenant ?? this.defaultTenant;
    const entry = cache.lookup(tenant, subject, input.action, resource);
    if (entry !== undefined && (this.#log !== undefined || this.#tracer.on)) this.#observeHit(input, tenant, entry.decision);
    return entry;
  }

  /**
   * True when the subject may do the action on the resource. Never rejects for a denial or a PDP failure.
   * @param subject - `"alice"`, `"user:alice"`, `"team:eng#member"` or `{ type, id, relation? }`.
   * @param action - the permission or relation name.
   * @param resource - `"document:42"`, `"document"` (type-level) or `{ type, id? }`.
   * @param options - tenant, context, consistency, depth, failOpen, signal.
   * @throws {@link InvalidRequestError} for malformed input.
   * @throws {@link ClientClosedError} after {@link Gatehouse.close}.
   * @example
   * ```ts
   * if (await gate.can('alice', 'edit', 'document:42', { tenant: 'acme' })) { … }
   * ```
   */
  public async can<T extends EntityTypeOf<S> = EntityTypeOf<S>, X extends SubjectInput = SubjectInput>(
    subject: SubjectParam<S, X>,
    action: ActionOf<S, T>,
    resource: ResourceParam<S, T>,
    options?: CheckOptionsOf<S>,
  ): Promise<boolean> {
    const plain = options as CheckOptions | undefined;
    const decision = await this.check(
      toCheckInput(subject, action, resource, plain) as CheckInputFor<S, T>,
      plain,
    );
    return decision.allowed;
  }

  /**
   * The cached decision for a check, synchronously, without asking the PDP; `undefined` on a miss (or for
   * input the cache never saw, malformed input included).
   * @example
   * ```ts
   * const hit = gate.peek({ subject: 'alice', action: 'edit', resource: 'document:1' });
   * ```
   */
  public peek(input: Pick<CheckInput, 'tenant' | 'subject' | 'action' | 'resource' | 'context'>): Decision | undefined {
    const cache = this.#cache;
    if (cache === undefined) return undefined;
    const s = input.subject;
    const r = input.resource;
    const tenant = input.tenant ?? this.defaultTenant;
    if (typeof s === 'string' && typeof r === 'string' && input.context === undefined) {
      return cache.lookup(tenant, s, input.action, r)?.decision;
    }
    try {
      const key: CacheKey = {
        tenant,
        subject: subjectKey(s, typeof s === 'string' ? parseSubject(s) : s),
        action: input.action,
        resource: resourceKey(r, typeof r === 'string' ? parseResource(r) : r),
        context: contextKey(input.context),
      };
      return cache.lookup(key.tenant, key.subject, key.action, key.resource, key.context)?.decision;
    } catch {
      return undefined;
    }
  }

  /**
   * Decides several checks; the misses among them go to the PDP as bulk checks.
   * @returns decisions in input order.
   * @throws {@link InvalidRequestError} when any input is malformed (then nothing is asked).
   * @throws {@link ClientClosedError} after {@link Gatehouse.close}.
   */
  public async checkMany(inputs: readonly CheckInputOf<S>[], options?: CallOptions): Promise<Decision[]> {
    const list = inputs as readonly CheckInput[];
    if (!Array.isArray(inputs)) throw InvalidRequestError.badValue('checks', inputs, 'an array of checks');
    for (const input of list) normalizeCheck(input, this.defaultTenant);
    return await Promise.all(list.map(async (input) => await this.check(input as CheckInputFor<S, EntityTypeOf<S>>, options)));
  }

  /**
   * Every permission the subject has on the resource (or resource type), in one PDP call (not cached).
   * @returns permission name → allowed.
   * @throws {@link InvalidRequestError} for malformed input; the PDP's typed error when it fails
   *   (there is no fail-closed value for a whole set).
   * @throws {@link ClientClosedError} after {@link Gatehouse.close}.
   */
  public async permissions<T extends EntityTypeOf<S> = EntityTypeOf<S>>(
    typed: { tenant?: string; subject: SubjectInput; resource: ResourceParam<S, T>; context?: ContextParam<S> },
    options?: CallOptions,
  ): Promise<PermissionMapOf<S, T>> {
    const input = typed as { tenant?: string; subject: SubjectInput; resource: ResourceInput; context?: CheckContext };
    const tenant = assertTenant(input.tenant ?? this.defaultTenant);
    const subject = parseSubject(input.subject);
    const resource = parseResource(input.resource);
    const request = { tenant, subject, resource, ...optionalContext(input.context) };
    const result = await this.#call(
      async (signal) => await this.pdp.subjectPermissions(request, { signal }),
      tenant,
      options,
    );
    return { ...result.permissions } as PermissionMapOf<S, T>;
  }

  /**
   * Ids of `resourceType` on which the subject may do the action (not cached).
   * @throws {@link InvalidRequestError} for malformed input; the PDP's typed error when it fails.
   * @throws {@link ClientClosedError} after {@link Gatehouse.close}.
   */
  public async lookupResources<T extends EntityTypeOf<S> = EntityTypeOf<S>>(
    typed: { tenant?: string; subject: SubjectInput; action: ActionOf<S, T>; resourceType: T; context?: ContextParam<S> },
    options?: CallOptions,
  ): Promise<string[]> {
    const input = typed as { tenant?: string; subject: SubjectInput; action: string; resourceType: string; context?: CheckContext };
    const tenant = assertTenant(input.tenant ?? this.defaultTenant);
    const subject = parseSubject(input.subject);
    const action = assertName('action', input.action);
    const resourceType = assertName('resourceType', input.resourceType);
    const request = { tenant, subject, action, resourceType, ...optionalContext(input.context) };
    const result = await this.#call(
      async (signal) => await this.pdp.lookupResources(request, { signal }),
      tenant,
      options,
    );
    return [...result.ids];
  }

  /**
   * The query plan of `action` on every resource of `resourceType` for the subject: `always`, `never`, or a
   * `condition` on the application's rows (a small JSON tree; turn it into a database filter with
   * `@gatehouse/prisma` or `@gatehouse/drizzle`). Relations become id sets computed by the PDP, the resource's
   * own attributes become conditions on its columns (see docs/data-filtering.md). Not cached.
   * @param subject - `"alice"`, `"user:alice"` or `{ type, id }`.
   * @param options - tenant, context (`data` for rules; tuples and attributes of other entities), consistency,
   *   depth, signal.
   * @returns the plan with the snap token it was computed at.
   * @throws {@link NotSupportedError} when the PDP cannot plan; {@link InvalidRequestError} for malformed input;
   *   the PDP's typed error when it fails (a plan has no fail-closed value: it throws).
   * @throws {@link ClientClosedError} after {@link Gatehouse.close}.
   * @example
   * ```ts
   * const plan = await gate.plan('alice', 'view', 'document', { tenant: 'acme' });
   * const rows = await prisma.document.findMany({ where: accessibleWhere(plan, { id: 'id', fields: { public: 'isPublic' } }) });
   * ```
   */
  public async plan<T extends EntityTypeOf<S> = EntityTypeOf<S>, X extends SubjectInput = SubjectInput>(
    subject: SubjectParam<S, X>,
    action: ActionOf<S, T>,
    resourceType: T,
    options?: PlanOptions,
  ): Promise<QueryPlan> {
    const tenant = assertTenant(options?.tenant ?? this.defaultTenant);
    const request: PlanRequest = {
      tenant,
      subject: parseSubject(subject),
      action: assertName('action', action),
      resourceType: assertName('resourceType', resourceType),
      ...optionalContext(options?.context),
      ...(options?.consistency === undefined ? {} : { consistency: options.consistency }),
      ...(options?.depth === undefined ? {} : { depth: options.depth }),
    };
    const plan = typeof this.pdp.plan === 'function' ? this.pdp.plan.bind(this.pdp) : undefined;
    if (plan === undefined) {
      throw new NotSupportedError('this PDP cannot compute query plans (it has no plan()); use EmbeddedPdp or RemotePdp, or lookupResources()', { tenant });
    }
    return await this.#call(async (signal) => await plan(request, { signal }), tenant, options);
  }

  /**
   * A client bound to one tenant.
   * @throws {@link InvalidRequestError} for a bad tenant id.
   * @example
   * ```ts
   * await gate.forTenant('acme').forSubject('alice').can('edit', 'document:42');
   * ```
   */
  public forTenant(tenant: string): TenantGate<S> {
    return new TenantGateImpl(this as unknown as Gatehouse, assertTenant(tenant)) as unknown as TenantGate<S>;
  }

  /**
   * A client bound to one tenant and one subject (what adapters put on `req.gate`).
   * @throws {@link InvalidRequestError} for a bad tenant or subject.
   */
  public bind<X extends SubjectInput>(tenant: string, subject: SubjectParam<S, X>): BoundGate<S> {
    return this.forTenant(tenant).forSubject(subject);
  }

  /**
   * Stops listening to the PDP's change events, drops the cache and stops the metrics. Later calls (`check`,
   * `can`, `checkMany`, `permissions`, `lookupResources`, and those of bound gates) reject with
   * {@link ClientClosedError}; `peek` answers `undefined`. The PDP itself is not closed. Idempotent.
   */
  public close(): Promise<void> {
    this.#closed = true;
    this.#cache?.close();
    this.#cache = undefined;
    this.#metrics?.close();
    this.#drift?.close();
    this.#drift = undefined;
    return Promise.resolve();
  }

  #observeHit(input: CheckInput, tenant: string, decision: Decision): void {
    const subject = subjectText(input.subject);
    const resource = typeof input.resource === 'string' ? input.resource : formatResource(input.resource);
    const reason = decision.reason ?? (decision.allowed ? 'allowed' : 'denied');
    if (this.#tracer.on) {
      this.#tracer.end(this.#tracer.start(), {
        tenant, action: input.action, resource, subject, allowed: decision.allowed, reason, cached: true,
      });
    }
    if (this.#log?.sampled() === true) {
      this.#log.emit({ tenant, subject, action: input.action, resource, allowed: decision.allowed, reason, cached: true, ms: 0 });
    }
  }

  async #miss(input: CheckInput, options: CallOptions | undefined): Promise<Decision> {
    if (this.#closed) throw this.#closedError();
    const started = performance.now();
    const { request, key } = normalizeCheck(input, this.defaultTenant);
    this.#drift?.observe(request.tenant);
    this.#tracer.refresh();
    this.#metrics?.refresh();
    const span = this.#tracer.on ? this.#tracer.start() : undefined;
    let decision: Decision;
    let cached = false;
    try {
      const cache = this.#cache;
      const token = request.consistency?.atLeastAsFresh;
      const entry = cache?.lookup(key.tenant, key.subject, key.action, key.resource, key.context, token);
      if (entry !== undefined) {
        decision = entry.decision;
        cached = true;
      } else if (cache !== undefined) {
        decision = checked(await cache.load(request, key, options?.signal));
      } else {
        decision = checked(
          await withDeadline(async (signal) => await this.pdp.check(request, { signal }), this.#timeoutMs, options?.signal),
        );
      }
    } catch (err) {
      if (options?.signal?.aborted === true) {
        span?.end();
        throw err;
      }
      try {
        ({ decision, cached } = this.#failed(err, key, input.failOpen === true));
      } catch (thrown) {
        span?.end();
        throw thrown;
      }
    }
    const reason = decision.reason ?? (decision.allowed ? 'allowed' : 'denied');
    const log = this.#log;
    if (span !== undefined || log !== undefined) {
      const subject = formatSubject(request.subject);
      const resource = formatResource(request.resource);
      if (span !== undefined) {
        this.#tracer.end(span, { tenant: key.tenant, action: key.action, resource, subject, allowed: decision.allowed, reason, cached });
      }
      if (log !== undefined && (reason === 'fail_open' || log.sampled())) {
        const ms = performance.now() - started;
        log.emit({ tenant: key.tenant, subject, action: key.action, resource, allowed: decision.allowed, reason, cached, ms });
      }
    }
    // Fail-open is always logged: without an onDecision listener, as a (rate-limited) warning.
    if (log === undefined && reason === 'fail_open') {
      this.#failOpenWarning.warn(key.tenant, key.action, formatResource(request.resource));
    }
    return decision;
  }

  #failed(err: unknown, key: CacheKey, failOpen: boolean): { decision: Decision; cached: boolean } {
    this.#failures++;
    if (this.#throwOnError) throw asGatehouseError(err, key.tenant);
    const reason = failureReason(err);
    if (reason === 'pdp_unavailable') {
      const stale = this.#cache?.stale(key);
      if (stale !== undefined) return { decision: stale, cached: true };
      if (failOpen) {
        this.#failOpen++;
        return { decision: { allowed: true, reason: 'fail_open' }, cached: false };
      }
    }
    return { decision: { allowed: false, reason }, cached: false };
  }

  #closedError(): ClientClosedError {
    return new ClientClosedError('this Gatehouse client is closed: gate.close() was called, so it answers no more checks');
  }

  async #call<T>(call: (signal: AbortSignal) => Promise<T>, tenant: string, options: CallOptions | undefined): Promise<T> {
    if (this.#closed) throw this.#closedError();
    try {
      return await withDeadline(call, this.#timeoutMs, options?.signal);
    } catch (err) {
      if (options?.signal?.aborted === true) throw err;
      throw asGatehouseError(err, tenant);
    }
  }
}
