import { Redis } from 'ioredis';

import { parseNotice } from './change-relay.js';
import type { ChangeNotice, ChangeRelay, RelayHandlers } from './change-relay.js';

/**
 * Redis pub/sub relay (ioredis): for deployments that already fan out through Redis, or where LISTEN
 * connections are scarce (PgBouncer in transaction mode). Notices are published after COMMIT, so one
 * can be lost when a writer dies in between: the store's poll (`pollIntervalMs`) covers that gap.
 * ioredis reconnects and resubscribes by itself; every `ready` after the first asks for a resync. @internal
 */
export class RedisRelay implements ChangeRelay {
  public readonly transactional = false;
  public readonly channel = undefined;
  private readonly topic: string;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readyCount = 0;

  public constructor(url: string, keyPrefix: string, schema: string) {
    this.topic = `${keyPrefix}changes:${schema}`;
    const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true } as const;
    this.pub = new Redis(url, options);
    this.sub = new Redis(url, options);
    // ioredis reports connection errors here and reconnects; the poll keeps replicas current meanwhile.
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
  }

  public async start(handlers: RelayHandlers): Promise<void> {
    this.sub.on('message', (channel: string, message: string) => {
      if (channel !== this.topic) return;
      const notice = parseNotice(message);
      if (notice !== undefined) handlers.onNotice(notice);
    });
    this.sub.on('ready', () => {
      this.readyCount++;
      if (this.readyCount > 1) handlers.onResync();
    });
    try {
      await Promise.all([this.pub.connect(), this.sub.connect()]);
      await this.sub.subscribe(this.topic);
    } catch (err) {
      // Stop ioredis from retrying in the background: open() failed and will say so.
      this.pub.disconnect();
      this.sub.disconnect();
      throw err;
    }
  }

  public publish(notice: ChangeNotice): void {
    this.pub.publish(this.topic, JSON.stringify(notice)).catch(() => undefined);
  }

  public async close(): Promise<void> {
    await Promise.all([this.pub.quit().catch(() => undefined), this.sub.quit().catch(() => undefined)]);
    this.pub.disconnect();
    this.sub.disconnect();
  }

  /** Drops the subscriber connection as a network failure would (tests). @internal */
  public dropConnection(): void {
    this.sub.disconnect(true);
  }
}
