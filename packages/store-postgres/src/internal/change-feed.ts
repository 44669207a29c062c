import { HistoryGoneError } from '@gatehouse/engine';
import type { StoreChange, StoreListener } from '@gatehouse/engine';

/** How many commits one catch-up read fetches. @internal */
export const FEED_BATCH = 500;

/**
 * Delivers commits to listeners exactly once each, in commit order, whether they were made by this
 * process or another. All work runs on one promise chain, so deliveries never interleave.
 *
 * The cursor is the last delivered token. A local commit that knows the token committed just before it
 * (`previous`) is delivered at once when the cursor is there; otherwise the feed reads every change after
 * the cursor from the database (`fetch`), which also covers other processes' commits and notices lost
 * while a relay was reconnecting. Every delivery names the token delivered before it (`previous`): the feed
 * never skips a commit, so a view at that token may apply the change as delivered. When the history after
 * the cursor was collected (`HistoryGoneError`), the feed delivers a `reset` at the head and goes on from
 * there. @internal
 */
export class ChangeFeed {
  private cursor: bigint;
  private chain: Promise<void> = Promise.resolve();
  private pending = false;
  private readonly listeners = new Set<StoreListener>();

  public constructor(
    start: string,
    private readonly fetch: (after: string) => Promise<StoreChange[]>,
    private readonly onError: (err: unknown) => void,
    private readonly head: () => Promise<string>,
  ) {
    this.cursor = BigInt(start);
  }

  /** The last delivered token. */
  public get position(): string {
    return this.cursor.toString();
  }

  public subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  public clear(): void {
    this.listeners.clear();
  }

  /** A notice of a commit: catch up when it is ahead of the cursor. */
  public notice(token: string): void {
    if (BigInt(token) > this.cursor) this.wake();
  }

  /** Catch up from the cursor (coalesced: one pending run at a time). */
  public wake(): void {
    if (this.pending) return;
    this.pending = true;
    void this.enqueue(async () => {
      this.pending = false;
      await this.catchUp();
    });
  }

  /** Delivers a local commit; resolves once it (and everything before it) reached the listeners. */
  public async local(change: StoreChange, previous: string): Promise<void> {
    await this.enqueue(async () => {
      const token = BigInt(change.snapToken);
      if (token <= this.cursor) return;
      if (this.cursor === BigInt(previous)) this.deliver(change);
      else await this.catchUp();
    });
  }

  /** Resolves when queued work is done. */
  public async idle(): Promise<void> {
    await this.chain;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.chain.then(work).catch((err: unknown) => {
      this.onError(err);
    });
    this.chain = run;
    return run;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      let changes: StoreChange[];
      try {
        changes = await this.fetch(this.cursor.toString());
      } catch (err) {
        if (!(err instanceof HistoryGoneError)) throw err;
        const head = await this.head();
        this.deliver({ kind: 'reset', tenant: '*', snapToken: head });
        continue;
      }
      for (const c of changes) if (BigInt(c.snapToken) > this.cursor) this.deliver(c);
      if (changes.length < FEED_BATCH) return;
    }
  }

  private deliver(change: StoreChange): void {
    const previous = this.cursor.toString();
    this.cursor = BigInt(change.snapToken);
    for (const l of [...this.listeners]) {
      try {
        l(change, previous);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
