import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, handleWhen } from 'cockatiel';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { Pool } from 'undici';

import { InvalidRequestError, PdpUnavailableError } from '../errors.js';
import { abortReason } from '../internal/deadline.js';
import { compareDecimalSnapTokens } from '../internal/snap-token.js';
import { assertTenant } from '../parse.js';
import type {
  CallOptions,
  ChangeEvent,
  ChangeListener,
  CheckRequest,
  Decision,
  LookupResourcesRequest,
  LookupResourcesResult,
  LookupSubjectsRequest,
  LookupSubjectsResult,
  Pdp,
  SubjectPermissionsRequest,
  SubjectPermissionsResult,
} from '../types.js';
import { GatehouseProtocol } from './gatehouse-protocol.js';
import { postJson } from './http.js';
import type { JsonPost } from './http.js';
import { PermitProtocol } from './permit-protocol.js';
import { NotSupportedError } from '../query-plan.js';
import type { PlanRequest, QueryPlan } from '../query-plan.js';
import type { Post, WireProtocol } from './protocol.js';
import { WatchStream } from './watch-stream.js';

/** Options of {@link RemotePdp}. */
export interface RemotePdpOptions {
  /** Base URL of the PDP server, e.g. `http://127.0.0.1:7766` (a path prefix is kept). */
  readonly url: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /**
   * Wire protocol: Gatehouse's Permify-shaped REST API, or Permit.io's PDP API.
   * @defaultValue 'gatehouse'
   */
  readonly protocol?: 'gatehouse' | 'permit';
  /**
   * Deadline of one call, retries included, in milliseconds.
   * @defaultValue 1000
   */
  readonly timeoutMs?: number;
  /**
   * Extra attempts after a network failure, 5xx, 408 or 429 (every PDP call is an idempotent read).
   * @defaultValue 2
   */
  readonly retries?: number;
  /**
   * Circuit breaker: open after `threshold` consecutive failures, try one call again after `halfOpenAfterMs`.
   * `false` turns it off.
   * @defaultValue `{ threshold: 5, halfOpenAfterMs: 5000 }`
   */
  readonly breaker?: { readonly threshold?: number; readonly halfOpenAfterMs?: number } | false;
  /**
   * Stream change events for every tenant checked, so client caches invalidate at once: one SSE stream
   * (`GET /v1/watch?tenant=…`) on its own connection carries all of them. With the permit protocol this is
   * opt-in: `watch: true` when the Permit-compatible PDP is a Gatehouse server (which serves `/v1/watch`
   * beside the Permit API); Permit.io's own PDP has no change feed. Events name tenants by their Gatehouse
   * ids, so check the server's default tenant by its id (e.g. `t1`), not by Permit's alias `default`.
   * @defaultValue true for the gatehouse protocol, false for the permit protocol
   */
  readonly watch?: boolean;
  /**
   * A tenant stops being watched after this long without a call about it (and its cached decisions are
   * ended with a `reset`, since nothing invalidates them any more); the stream closes when no tenant is left.
   * @defaultValue 600_000
   */
  readonly watchIdleMs?: number;
  /**
   * Most keep-alive connections of the call pool.
   * @defaultValue 16
   */
  readonly connections?: number;
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw InvalidRequestError.badValue(`options.${name}`, value, allowZero ? 'an integer ≥ 0' : 'a positive integer');
  }
  return value;
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    // Not unref'd: the caller awaits this backoff, so it must keep the process alive until the call settles.
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A PDP over HTTP: a keep-alive undici `Pool` for calls, one separate undici `Client` for the change stream
 * of every watched tenant (so the stream never holds a call connection), a deadline on every call, retries with jittered backoff, and a cockatiel circuit breaker.
 * Failures reject with typed errors: {@link PdpUnavailableError} (network, deadline, 5xx, circuit open),
 * `PdpProtocolError` (an answer not in the protocol's shape), `InvalidRequestError` / `NotFoundError` (4xx).
 *
 * @example
 * ```ts
 * import { Gatehouse } from '@gatehouse/core';
 * import { RemotePdp } from '@gatehouse/core/remote';
 *
 * const pdp = new RemotePdp({ url: 'http://127.0.0.1:7766', apiKey: process.env.GATEHOUSE_API_KEY });
 * const gate = new Gatehouse({ pdp });
 * await gate.can('alice', 'read', 'document:1', { tenant: 'acme' });
 * await gate.close();
 * await pdp.close();
 * ```
 */
export class RemotePdp implements Pdp {
  readonly #origin: string;
  readonly #prefix: string;
  readonly #pool: Pool;
  readonly #headers: Record<string, string>;
  readonly #protocol: WireProtocol;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #breaker: CircuitBreakerPolicy | undefined;
  readonly #watch: boolean;
  #stream: WatchStream | undefined;
  readonly #lastUse = new Map<string, number>();
  readonly #watchIdleMs: number;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  readonly #listeners = new Set<ChangeListener>();
  #closed = false;

  /**
   * @param options - see {@link RemotePdpOptions}.
   * @throws {@link InvalidRequestError} naming the option that is invalid.
   */
  public constructor(options: RemotePdpOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw InvalidRequestError.badValue('options.url', options.url, 'an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw InvalidRequestError.badValue('options.url', options.url, 'an http: or https: URL');
    }
    const protocol = options.protocol ?? 'gatehouse';
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers
    if (protocol !== 'gatehouse' && protocol !== 'permit') {
      throw InvalidRequestError.badValue('options.protocol', protocol, '"gatehouse" or "permit"');
    }
    this.#origin = url.origin;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs, 1000);
    this.#retries = positive('retries', options.retries, 2, true);
    this.#headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.apiKey !== undefined) this.#headers.authorization = `Bearer ${options.apiKey}`;
    this.#protocol = protocol === 'permit' ? new PermitProtocol(this.#prefix) : new GatehouseProtocol(this.#prefix);
    this.#watch = options.watch ?? protocol === 'gatehouse';
    this.#watchIdleMs = positive('watchIdleMs', options.watchIdleMs, 600_000);
    this.#pool = new Pool(this.#origin, {
      connections: positive('connections', options.connections, 16),
      keepAliveTimeout: 30_000,
    });
    if (options.breaker !== false) {
      const threshold = positive('breaker.threshold', options.breaker?.threshold, 5);
      const halfOpenAfter = positive('breaker.halfOpenAfterMs', options.breaker?.halfOpenAfterMs, 5000);
      this.#breaker = circuitBreaker(handleWhen((err) => err instanceof PdpUnavailableError), {
        halfOpenAfter,
        breaker: new ConsecutiveBreaker(threshold),
      });
    }
  }

  /** The breaker's state: `closed` (calls flow), `open` (calls fail at once), `half-open` (one trial call). */
  public get breakerState(): 'closed' | 'open' | 'half-open' | 'off' {
    if (this.#breaker === undefined) return 'off';
    const states = ['closed', 'open', 'half-open', 'open'] as const;
    return states[this.#breaker.state];
  }

  /** Tenants the change stream carries. */
  public get watchedTenants(): string[] {
    return this.#stream?.tenants ?? [];
  }

  /**
   * One check (`/permissions/check`, or Permit's `/allowed`).
   * @throws {@link PdpUnavailableError} on network failure, deadline, 5xx or an open circuit;
   *   `PdpProtocolError` for an answer out of shape; `InvalidRequestError` / `NotFoundError` for 4xx.
   */
  public async check(request: CheckRequest, options?: CallOptions): Promise<Decision> {
    return await this.#run(request.tenant, options, async (post) => await this.#protocol.check(request, post));
  }

  /**
   * Several checks in bulk requests (`/permissions/bulk-check`, or `/allowed/bulk`) of at most 100 items,
   * split by tenant, context and consistency; answers in request order.
   * @throws the errors of {@link RemotePdp.check}.
   */
  public async checkMany(requests: readonly CheckRequest[], options?: CallOptions): Promise<Decision[]> {
    if (requests.length === 0) return [];
    const byTenant = new Map<string, { indexes: number[]; batch: CheckRequest[] }>();
    requests.forEach((r, i) => {
      const group = byTenant.get(r.tenant);
      if (group === undefined) byTenant.set(r.tenant, { indexes: [i], batch: [r] });
      else {
        group.indexes.push(i);
        group.batch.push(r);
      }
    });
    const out = new Array<Decision>(requests.length);
    await Promise.all([...byTenant].map(async ([tenant, { indexes, batch }]) => {
      const decided = await this.#run(tenant, options, async (post) => await this.#protocol.checkMany(batch, post));
      decided.forEach((d, i) => {
        const index = indexes[i];
        if (index !== undefined) out[index] = d;
      });
    }));
    return out;
  }

  /**
   * Every permission of a subject on a resource (`/permissions/subject-permission`, or `/user-permissions`).
   * @throws the errors of {@link RemotePdp.check}.
   */
  public async subjectPermissions(request: SubjectPermissionsRequest, options?: CallOptions): Promise<SubjectPermissionsResult> {
    return await this.#run(request.tenant, options, async (post) => await this.#protocol.subjectPermissions(request, post));
  }

  /**
   * Ids of a type the subject may act on (`/permissions/lookup-entity`, all pages).
   * @throws the errors of {@link RemotePdp.check}.
   */
  public async lookupResources(request: LookupResourcesRequest, options?: CallOptions): Promise<LookupResourcesResult> {
    return await this.#run(request.tenant, options, async (post) => await this.#protocol.lookupResources(request, post));
  }

  /**
   * Subjects that may act on a resource (`/permissions/lookup-subject`, all pages; Gatehouse protocol only).
   * @throws the errors of {@link RemotePdp.check}; `InvalidRequestError` with the permit protocol.
   */
  public async lookupSubjects(request: LookupSubjectsRequest, options?: CallOptions): Promise<LookupSubjectsResult> {
    return await this.#run(request.tenant, options, async (post) => await this.#protocol.lookupSubjects(request, post));
  }

  /**
   * The query plan of an action on every resource of a type (`/permissions/plan`; Gatehouse protocol only).
   * @throws the errors of {@link RemotePdp.check}; `NotSupportedError` with the permit protocol; `PdpProtocolError`
   *   for a plan the client cannot read.
   */
  public async plan(request: PlanRequest, options?: CallOptions): Promise<QueryPlan> {
    const plan = this.#protocol.plan?.bind(this.#protocol);
    if (plan === undefined) throw new NotSupportedError('query plans are not part of the permit protocol; use protocol "gatehouse"', { tenant: request.tenant });
    return await this.#run(request.tenant, options, async (post) => await plan(request, post));
  }

  /** Subscribes to change events of the tenants this PDP has been asked about. */
  public subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The content hash of the tenant's schema types, from the server's `schemas/read` (`schema_hash`); `undefined`
   * on the Permit protocol or from a server that does not report it.
   */
  public async schemaHash(tenant: string, options?: CallOptions): Promise<string | undefined> {
    const protocol = this.#protocol;
    if (protocol.schemaHash === undefined) return undefined;
    return await this.#run(tenant, options, async (post) => await protocol.schemaHash?.(tenant, post));
  }

  /** Orders decimal snap tokens (Gatehouse's); `NaN` for tokens of unknown form. */
  public compareSnapTokens(a: string, b: string): number {
    return compareDecimalSnapTokens(a, b) ?? Number.NaN;
  }

  /** Closes the change streams and the connection pool. */
  public async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    const stream = this.#stream;
    this.#stream = undefined;
    await stream?.close();
    await this.#pool.destroy();
  }

  #emit = (event: ChangeEvent): void => {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not stop the others from invalidating.
      }
    }
  };

  #ensureWatch(tenant: string): void {
    if (!this.#watch || this.#closed) return;
    this.#lastUse.set(tenant, Date.now());
    if (this.#sweeper === undefined) {
      this.#sweeper = setInterval(() => { this.#sweep(); }, Math.min(60_000, Math.ceil(this.#watchIdleMs / 2)));
      this.#sweeper.unref();
    }
    this.#stream ??= new WatchStream({
      origin: this.#origin,
      path: `${this.#prefix}/v1/watch`,
      headers: this.#headers.authorization === undefined ? {} : { authorization: this.#headers.authorization },
      emit: this.#emit,
      idleTimeoutMs: 60_000,
      backoff: { initialMs: 100, maxMs: 10_000 },
      maxQueryLength: 6000,
      retargetDelayMs: 20,
    });
    this.#stream.add(tenant);
    // The PDP answered: a feed waiting out its reconnect backoff reconnects now, so an outage's missed changes
    // (a revoke) reach the cache as soon as the PDP is back rather than up to backoff.maxMs later.
    this.#stream.wake();
  }

  /** Stops watching tenants nobody asked about for `watchIdleMs`, ending their cached decisions. */
  #sweep(): void {
    const now = Date.now();
    for (const [tenant, used] of this.#lastUse) {
      if (now - used < this.#watchIdleMs) continue;
      this.#lastUse.delete(tenant);
      this.#stream?.remove(tenant);
      this.#emit({ tenant, kind: 'reset' });
    }
  }

  /** One logical call: deadline over all attempts, retries with jittered backoff, breaker per attempt. */
  async #run<T>(tenant: string, options: CallOptions | undefined, op: (post: Post) => Promise<T>): Promise<T> {
    assertTenant(tenant);
    if (this.#closed) throw new PdpUnavailableError('the RemotePdp is closed', { tenant });
    const caller = options?.signal;
    if (caller?.aborted === true) throw abortReason(caller);
    const controller = new AbortController();
    const signal = controller.signal;
    const timer = setTimeout(() => {
      controller.abort(new PdpUnavailableError(`the PDP did not answer within ${String(this.#timeoutMs)} ms`, { tenant }));
    }, this.#timeoutMs);
    // Not unref'd: the caller awaits this call; the timer is cleared the moment the call settles.
    const onAbort = (): void => { controller.abort(caller === undefined ? undefined : abortReason(caller)); };
    caller?.addEventListener('abort', onAbort, { once: true });
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const answer = await this.#attempt(op, signal);
          // Watch only tenants the server answered for: an unknown tenant id must not cost a stream.
          this.#ensureWatch(tenant);
          return answer;
        } catch (err) {
          if (signal.aborted) throw abortReason(signal);
          const retryable = err instanceof PdpUnavailableError && !(err.cause instanceof BrokenCircuitError);
          if (!retryable || attempt >= this.#retries) throw err;
          const ceiling = Math.min(1000, 50 * 2 ** attempt);
          await sleep(Math.random() * ceiling, signal);
        }
      }
    } catch (err) {
      throw signal.aborted && err !== abortReason(signal) ? abortReason(signal) : err;
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    }
  }

  async #attempt<T>(op: (post: Post) => Promise<T>, signal: AbortSignal): Promise<T> {
    const post: Post = async (p: JsonPost) => (await postJson(this.#pool, p, this.#headers, signal)).json;
    if (this.#breaker === undefined) return await op(post);
    try {
      return await this.#breaker.execute(async () => await op(post));
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        throw new PdpUnavailableError('the circuit breaker is open: the PDP failed repeatedly', { cause: err });
      }
      throw err;
    }
  }
}
