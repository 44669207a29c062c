import { LRUCache } from 'lru-cache';

import { InvalidRequestError } from './errors.js';
import { coarseNow } from './internal/clock.js';
import { Coalescer } from './internal/coalescer.js';
import { detachable } from './internal/deadline.js';
import { compareDecimalSnapTokens } from './internal/snap-token.js';
import { contextKey, resourceKey, subjectKey } from './internal/stable-key.js';
import type { CallOptions, ChangeEvent, CheckRequest, Decision, Pdp } from './types.js';

/** Options of the decision cache. */
export interface DecisionCacheOptions {
  /**
   * Most entries held; the least recently used go first.
   * @defaultValue 100_000
   */
  readonly maxEntries?: number;
  /**
   * How long a decision is served without asking the PDP again (change events end it sooner).
   * @defaultValue 60_000
   */
  readonly ttlMs?: number;
  /**
   * Stale-if-error: when the PDP fails, a decision of the current generation that expired at most this long
   * ago may still be served. 0 turns it off.
   * @defaultValue 0
   */
  readonly maxStaleMs?: number;
  /**
   * Send the misses of one event-loop turn as bulk checks, grouped by tenant, context and consistency.
   * @defaultValue true
   */
  readonly coalesce?: boolean;
  /**
   * Most checks in one bulk request.
   * @defaultValue 100
   */
  readonly batchLimit?: number;
}

/** Counters of a decision cache. */
export interface CacheStats {
  /** Checks answered from the cache. */
  readonly hits: number;
  /** Checks the cache could not answer. */
  readonly misses: number;
  /** Misses answered by another miss's PDP call (identical in-flight checks, or items of a bulk call). */
  readonly coalesced: number;
  /** Entries dropped to keep within `maxEntries`. */
  readonly evictions: number;
  /** Expired decisions served because the PDP failed (stale-if-error). */
  readonly staleServed: number;
  /** Entries held now. */
  readonly size: number;
}

/** The key parts of one cached decision; subject and resource are the caller's strings. */
export interface CacheKey {
  readonly tenant: string;
  readonly subject: string;
  readonly action: string;
  readonly resource: string;
  /** Stable text of the check's context, absent when there is none. */
  readonly context?: string | undefined;
}

type ResourceMap = Map<string, CacheEntry>;
type ActionMap = Map<string, ResourceMap>;
type SubjectMap = Map<string, ActionMap>;

class TenantNode {
  /** Entries of an older generation are misses. */
  public gen = 0;
  /**
   * Entries of a generation below this one are not served even stale-if-error. A change moves it up to `gen`; a
   * feed `gap` does not, so what was cached before an outage can still be served stale while the PDP fails.
   */
  public staleGen = 0;
  /** PDP calls in flight for this tenant; a node with none and no entries is dropped. */
  public pending = 0;
  public lastSnap: string | undefined = undefined;
  public readonly plain: SubjectMap = new Map();
  public readonly withContext = new Map<string, SubjectMap>();
}

/** @internal One cached decision. */
export interface CacheEntry {
  readonly node: TenantNode;
  readonly gen: number;
  readonly key: CacheKey;
  /** Frozen, `cached: true`. */
  readonly decision: Decision;
  /** Resolves to `decision`; returned as is on a hit, so a hit allocates nothing. */
  readonly promise: Promise<Decision>;
  readonly freshUntil: number;
  readonly snapToken: string | undefined;
  /** When the LRU last heard of a hit on this entry (coarse milliseconds). */
  touchedAt: number;
}


/** How stale an entry's recency in the LRU may get before a hit refreshes it. */
const RECENCY_MS = 250;

const ALLOWED: Decision = Object.freeze({ allowed: true, reason: 'allowed', cached: true });
const DENIED: Decision = Object.freeze({ allowed: false, reason: 'denied', cached: true });
const ALLOWED_PROMISE = Promise.resolve(ALLOWED);
const DENIED_PROMISE = Promise.resolve(DENIED);

function positiveInt(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw InvalidRequestError.badValue(`options.${name}`, value, allowZero ? 'an integer ≥ 0' : 'a positive integer');
  }
  return value;
}

/**
 * The client's decision cache (docs/architecture.md#the-decision-cache): bounded by entries and TTL, keyed by tenant, subject, action,
 * resource and a stable text of the context, invalidated per tenant by the PDP's change events. Identical
 * concurrent misses share one PDP call; the misses of one event-loop turn go out as bulk checks.
 *
 * `Gatehouse` builds one from its `cache` option; use it directly only to put a cache in front of a
 * `Pdp` elsewhere.
 *
 * @example
 * ```ts
 * const cache = new DecisionCache(pdp, { ttlMs: 30_000 });
 * const decision = await cache.check({ tenant: 't1', subject: { type: 'user', id: 'alice' },
 *   action: 'read', resource: { type: 'document', id: '1' } });
 * ```
 */
export class DecisionCache {
  readonly #pdp: Pdp;
  readonly #tenants = new Map<string, TenantNode>();
  readonly #lru: LRUCache<CacheEntry, CacheEntry>;
  readonly #inflight = new Map<string, Promise<Decision>>();
  readonly #ttlMs: number;
  readonly #maxStaleMs: number;
  readonly #ask: (request: CheckRequest) => Promise<Decision>;
  readonly #unsubscribe: () => void;
  #hits = 0;
  #misses = 0;
  #coalesced = 0;
  #evictions = 0;
  #staleServed = 0;

  /**
   * @param pdp - the PDP asked on a miss; its change events invalidate entries.
   * @param options - bounds and behaviour; see {@link DecisionCacheOptions}.
   * @throws {@link InvalidRequestError} when an option is out of range.
   */
  public constructor(pdp: Pdp, options: DecisionCacheOptions = {}) {
    this.#pdp = pdp;
    const maxEntries = positiveInt('maxEntries', options.maxEntries, 100_000);
    this.#ttlMs = positiveInt('ttlMs', options.ttlMs, 60_000);
    this.#maxStaleMs = positiveInt('maxStaleMs', options.maxStaleMs, 0, true);
    const batchLimit = positiveInt('batchLimit', options.batchLimit, 100);
    if (options.coalesce ?? true) {
      const coalescer = new Coalescer(pdp, batchLimit, (shared) => { this.#coalesced += shared; });
      this.#ask = async (request) => await coalescer.check(request);
    } else {
      this.#ask = async (request) => await pdp.check(request);
    }
    this.#lru = new LRUCache<CacheEntry, CacheEntry>({
      max: maxEntries,
      ttl: this.#ttlMs + this.#maxStaleMs,
      dispose: (entry, _key, reason) => {
        if (reason === 'evict') this.#evictions++;
        this.#unlink(entry);
      },
    });
    this.#unsubscribe = pdp.subscribe((event) => { this.#onChange(event); });
  }

  /** @internal Tenants the cache holds state for (entries or calls in flight). */
  public get tenantCount(): number {
    return this.#tenants.size;
  }

  /** Counters; a fresh object on every read. */
  public get stats(): CacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      coalesced: this.#coalesced,
      evictions: this.#evictions,
      staleServed: this.#staleServed,
      size: this.#lru.size,
    };
  }

  /**
   * Answers a normalised check from the cache, or asks the PDP (sharing the call with identical and
   * concurrent misses) and stores the answer. Rejects when the PDP fails; see {@link DecisionCache.stale}.
   * @param request - the check, as a `Pdp` receives it.
   * @param options - `signal` stops waiting (the shared PDP call goes on for the others).
   * @returns the decision; `cached: true` when it came from the cache.
   */
  public async check(request: CheckRequest, options?: CallOptions): Promise<Decision> {
    const key: CacheKey = {
      tenant: request.tenant,
      subject: subjectKey(request.subject, request.subject),
      action: request.action,
      resource: resourceKey(request.resource, request.resource),
      context: contextKey(request.context),
    };
    const token = request.consistency?.atLeastAsFresh;
    const entry = this.lookup(key.tenant, key.subject, key.action, key.resource, key.context, token);
    if (entry !== undefined) return await entry.promise;
    return { ...(await this.load(request, key, options?.signal)), cached: false };
  }

  /**
   * The entry for a key when one of the current generation is fresh (and at least as fresh as the snap
   * token, when one is given); counts a hit. The hot path:
   * nested Map lookups on the caller's strings, nothing allocated.
   * @internal
   */
  public lookup(
    tenant: string,
    subject: string,
    action: string,
    resource: string,
    context?: string,
    atLeastAsFresh?: string,
  ): CacheEntry | undefined {
    const node = this.#tenants.get(tenant);
    if (node === undefined) return undefined;
    const entry =
      context === undefined
        ? node.plain.get(subject)?.get(action)?.get(resource)
        : node.withContext.get(context)?.get(subject)?.get(action)?.get(resource);
    if (entry?.gen !== node.gen) return undefined;
    const now = coarseNow();
    if (entry.freshUntil < now || (atLeastAsFresh !== undefined && !this.isFresh(entry, atLeastAsFresh))) return undefined;
    // Recency with a resolution of RECENCY_MS: lru-cache's get() costs more than the rest of a hit.
    if (now - entry.touchedAt > RECENCY_MS) {
      entry.touchedAt = now;
      this.#lru.get(entry);
    }
    this.#hits++;
    return entry;
  }

  /**
   * True when the entry is known to be at least as fresh as `token`. Decimal tokens compare as integers
   * (or by the PDP's `compareSnapTokens`); anything else is unknown freshness, so false.
   * @internal
   */
  public isFresh(entry: CacheEntry, token: string): boolean {
    if (entry.snapToken === undefined) return false;
    const order = this.#compare(entry.snapToken, token);
    return order !== undefined && order >= 0;
  }

  /**
   * Stale-if-error: the decision for a key when one of the current generation expired no more than
   * `maxStaleMs` ago. Counts `staleServed`.
   */
  public stale(key: CacheKey): Decision | undefined {
    if (this.#maxStaleMs === 0) return undefined;
    const node = this.#tenants.get(key.tenant);
    if (node === undefined) return undefined;
    const entry = this.#find(node, key);
    if (entry === undefined || entry.gen < node.staleGen) return undefined;
    if (coarseNow() > entry.freshUntil + this.#maxStaleMs || !this.#lru.has(entry)) return undefined;
    this.#staleServed++;
    return entry.decision;
  }

  /**
   * Asks the PDP for a key the cache could not answer, and stores the answer unless the tenant changed
   * meanwhile (no stale fill). Identical concurrent loads share one call.
   * @internal
   */
  public async load(request: CheckRequest, key: CacheKey, signal?: AbortSignal): Promise<Decision> {
    this.#misses++;
    const node = this.#node(key.tenant);
    const gen = node.gen;
    const snapAtStart = node.lastSnap;
    const token = request.consistency?.atLeastAsFresh;
    const flightKey = JSON.stringify([
      gen, key.tenant, key.subject, key.action, key.resource, token ?? null, request.depth ?? null, key.context ?? null,
    ]);
    const shared = this.#inflight.get(flightKey);
    if (shared !== undefined) {
      this.#coalesced++;
      return await detachable(shared, signal);
    }
    node.pending++;
    const flight = this.#ask(request).then((decision) => {
      if (node.gen === gen) this.#store(node, key, decision, newest(this.#compare, token, snapAtStart));
      return decision;
    });
    this.#inflight.set(flightKey, flight);
    const forget = (): void => {
      if (this.#inflight.get(flightKey) === flight) this.#inflight.delete(flightKey);
      node.pending--;
      this.#prune(key.tenant, node);
    };
    flight.then(forget, forget);
    return await detachable(flight, signal);
  }

  /**
   * Ends every decision of a tenant (or of all tenants with `'*'`) as a change event would.
   * @param tenant - the tenant id, or `'*'`.
   */
  public invalidate(tenant: string): void {
    this.#onChange({ tenant, kind: 'reset' });
  }

  /** Drops every entry. */
  public clear(): void {
    this.#lru.clear();
    for (const node of this.#tenants.values()) node.staleGen = ++node.gen;
  }

  /** Stops listening to the PDP's change events and drops every entry. */
  public close(): void {
    this.#unsubscribe();
    this.clear();
  }

  #compare = (a: string, b: string): number | undefined => {
    if (this.#pdp.compareSnapTokens === undefined) return compareDecimalSnapTokens(a, b);
    try {
      const order = this.#pdp.compareSnapTokens(a, b);
      return Number.isFinite(order) ? order : undefined;
    } catch {
      return undefined;
    }
  };

  #node(tenant: string): TenantNode {
    let node = this.#tenants.get(tenant);
    if (node === undefined) {
      node = new TenantNode();
      this.#tenants.set(tenant, node);
    }
    return node;
  }

  #onChange(event: ChangeEvent): void {
    // A gap (the feed was cut) ends every entry as a fresh answer; only a change also ends it as a stale one.
    const bump = event.kind === 'gap' ? (n: TenantNode): void => { n.gen++; } : (n: TenantNode): void => { n.staleGen = ++n.gen; };
    if (event.tenant === '*') {
      for (const node of this.#tenants.values()) bump(node);
      return;
    }
    const node = this.#tenants.get(event.tenant);
    if (node === undefined) return;
    bump(node);
    const snap = event.snapToken;
    if (snap !== undefined && (node.lastSnap === undefined || (this.#compare(snap, node.lastSnap) ?? 0) > 0)) {
      node.lastSnap = snap;
    }
  }

  #find(node: TenantNode, key: CacheKey): CacheEntry | undefined {
    const subjects = key.context === undefined ? node.plain : node.withContext.get(key.context);
    return subjects?.get(key.subject)?.get(key.action)?.get(key.resource);
  }

  #store(node: TenantNode, key: CacheKey, decision: Decision, derivedSnap: string | undefined): void {
    if (decision.reason !== undefined && decision.reason !== 'allowed' && decision.reason !== 'denied') return;
    const pdpSnap = decision.snapToken;
    let cached: Decision;
    let promise: Promise<Decision>;
    if (pdpSnap === undefined) {
      cached = decision.allowed ? ALLOWED : DENIED;
      promise = decision.allowed ? ALLOWED_PROMISE : DENIED_PROMISE;
    } else {
      cached = Object.freeze({
        allowed: decision.allowed,
        reason: decision.allowed ? 'allowed' : 'denied',
        snapToken: pdpSnap,
        cached: true,
      });
      promise = Promise.resolve(cached);
    }
    const entry: CacheEntry = {
      node,
      gen: node.gen,
      key,
      decision: cached,
      promise,
      freshUntil: coarseNow() + this.#ttlMs,
      snapToken: pdpSnap ?? derivedSnap,
      touchedAt: coarseNow(),
    };
    const old = this.#find(node, key);
    if (old !== undefined) this.#lru.delete(old);
    this.#link(node, entry);
    this.#lru.set(entry, entry);
  }

  #link(node: TenantNode, entry: CacheEntry): void {
    const key = entry.key;
    let subjects = key.context === undefined ? node.plain : node.withContext.get(key.context);
    if (subjects === undefined) {
      subjects = new Map();
      node.withContext.set(key.context ?? '', subjects);
    }
    let actions = subjects.get(key.subject);
    if (actions === undefined) {
      actions = new Map();
      subjects.set(key.subject, actions);
    }
    let resources = actions.get(key.action);
    if (resources === undefined) {
      resources = new Map();
      actions.set(key.action, resources);
    }
    resources.set(key.resource, entry);
  }

  #unlink(entry: CacheEntry): void {
    const { node, key } = entry;
    const subjects = key.context === undefined ? node.plain : node.withContext.get(key.context);
    const actions = subjects?.get(key.subject);
    const resources = actions?.get(key.action);
    if (subjects === undefined || actions === undefined || resources?.get(key.resource) !== entry) return;
    resources.delete(key.resource);
    if (resources.size !== 0) return;
    actions.delete(key.action);
    if (actions.size !== 0) return;
    subjects.delete(key.subject);
    if (subjects.size === 0 && key.context !== undefined) node.withContext.delete(key.context);
    this.#prune(key.tenant, node);
  }

  /** Forgets a tenant with no entries and no call in flight, so tenant ids seen once do not pile up. */
  #prune(tenant: string, node: TenantNode): void {
    if (node.pending === 0 && node.plain.size === 0 && node.withContext.size === 0 && this.#tenants.get(tenant) === node) {
      this.#tenants.delete(tenant);
    }
  }
}

function newest(
  compare: (a: string, b: string) => number | undefined,
  a: string | undefined,
  b: string | undefined,
): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (compare(a, b) ?? 0) >= 0 ? a : b;
}
