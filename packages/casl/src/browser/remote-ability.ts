import { createMongoAbility } from '@casl/ability';
import type { AbilityOptionsOf, MongoAbility, RawRuleOf } from '@casl/ability';
import { unpackRules } from '@casl/ability/extra';
import type { PackRule } from '@casl/ability/extra';

const DECIMAL = /^\d{1,40}$/;

/** The body the abilities endpoint answers (`abilityPayload` on the server). */
export interface RemoteAbilityPayload {
  readonly rules: PackRule<RawRuleOf<MongoAbility>>[];
  readonly snapToken?: string;
  readonly expiresAt: number;
  readonly etag?: string;
}

/** The part of `EventSource` used; pass a polyfill's constructor where there is no global one. */
export interface EventSourceLike {
  onmessage: ((event: { data?: unknown }) => void) | null;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
}

/** Options of {@link RemoteAbility}. */
export interface RemoteAbilityOptions {
  /** URL of the abilities endpoint (`abilitiesHandler` / `createAbilitiesController`). */
  readonly url: string;
  /** Request headers, or a function returning them per request (for a token that changes). */
  readonly headers?: Record<string, string> | (() => Record<string, string>);
  /** `fetch` credentials mode. @defaultValue `'same-origin'` */
  readonly credentials?: 'omit' | 'same-origin' | 'include';
  /** Refresh every so many milliseconds; off when absent. */
  readonly refreshIntervalMs?: number;
  /** URL of a server-sent change stream; every event (message or `change`) triggers a refresh. */
  readonly eventsUrl?: string;
  /** `EventSource` constructor. @defaultValue `globalThis.EventSource` */
  readonly EventSource?: new (url: string, init?: { withCredentials?: boolean }) => EventSourceLike;
  /** `fetch` implementation. @defaultValue `globalThis.fetch` */
  readonly fetch?: typeof fetch;
  /** An ability to keep updated (e.g. the one given to `@casl/react`'s context); a new one when absent. */
  readonly ability?: MongoAbility;
  /** Passed to `createMongoAbility` when the ability is created here. */
  readonly detectSubjectType?: (object: Record<PropertyKey, unknown>) => string;
  /** Called with every refresh failure of the interval and the change stream. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Keeps a CASL `MongoAbility` in the browser in step with the server's Gatehouse decisions: fetches the
 * packed rules, updates the ability in place (`ability.update`, so `<Can>` re-renders), and refreshes on
 * demand, on an interval or on a server-sent change event (an event whose `data` is JSON with a decimal
 * `snapToken` no newer than the rules' is skipped). Unchanged rules (same ETag) cause no update.
 * When a refresh fails after the rules expired, the ability is emptied: it fails closed.
 * @example
 * ```ts
 * const remote = new RemoteAbility({ url: '/abilities', eventsUrl: '/events', headers: { authorization: 'Bearer alice' } });
 * await remote.ready;
 * remote.ability.can('edit', subject('document', { id: '1' }));
 * remote.subscribe(() => console.log('rules changed'));
 * remote.close();
 * ```
 */
export class RemoteAbility {
  /** The ability kept up to date. */
  public readonly ability: MongoAbility;
  /** Settles after the first load (rejects when it failed). */
  public readonly ready: Promise<void>;
  private readonly options: RemoteAbilityOptions;
  private readonly listeners = new Set<() => void>();
  private etag: string | undefined;
  private payload: RemoteAbilityPayload | undefined;
  private changes = 0;
  private inFlight: Promise<boolean> | undefined;
  private again = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private events: EventSourceLike | undefined;
  private closed = false;
  private ttlMs = 0;

  /**
   * Starts loading at once.
   * @param options - see {@link RemoteAbilityOptions}.
   * @throws TypeError when `url` or `refreshIntervalMs` is invalid.
   */
  public constructor(options: RemoteAbilityOptions) {
    if (typeof options.url !== 'string' || options.url === '') {
      throw new TypeError(`expected options.url to be a URL, got ${JSON.stringify(options.url)}`);
    }
    const interval = options.refreshIntervalMs;
    if (interval !== undefined && !(Number.isInteger(interval) && interval > 0)) {
      throw new TypeError(`expected options.refreshIntervalMs to be a positive integer, got ${String(interval)}`);
    }
    this.options = options;
    const abilityOptions: AbilityOptionsOf<MongoAbility> = options.detectSubjectType
      ? { detectSubjectType: options.detectSubjectType }
      : {};
    this.ability = options.ability ?? createMongoAbility([], abilityOptions);
    this.ready = this.refresh().then(() => undefined);
    this.ready.catch(() => undefined);
    if (interval !== undefined) {
      this.timer = setInterval(() => void this.background(), interval);
      (this.timer as { unref?: () => void }).unref?.();
    }
    if (options.eventsUrl !== undefined) this.listen(options.eventsUrl);
  }

  /** Snap token of the rules in use, when the server sends one. */
  public get snapToken(): string | undefined {
    return this.payload?.snapToken;
  }

  /** When the rules in use expire (ms since the epoch); 0 before the first load. */
  public get expiresAt(): number {
    return this.payload?.expiresAt ?? 0;
  }

  /** Grows by one each time the rules change: a snapshot for `useSyncExternalStore`. */
  public get version(): number {
    return this.changes;
  }

  /**
   * Fetches the rules now. Concurrent calls share one request, and a call made during a request causes
   * one more afterwards, so the last answer is never older than the last call.
   * @returns true when the rules changed.
   * @throws the fetch error, or an Error naming the HTTP status.
   */
  public async refresh(): Promise<boolean> {
    if (this.inFlight !== undefined) {
      this.again = true;
      return await this.inFlight;
    }
    this.inFlight = this.load();
    try {
      let changed = await this.inFlight;
      while (this.again && !this.closed) {
        this.again = false;
        this.inFlight = this.load();
        changed = (await this.inFlight) || changed;
      }
      return changed;
    } finally {
      this.inFlight = undefined;
    }
  }

  /**
   * Calls `listener` after every change of the rules. Bound, so it can be passed as is:
   * `useSyncExternalStore(remote.subscribe, remote.getSnapshot)`.
   * @returns the unsubscribe function.
   */
  public readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** The current {@link RemoteAbility.version}; bound, for `useSyncExternalStore`. */
  public readonly getSnapshot = (): number => this.changes;

  /** Stops the interval and the change stream; the ability keeps its last rules. */
  public close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.events?.close();
    this.events = undefined;
    this.listeners.clear();
  }

  private listen(url: string): void {
    const Source = this.options.EventSource ?? (globalThis as { EventSource?: RemoteAbilityOptions['EventSource'] }).EventSource;
    if (Source === undefined) throw new TypeError('options.eventsUrl needs EventSource: pass options.EventSource');
    const events = new Source(url, { withCredentials: this.options.credentials === 'include' });
    const onEvent = (event: { data?: unknown }): void => {
      if (!this.isStale(event.data)) return;
      void this.background();
    };
    events.onmessage = onEvent;
    events.addEventListener('change', onEvent);
    this.events = events;
  }

  /**
   * False only when the event carries a decimal snap token (Gatehouse's PDPs) no newer than the rules' own:
   * the rules already include that change. Anything else (no token, an opaque one) means refresh.
   */
  private isStale(data: unknown): boolean {
    const current = this.payload?.snapToken;
    if (typeof data !== 'string' || current === undefined || !DECIMAL.test(current)) return true;
    let token: unknown;
    try {
      token = (JSON.parse(data) as { snapToken?: unknown } | null)?.snapToken;
    } catch {
      return true;
    }
    return typeof token !== 'string' || !DECIMAL.test(token) || BigInt(token) > BigInt(current);
  }

  private async background(): Promise<void> {
    try {
      await this.refresh();
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  private async load(): Promise<boolean> {
    const { headers, credentials = 'same-origin' } = this.options;
    const doFetch = this.options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await doFetch(this.options.url, {
        headers: {
          accept: 'application/json',
          ...(typeof headers === 'function' ? headers() : headers),
          ...(this.etag === undefined ? {} : { 'if-none-match': this.etag }),
        },
        credentials,
        cache: 'no-store',
      });
      if (response.status === 304) {
        if (this.payload !== undefined) this.payload = { ...this.payload, expiresAt: Date.now() + this.ttlMs };
        return false;
      }
      if (!response.ok) throw new Error(`abilities request to ${this.options.url} failed: HTTP ${String(response.status)}`);
    } catch (err) {
      if (this.payload !== undefined && Date.now() >= this.payload.expiresAt) this.install(undefined, undefined);
      throw err;
    }
    // JSON.parse in this realm: objects made by another realm's `response.json()` (a vm, an iframe's fetch)
    // fail the plain-object checks of CASL's condition parser.
    const payload = JSON.parse(await response.text()) as RemoteAbilityPayload;
    const etag = response.headers.get('etag') ?? payload.etag;
    if (this.closed) return false;
    if (etag !== undefined && etag === this.etag) {
      this.payload = payload;
      this.ttlMs = Math.max(0, payload.expiresAt - Date.now());
      return false;
    }
    this.install(payload, etag);
    return true;
  }

  private install(payload: RemoteAbilityPayload | undefined, etag: string | undefined): void {
    this.payload = payload;
    if (payload !== undefined) this.ttlMs = Math.max(0, payload.expiresAt - Date.now());
    this.etag = etag;
    this.ability.update(payload === undefined ? [] : unpackRules(payload.rules));
    this.changes += 1;
    for (const listener of [...this.listeners]) listener();
  }
}
