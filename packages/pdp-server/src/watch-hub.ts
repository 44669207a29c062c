import type { ServerResponse } from 'node:http';
import { InvalidRequestError } from '@gatehouse/core';
import type { Engine } from '@gatehouse/engine';
import { HttpStatusError } from './http-error.js';
import { attributeToWire, tupleToWire } from './wire.js';

/** One committed change as the engine reports it. */
export interface EngineChangeLike {
  readonly tenant: string;
  readonly snapToken: string;
  readonly kind: string;
  readonly changes: readonly { operation: string; tuple?: unknown; attribute?: unknown }[];
}

interface Stream {
  readonly res: ServerResponse;
  /** The API key's principal id: streams are capped per key. */
  readonly holder: string;
  /** Tenants this stream carries; `undefined`: every tenant. */
  readonly tenants: ReadonlySet<string> | undefined;
  /** Events held back while the stream replays history. */
  buffer: EngineChangeLike[] | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** Orders snap tokens: decimal integers by value, anything else as text. */
export function compareTokens(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The SSE frame of a change: `id: <snap token>`, `event: change`, `data: {…}`. */
export function changeFrame(e: EngineChangeLike): string {
  const changes = e.changes.map((c) => ({
    operation: c.operation === 'delete' ? 'OPERATION_DELETE' : 'OPERATION_CREATE',
    ...(c.tuple === undefined ? {} : { tuple: tupleToWire(c.tuple as Parameters<typeof tupleToWire>[0]) }),
    ...(c.attribute === undefined ? {} : { attribute: attributeToWire(c.attribute as Parameters<typeof attributeToWire>[0]) }),
  }));
  const data = JSON.stringify({ tenant: e.tenant, snap_token: e.snapToken, kind: e.kind, changes });
  return `id: ${e.snapToken}\nevent: change\ndata: ${data}\n\n`;
}

/** Slow readers are cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Default of {@link WatchHubOptions.maxStreams}. */
export const DEFAULT_MAX_WATCHERS = 1000;
/** Default of {@link WatchHubOptions.maxStreamsPerKey}. */
export const DEFAULT_MAX_WATCHERS_PER_KEY = 100;

function cap(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw InvalidRequestError.badValue(`options.${name}`, value, 'a positive integer');
  return value;
}

/** Options of a {@link WatchHub}. */
export interface WatchHubOptions {
  /** Called with the number of open streams whenever it changes. */
  readonly onCount: (n: number) => void;
  /** Called when a stream is refused because a cap is reached. */
  readonly onRefused?: (scope: 'total' | 'key') => void;
  /** Most open streams in all. @defaultValue 1000 */
  readonly maxStreams?: number;
  /** Most open streams of one API key. @defaultValue 100 */
  readonly maxStreamsPerKey?: number;
}

/**
 * Fans the engine's committed changes out to the open SSE streams. Subscribes to the engine once; each
 * stream gets the events of its tenants and the `'*'` events (a default-schema change others inherit).
 */
export class WatchHub {
  readonly #streams = new Set<Stream>();
  readonly #perKey = new Map<string, number>();
  readonly #unsubscribe: () => void;
  readonly #options: WatchHubOptions;
  readonly #max: number;
  readonly #maxPerKey: number;

  public constructor(engine: Engine, options: WatchHubOptions) {
    this.#options = options;
    this.#max = cap('maxWatchers', options.maxStreams, DEFAULT_MAX_WATCHERS);
    this.#maxPerKey = cap('maxWatchersPerKey', options.maxStreamsPerKey, DEFAULT_MAX_WATCHERS_PER_KEY);
    this.#unsubscribe = engine.watch((e) => {
      this.#publish(e);
    });
  }

  /** Open streams. */
  public get size(): number {
    return this.#streams.size;
  }

  #publish(e: EngineChangeLike): void {
    for (const s of this.#streams) {
      if (e.tenant !== '*' && s.tenants !== undefined && !s.tenants.has(e.tenant)) continue;
      if (s.buffer !== undefined) s.buffer.push(e);
      else this.#write(s, changeFrame(e));
    }
  }

  #write(s: Stream, frame: string): void {
    if (s.res.writableEnded || s.res.destroyed) return;
    s.res.write(frame);
    if (s.res.writableLength > MAX_BUFFERED_BYTES) s.res.destroy();
  }

  /**
   * Registers a stream that buffers live events until {@link WatchHub.start} (so nothing committed
   * between the replay read and going live is lost). Returns the handle to pass to `start`/`drop`.
   * @param holder - the API key's principal id, for the per-key cap.
   * @throws HttpStatusError 429 when the server or the key has as many open streams as allowed.
   */
  public open(res: ServerResponse, tenants: ReadonlySet<string> | undefined, holder: string): object {
    const mine = this.#perKey.get(holder) ?? 0;
    if (this.#streams.size >= this.#max) {
      this.#options.onRefused?.('total');
      throw new HttpStatusError(429, 'GH_ERR_TOO_MANY_WATCHERS', `the server has ${String(this.#max)} open watch streams, as many as it allows (--max-watchers); try again later`);
    }
    if (mine >= this.#maxPerKey) {
      this.#options.onRefused?.('key');
      throw new HttpStatusError(
        429,
        'GH_ERR_TOO_MANY_WATCHERS',
        `this API key has ${String(this.#maxPerKey)} open watch streams, as many as one key may (--max-watchers-per-key); close one, or carry several tenants on one GET /v1/watch?tenant=…`,
      );
    }
    const s: Stream = { res, holder, tenants, buffer: [], timer: undefined };
    this.#streams.add(s);
    this.#perKey.set(holder, mine + 1);
    this.#options.onCount(this.#streams.size);
    res.on('close', () => {
      this.drop(s);
    });
    return s;
  }

  /**
   * Writes the replayed history, then the buffered live events it does not already hold (and newer than
   * `from`, which the client has seen), then goes live. Buffered events are matched to the replay by
   * tenant and token rather than by order: with a durable store the replay (read from the store) may run
   * ahead of the live events (the engine's view), and a live event the replay lacks must still be sent.
   */
  public start(handle: object, replay: readonly EngineChangeLike[], heartbeatMs: number, from?: string): void {
    const s = handle as Stream;
    // The client may have gone while history was read: nothing to start then (and no timer to leak).
    if (!this.#streams.has(s)) return;
    const sent = new Set<string>();
    for (const e of replay) {
      this.#write(s, changeFrame(e));
      sent.add(`${e.tenant}\u0000${e.snapToken}`);
    }
    const buffered = s.buffer ?? [];
    s.buffer = undefined;
    for (const e of buffered) {
      if (sent.has(`${e.tenant}\u0000${e.snapToken}`)) continue;
      if (from !== undefined && compareTokens(e.snapToken, from) <= 0) continue;
      this.#write(s, changeFrame(e));
    }
    s.timer = setInterval(() => {
      this.#write(s, ': ping\n\n');
    }, heartbeatMs);
    s.timer.unref();
  }

  /** Removes a stream (client gone, or the request failed before going live). */
  public drop(handle: object): void {
    const s = handle as Stream;
    if (!this.#streams.delete(s)) return;
    if (s.timer !== undefined) clearInterval(s.timer);
    const left = (this.#perKey.get(s.holder) ?? 1) - 1;
    if (left > 0) this.#perKey.set(s.holder, left);
    else this.#perKey.delete(s.holder);
    this.#options.onCount(this.#streams.size);
  }

  /** Ends every stream cleanly and stops listening to the engine. */
  public close(): void {
    this.#unsubscribe();
    for (const s of [...this.#streams]) {
      this.drop(s);
      if (!s.res.writableEnded) s.res.end();
    }
  }
}
