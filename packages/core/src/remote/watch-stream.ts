import { buildConnector, Client } from 'undici';

import type { ChangeEvent } from '../types.js';

/** Options of one tenant's change stream. */
export interface WatchStreamOptions {
  readonly origin: string;
  readonly path: string;
  readonly tenant: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly emit: (event: ChangeEvent) => void;
  /** Longest silence (heartbeats included) before the stream is taken for dead and reconnected. */
  readonly idleTimeoutMs: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** Called once when the server says the tenant does not exist (404); the stream then stops. */
  readonly onGone: () => void;
}

class TenantGone extends Error {}

const KINDS = new Set(['data', 'schema', 'tenant', 'reset']);

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
 * One tenant's server-sent change feed (`GET /v1/tenants/{t}/watch`). Every event bumps the tenant; every
 * (re)connection emits `reset`, since anything may have changed while nobody listened. Reconnects with
 * jittered exponential backoff and resumes with `Last-Event-ID`.
 */
export class WatchStream {
  readonly #options: WatchStreamOptions;
  readonly #client: Client;
  readonly #abort = new AbortController();
  #lastEventId: string | undefined;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  /** Times the stream was (re)connected; for tests and stats. */
  public connections = 0;

  public constructor(options: WatchStreamOptions) {
    this.#options = options;
    this.#client = new Client(options.origin, { connect: unrefConnector(), bodyTimeout: options.idleTimeoutMs });
    void this.#run();
  }

  public async close(): Promise<void> {
    this.#abort.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#wake?.();
    await this.#client.destroy();
  }

  #stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!this.#stopped()) {
      try {
        await this.#listen(signal);
      } catch (err) {
        if (err instanceof TenantGone) {
          this.#abort.abort();
          this.#options.onGone();
          void this.#client.destroy().catch(() => undefined);
          return;
        }
        // Refused, reset, timed out or answered with an error: try again after a pause.
      }
      if (this.#stopped()) return;
      await this.#pause();
    }
  }

  async #listen(signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { ...this.#options.headers, accept: 'text/event-stream' };
    if (this.#lastEventId !== undefined) headers['last-event-id'] = this.#lastEventId;
    const res = await this.#client.request({ method: 'GET', path: this.#options.path, headers, signal });
    if (res.statusCode !== 200) {
      await res.body.dump();
      if (res.statusCode === 404) throw new TenantGone();
      throw new Error(`watch answered ${String(res.statusCode)}`);
    }
    this.connections++;
    this.#attempt = 0;
    this.#options.emit({ tenant: this.#options.tenant, kind: 'reset' });
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
    this.#options.emit(this.#event(data, id));
  }

  #event(data: string, id: string | undefined): ChangeEvent {
    const tenant = this.#options.tenant;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return { tenant, kind: 'reset' };
    }
    if (typeof parsed !== 'object' || parsed === null) return { tenant, kind: 'reset' };
    const record = parsed as Record<string, unknown>;
    const kind = typeof record.kind === 'string' && KINDS.has(record.kind) ? (record.kind as ChangeEvent['kind']) : 'data';
    const eventTenant = typeof record.tenant === 'string' && record.tenant !== '' ? record.tenant : tenant;
    const snap = typeof record.snap_token === 'string' && record.snap_token !== '' ? record.snap_token : id;
    return snap === undefined ? { tenant: eventTenant, kind } : { tenant: eventTenant, kind, snapToken: snap };
  }

  async #pause(): Promise<void> {
    const { initialMs, maxMs } = this.#options.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt++;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, delay);
      this.#timer.unref();
    });
    this.#timer = undefined;
    this.#wake = undefined;
  }
}
