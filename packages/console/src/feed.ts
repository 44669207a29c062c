import type { Api } from './api.js';

/** One event of the change feed. */
export interface ChangeEvent {
  readonly tenant: string;
  readonly snapToken: string;
  readonly kind: 'data' | 'schema' | 'tenant' | 'reset';
  readonly changes: readonly { operation: string; tuple?: unknown; attribute?: unknown }[];
}

/**
 * Splits a server-sent-events byte stream into events (`event:`, `data:`, `id:` fields; comments ignored), per
 * the HTML standard's parsing rules for the parts the server sends.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;

  public constructor(private readonly onEvent: (type: string, data: string, id: string | undefined) => void) {}

  public push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) !== -1) {
      // A CR at the end of what has arrived may be the first half of a CRLF split across chunks: wait for more.
      if (nl === this.buffer.length - 1 && this.buffer.endsWith('\r')) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + (this.buffer.startsWith('\r\n', nl) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onEvent(this.event === '' ? 'message' : this.event, this.data.join('\n'), this.id);
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\u0000')) this.id = value;
  }

  /** The last `id:` seen (where a reconnect resumes). */
  public lastEventId(): string | undefined {
    return this.id;
  }
}

/**
 * Follows a tenant's change feed with fetch streaming (EventSource cannot send the key in a header), reconnecting
 * with `Last-Event-ID` after a drop. Returns the function that stops it.
 */
export function watch(
  api: Api,
  tenant: string,
  onChange: (e: ChangeEvent) => void,
  onStatus: (status: 'connecting' | 'live' | 'error', message?: string) => void,
): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  const stopped = (): boolean => abort.signal.aborted;
  const run = async (): Promise<void> => {
    let delay = 500;
    while (!abort.signal.aborted) {
      onStatus('connecting');
      try {
        const res = await api.openWatch(tenant, abort.signal, lastId);
        onStatus('live');
        delay = 500;
        const parser = new SseParser((type, data) => {
          if (type !== 'change') return;
          const raw = JSON.parse(data) as { tenant: string; snap_token: string; kind: ChangeEvent['kind']; changes: ChangeEvent['changes'] };
          onChange({ tenant: raw.tenant, snapToken: raw.snap_token, kind: raw.kind, changes: raw.changes });
        });
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.push(decoder.decode(value, { stream: true }));
          lastId = parser.lastEventId() ?? lastId;
        }
      } catch (err) {
        if (stopped()) return;
        onStatus('error', (err as Error).message);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void run();
  return () => {
    abort.abort();
  };
}
