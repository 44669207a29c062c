import { Client, escapeIdentifier } from 'pg';
import type { ClientConfig } from 'pg';

import { parseNotice } from './change-relay.js';
import type { ChangeNotice, ChangeRelay, RelayHandlers } from './change-relay.js';

/**
 * LISTEN/NOTIFY relay. Notices are sent by the write transaction (`pg_notify`), so PostgreSQL delivers
 * them at COMMIT, in commit order, and never for a rolled-back write. It listens on one dedicated
 * connection (not the pool's), reconnecting with backoff; after each reconnect it asks for a resync,
 * since notices sent while it was away are lost. @internal
 */
export class PostgresRelay implements ChangeRelay {
  public readonly transactional = true;
  public readonly channel: string;
  private client: Client | undefined;
  private handlers: RelayHandlers | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = 50;

  public constructor(
    private readonly config: ClientConfig,
    channel: string,
  ) {
    this.channel = channel;
  }

  public async start(handlers: RelayHandlers): Promise<void> {
    this.handlers = handlers;
    await this.connect();
  }

  public publish(_notice: ChangeNotice): void {
    // Sent inside the transaction by pg_notify.
  }

  public async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    if (c !== undefined) {
      // The socket was unref'd; while close() is awaited it must hold the process open until it ends.
      streamOf(c)?.ref?.();
      await c.end().catch(() => undefined);
    }
  }

  /** Drops the listening connection as a network failure would (tests). @internal */
  public dropConnection(): void {
    if (this.client !== undefined) streamOf(this.client)?.destroy?.();
  }

  private async connect(): Promise<void> {
    const client = new Client(this.config);
    client.on('notification', (msg) => {
      if (msg.channel !== this.channel) return;
      const notice = parseNotice(msg.payload);
      if (notice !== undefined) this.handlers?.onNotice(notice);
    });
    client.on('error', () => {
      this.lost(client);
    });
    client.on('end', () => {
      this.lost(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${escapeIdentifier(this.channel)}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      // close() ran while this connection was being made.
      await client.end().catch(() => undefined);
      return;
    }
    // A background listener must not keep the process alive on its own: close() is the owner's job.
    streamOf(client)?.unref?.();
    this.client = client;
    this.backoffMs = 50;
  }

  private lost(client: Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(5000, this.backoffMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect().then(
        () => {
          this.handlers?.onResync();
        },
        () => {
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.retryTimer.unref();
  }
}

/** The socket under a node-postgres client (not in its typings). */
function streamOf(client: Client): { ref?(): void; unref?(): void; destroy?(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { ref?(): void; unref?(): void; destroy?(): void } } }).connection
    ?.stream;
}
