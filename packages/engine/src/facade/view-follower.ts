import { InvalidRequestError } from '@gatehouse/core';

import { HistoryGoneError } from '../store/history-gone-error.js';
import { MemoryStore } from '../store/memory-store.js';
import { SnapTokenAheadError } from '../store/snap-token-ahead-error.js';
import { formatSnapToken, parseSnapToken, tokenNumber } from '../store/snap-token.js';
import type { Store, StoreChange } from '../store/store.js';

/** A request waiting for the view to apply a token. */
interface Waiter {
  readonly token: number;
  readonly resolve: () => void;
}

/** What a {@link ViewFollower} reports and how long it waits. */
export interface ViewFollowerOptions {
  readonly defaultTenant: string;
  /** How long {@link ViewFollower.fresh} waits for a token the view has not applied (durable stores). */
  readonly freshnessTimeoutMs: number;
  /** Each commit the view applied, in commit order. */
  readonly onChange: (change: StoreChange) => void;
  /** The view was rebuilt from the store's head (`head`): everything derived from the old one is stale. */
  readonly onReset: (head: string) => void;
}

/**
 * Keeps the in-memory view that evaluations read in step with the store. A store that is its own view (its
 * {@link Store.memoryView} capability, the memory store) is only listened to; for a durable store the follower
 * loads a separate view, applies the commits the store delivers in order, reads gaps back with
 * `changesSince`, rebuilds the view when the store's history is gone, and lets requests wait for a snap token.
 * @internal
 */
export class ViewFollower {
  private current: MemoryStore;
  /** The store serves evaluations itself: nothing to follow. */
  private readonly own: boolean;
  private readonly waiters = new Set<Waiter>();
  private readonly unsubscribe: () => void;
  /** Serialises catch-ups and reloads of the view (durable stores). */
  private catchingUp: Promise<void> = Promise.resolve();
  /** While the view is being (re)loaded, deliveries are left to the catch-up that ends the load. */
  private loading: boolean;
  private closed = false;

  public constructor(
    private readonly store: Store,
    private readonly options: ViewFollowerOptions,
  ) {
    const own = store.memoryView;
    this.own = own !== undefined;
    this.current = own ?? new MemoryStore({ defaultTenant: options.defaultTenant });
    this.loading = !this.own;
    if (this.own) {
      this.unsubscribe = store.subscribe((c) => {
        options.onChange(c);
      });
    } else {
      // A durable store delivers every commit (ours or another process's) once, in commit order, saying which
      // commit it follows: one that follows on from the view's head is applied as delivered; after a gap the
      // view reads the missing changes back from the store.
      this.unsubscribe = store.subscribe((c, previous) => {
        this.delivered(c, previous);
      });
    }
  }

  /** The view evaluations read (replaced by a reload). */
  public get view(): MemoryStore {
    return this.current;
  }

  /** Loads the view from the store (durable stores; nothing to do for a store that is its own view). */
  public async start(): Promise<void> {
    if (!this.own) await this.load();
  }

  /** Waits until the view holds `token` (durable stores); a no-op for the memory store. */
  public async settle(token: string): Promise<void> {
    // The store delivers its own commits before `commit()` resolves, so this is normally done already.
    if (this.own || tokenNumber(token) <= this.current.head) return;
    await this.catchUp();
  }

  /**
   * Makes the view at least as fresh as `token` before a read: at once when it is; with the memory store a
   * newer token cannot come from anywhere else, so it is invalid input at once; with a durable store, catch up
   * from the store and wait (for another replica's commit the notice may not have arrived yet) until the deadline.
   * @throws {@link InvalidRequestError} for a token that is not a snap token, or (memory store) one ahead
   *   of the head; {@link SnapTokenAheadError} when a durable store's view does not reach it in time.
   */
  public async fresh(token: unknown, tenant: string): Promise<void> {
    const want = parseSnapToken(token, 'snap token', 'a snap token returned by a write or a read of this engine: a decimal integer string (or "" for the latest)');
    if (want === undefined || want <= this.current.head) return;
    if (this.own) {
      // Nothing else writes to this engine's memory store, so this token was never issued here.
      throw InvalidRequestError.badValue('snap token', token, `a snap token this engine issued (its latest is "${formatSnapToken(this.current.head)}")`);
    }
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waiter: Waiter | undefined;
    const reached = new Promise<boolean>((resolve) => {
      waiter = { token: want, resolve: () => { resolve(true); } };
      this.waiters.add(waiter);
      timer = setTimeout(() => { resolve(false); }, this.options.freshnessTimeoutMs);
    });
    // The token may be committed already with its notice still on the way: read it from the store. A store that
    // fails to answer fails the request at once (with its error) rather than at the deadline.
    let failure: unknown;
    this.catchUp().then(
      () => { this.wakeWaiters(); },
      (err: unknown) => {
        failure = err;
        waiter?.resolve();
      },
    );
    const ok = await reached;
    clearTimeout(timer);
    if (waiter !== undefined) this.waiters.delete(waiter);
    if (failure !== undefined && this.current.head < want) throw failure instanceof Error ? failure : new Error('catching up from the store failed', { cause: failure });
    // Also when the engine closed meanwhile: never an answer from a view older than the token.
    if (!ok || this.current.head < want) {
      throw new SnapTokenAheadError(token as string, formatSnapToken(this.current.head), Math.max(1, Math.round(performance.now() - started)), tenant);
    }
  }

  /** Stops following, releases every waiter and waits for a catch-up in progress. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const w of [...this.waiters]) w.resolve();
    await this.catchingUp.catch(() => undefined);
  }

  private wakeWaiters(): void {
    const head = this.current.head;
    for (const w of this.waiters) if (w.token <= head) w.resolve();
  }

  /** A delivery of the store's feed (durable stores). */
  private delivered(c: StoreChange, previous: string | undefined): void {
    if (this.closed) return;
    if (c.kind === 'reset') {
      void this.reload().catch(() => undefined);
      return;
    }
    // The load (or reload) ends with a catch-up that reads whatever is delivered meanwhile.
    if (this.loading) return;
    const head = this.current.head;
    if (tokenNumber(c.snapToken) <= head) return;
    if (previous !== undefined && tokenNumber(previous) === head) {
      this.current.apply(c);
      this.options.onChange(c);
      if (this.waiters.size > 0) this.wakeWaiters();
      return;
    }
    void this.catchUp().catch(() => undefined);
  }

  /** Applies the store's changes after the view's head, in commit order (serialised with reloads). */
  private catchUp(): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        await this.pull();
      } catch (err) {
        if (!(err instanceof HistoryGoneError)) throw err;
        await this.reloadNow();
      }
    };
    this.catchingUp = this.catchingUp.then(run, run);
    return this.catchingUp;
  }

  private async pull(): Promise<void> {
    for (;;) {
      const before = this.current.head;
      const changes = await this.store.changesSince(formatSnapToken(before), { limit: 1000 });
      if (changes.length === 0) return;
      for (const c of changes) {
        if (c.kind === 'reset' || tokenNumber(c.snapToken) <= this.current.head) continue;
        this.current.apply(c);
        this.options.onChange(c);
      }
      if (this.waiters.size > 0) this.wakeWaiters();
      // A store that answers with nothing newer must not spin us forever.
      if (this.current.head === before) return;
    }
  }

  /**
   * The store no longer has the changes after the view's head: build a new view from the store's head, swap it
   * in, and tell every watcher to drop what it derived from the old one (`'*'`, `reset`).
   */
  private reload(): Promise<void> {
    const run = (): Promise<void> => this.reloadNow();
    this.catchingUp = this.catchingUp.then(run, run);
    return this.catchingUp;
  }

  private async reloadNow(): Promise<void> {
    if (this.closed) return;
    const fresh = new MemoryStore({ defaultTenant: this.options.defaultTenant });
    this.loading = true;
    try {
      await this.loadInto(fresh);
      this.current = fresh;
    } finally {
      this.loading = false;
    }
    this.options.onReset(formatSnapToken(this.current.head));
    if (this.waiters.size > 0) this.wakeWaiters();
    await this.pull();
  }

  /** The first load, on the same chain as catch-ups and reloads (a `reset` delivered meanwhile waits for it). */
  private load(): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        await this.loadInto(this.current);
      } finally {
        this.loading = false;
      }
      try {
        await this.pull();
      } catch (err) {
        if (!(err instanceof HistoryGoneError)) throw err;
        await this.reloadNow();
      }
    };
    this.catchingUp = this.catchingUp.then(run, run);
    return this.catchingUp;
  }

  /** Loads every tenant, schema and live row at the store's head into `view`. */
  private async loadInto(view: MemoryStore): Promise<void> {
    const token = await this.store.headSnapToken();
    const defaultTenant = this.options.defaultTenant;
    let continuousToken = '';
    do {
      const page = await this.store.listTenants({ pageSize: 1000, continuousToken });
      for (const t of page.tenants) {
        if (t.id !== defaultTenant) view.apply({ kind: 'tenant', tenant: t.id, snapToken: '0', operation: 'create', record: t });
        let schemaToken = '';
        const versions: string[] = [];
        do {
          const list = await this.store.listSchemas(t.id, { pageSize: 1000, continuousToken: schemaToken });
          versions.push(...list.schemas.map((s) => s.version));
          schemaToken = list.continuousToken;
        } while (schemaToken !== '');
        for (const v of versions.reverse()) {
          const schema = await this.store.readSchema(t.id, v);
          if (schema !== undefined) view.apply({ kind: 'schema', tenant: t.id, snapToken: '0', schema });
        }
        for await (const row of this.store.loadTenant(t.id, { snapToken: token })) view.loadRow(t.id, row);
      }
      continuousToken = page.continuousToken;
    } while (continuousToken !== '');
    view.advanceTo(tokenNumber(token));
  }
}
