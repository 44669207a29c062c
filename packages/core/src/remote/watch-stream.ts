import { buildConnector, Client } from 'undici';

import type { ChangeEvent } from '../types.js';

/** Options of the change stream of one RemotePdp. */
export interface WatchStreamOptions {
  readonly origin: string;
  /** Path of the multiplexed feed, e.g. `/v1/watch`; tenants are added as `?tenant=a&tenant=b`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly emit: (event: ChangeEvent) => void;
  /** Longest silence (heartbeats included) before the stream is taken for dead and reconnected. */
  readonly idleTimeoutMs: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /**
   * Longest `?tenant=…` query; with more tenants than fit, the stream asks for every tenant the key may use
   * (no filter) and drops the events of tenants nobody watches.
   */
  readonly maxQueryLength: number;
  /** How long a new tenant waits for others before the stream is re-aimed (one reconnect for a burst). */
  readonly retargetDelayMs: number;
}

const KINDS = new Set(['data', 'schema', 'tenant', 'reset']);

/** The reason of an abort that only re-aims the stream (a tenant was added): not a failure, no backoff. */
const RETARGET = Symbol('retarget');

/**
 * Sockets of the watch stream never keep the process alive: undici re-refs a socket while a request runs,
 * and a change stream is a request that never ends.
 */
function unrefConnector(): buildConnector.connector {
  const connect = buildConnector({});
  return (options, callback) => {
    connect(options, (...args) => {
      if (args[0] === null) {
        const socket = args[1];
        socket.unref();
        socket.ref = () => socket;
        callback(null, socket);
      } else {
        callback(args[0], null);
      }
    });
  };
}

/**
 * One server-sent change feed (`GET /v1/watch?tenant=…`) carrying every watched tenant, on its own undici
 * `Client` (never a connection of the call pool).
 *
 * - A tenant added while the stream is filtered re-aims it: the connection is replaced by one with the wider
 *   filter that resumes from the last event id, so the tenants already covered miss nothing.
 * - A `reset` is emitted for a tenant whenever its coverage may have had a gap: when a connection first
 *   covers it (it was added, or the previous connection failed), since anything may have changed while
 *   nobody listened. A failed connection is retried with jittered exponential backoff and `Last-Event-ID`;
 *   {@link WatchStream.wake} (called when a PDP call succeeds) cuts the backoff short.
 * - When a live connection is lost, every tenant it covered gets a `gap` event at once: its cached decisions
 *   stop being fresh until the `reset` of the next connection.
 * - With no tenant left the connection is closed (idle) until a tenant is added again.
 */
export class WatchStream {
  readonly #options: WatchStreamOptions;
  readonly #client: Client;
  readonly #closed = new AbortController();
  /** Tenants the owner wants watched. */
  readonly #tenants = new Set<string>();
  /** Tenants covered without a gap since their last `reset`. */
  #covered = new Set<string>();
  /** The running connection: its filter (`undefined`: every tenant) and its abort. */
  #current: { readonly filter: ReadonlySet<string> | undefined; readonly abort: AbortController } | undefined;
  #lastEventId: string | undefined;
  #attempt = 0;
  #running = false;
  /** True while a connection is live (answered 200). */
  #connected = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  #retarget: ReturnType<typeof setTimeout> | undefined;
  /** When the last connection attempt started (`Date.now()`). */
  #attemptedAt = 0;
  /** When the current backoff pause ends (`Date.now()`). */
  #pauseUntil = 0;
  /** Times the stream was (re)connected; for tests and stats. */
  public connections = 0;

  public constructor(options: WatchStreamOptions) {
    this.#options = options;
    this.#client = new Client(options.origin, { connect: unrefConnector(), bodyTimeout: options.idleTimeoutMs });
  }

  /** Watched tenants. */
  public get tenants(): string[] {
    return [...this.#tenants];
  }

  /** Watches a tenant too (a no-op when it already is). */
  public add(tenant: string): void {
    if (this.#closed.signal.aborted || this.#tenants.has(tenant)) return;
    this.#tenants.add(tenant);
    const current = this.#current;
    if (current !== undefined && this.#connected && (current.filter === undefined || current.filter.has(tenant))) {
      // The live connection carries the tenant already (unfiltered, or it was watched before and not re-aimed
      // since): covered from now on, but its events until now were dropped.
      this.#covered.add(tenant);
      this.#options.emit({ tenant, kind: 'reset' });
    } else if (current?.filter !== undefined) {
      // Re-aim: a connection with the wider filter, resuming from the last event id. Tenants first used
      // within the same short window share one reconnect.
      this.#retarget ??= setTimeout(() => {
        this.#retarget = undefined;
        const now = this.#current;
        // The connection may already carry them (it was replaced meanwhile).
        if (now?.filter !== undefined && this.tenants.some((t) => !now.filter?.has(t))) now.abort.abort(RETARGET);
      }, this.#options.retargetDelayMs);
      this.#retarget.unref();
    }
    // A stream waiting out a backoff keeps waiting: the new tenant is in its next attempt.
    if (!this.#running) void this.#run();
  }

  /**
   * Cuts a reconnect backoff short: the owner just heard from the PDP, so the feed is tried again now instead of
   * after up to `backoff.maxMs`; within `backoff.initialMs` of the last attempt, once that much has passed. A no-op
   * while connected or idle.
   */
  public wake(): void {
    const wake = this.#wake;
    if (wake === undefined) return;
    const now = Date.now();
    const wait = this.#attemptedAt + this.#options.backoff.initialMs - now;
    if (wait <= 0) {
      wake();
    } else if (now + wait < this.#pauseUntil) {
      // Too soon after the last attempt: try again once the shortest backoff has passed, not after the whole pause.
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#pauseUntil = now + wait;
      this.#timer = setTimeout(wake, wait);
      this.#timer.unref();
    }
  }

  /** Stops watching a tenant; the connection closes when none is left. */
  public remove(tenant: string): void {
    if (!this.#tenants.delete(tenant)) return;
    this.#covered.delete(tenant);
    if (this.#tenants.size === 0) this.#current?.abort.abort(RETARGET);
  }

  public async close(): Promise<void> {
    this.#closed.abort();
    this.#current?.abort.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#retarget !== undefined) clearTimeout(this.#retarget);
    this.#wake?.();
    await this.#client.destroy();
  }

  /** The filter for the wanted tenants, or `undefined` (every tenant) when it would not fit the query. */
  #filter(): Set<string> | undefined {
    let length = 0;
    for (const t of this.#tenants) length += 8 + encodeURIComponent(t).length;
    return length > this.#options.maxQueryLength ? undefined : new Set(this.#tenants);
  }

  #stopped(): boolean {
    return this.#closed.signal.aborted;
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (!this.#stopped() && this.#tenants.size > 0) {
        const abort = new AbortController();
        const filter = this.#filter();
        this.#current = { filter, abort };
        try {
          await this.#listen(filter, abort.signal);
        } catch {
          // Refused, reset, timed out, aborted or answered with an error: see below.
        }
        this.#current = undefined;
        this.#connected = false;
        if (this.#stopped()) return;
        if (abort.signal.aborted && abort.signal.reason === RETARGET) continue;
        // The connection failed or ended: everything covered may now miss events until the next connection, so
        // nothing derived until now may be served as fresh (a `reset` follows once a connection covers it again).
        const cut = this.#covered;
        this.#covered = new Set();
        for (const tenant of cut) this.#options.emit({ tenant, kind: 'gap' });
        await this.#pause();
      }
    } finally {
      this.#running = false;
    }
  }

  async #listen(filter: ReadonlySet<string> | undefined, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { ...this.#options.headers, accept: 'text/event-stream' };
    if (this.#lastEventId !== undefined) headers['last-event-id'] = this.#lastEventId;
    const query = filter === undefined ? '' : `?${[...filter].map((t) => `tenant=${encodeURIComponent(t)}`).join('&')}`;
    this.#attemptedAt = Date.now();
    const res = await this.#client.request({ method: 'GET', path: `${this.#options.path}${query}`, headers, signal });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`watch answered ${String(res.statusCode)}`);
    }
    this.connections++;
    this.#attempt = 0;
    this.#connected = true;
    // Everything this connection carries that was not covered gap-free until now starts over.
    const carried = filter ?? this.#tenants;
    const covered = new Set<string>();
    for (const tenant of carried) {
      if (!this.#tenants.has(tenant)) continue;
      covered.add(tenant);
      if (!this.#covered.has(tenant)) this.#options.emit({ tenant, kind: 'reset' });
    }
    this.#covered = covered;
    res.body.setEncoding('utf8');
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += chunk as string;
      let end = /\r\n\r\n|\n\n|\r\r/.exec(buffer);
      while (end !== null) {
        this.#dispatch(buffer.slice(0, end.index));
        buffer = buffer.slice(end.index + end[0].length);
        end = /\r\n\r\n|\n\n|\r\r/.exec(buffer);
      }
    }
  }

  #dispatch(block: string): void {
    let data: string | undefined;
    let id: string | undefined;
    for (const line of block.split(/\r\n|\r|\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'data') data = data === undefined ? value : `${data}\n${value}`;
      else if (name === 'id' && !value.includes('\u0000')) id = value;
    }
    if (id !== undefined) this.#lastEventId = id;
    if (data === undefined) return;
    const event = this.#event(data, id);
    // An unfiltered stream carries tenants nobody here watches.
    if (event.tenant === '*' || this.#tenants.has(event.tenant)) this.#options.emit(event);
  }

  #event(data: string, id: string | undefined): ChangeEvent {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      // Cannot tell whose change this was: every tenant starts over.
      return { tenant: '*', kind: 'reset' };
    }
    if (typeof parsed !== 'object' || parsed === null) return { tenant: '*', kind: 'reset' };
    const record = parsed as Record<string, unknown>;
    const kind = typeof record.kind === 'string' && KINDS.has(record.kind) ? (record.kind as ChangeEvent['kind']) : 'data';
    const tenant = typeof record.tenant === 'string' && record.tenant !== '' ? record.tenant : '*';
    const snap = typeof record.snap_token === 'string' && record.snap_token !== '' ? record.snap_token : id;
    return snap === undefined || kind === 'reset' ? { tenant, kind } : { tenant, kind, snapToken: snap };
  }

  async #pause(): Promise<void> {
    const { initialMs, maxMs } = this.#options.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt++;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#pauseUntil = Date.now() + delay;
      this.#timer = setTimeout(resolve, delay);
      this.#timer.unref();
    });
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake = undefined;
  }
}
