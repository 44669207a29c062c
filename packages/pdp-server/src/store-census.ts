import { NotFoundError } from '@gatehouse/core';
import type { Engine } from '@gatehouse/engine';
import type { EngineChangeLike } from './watch-hub.js';

/** What the store holds, summed over every tenant. */
export interface StoreCounts {
  /** The snap token the counts are exact at (the last change applied). */
  readonly headSnapToken: string;
  readonly tenants: number;
  /** Live relationship tuples. */
  readonly tuples: number;
  /** Live attributes (one per entity and attribute name). */
  readonly attributes: number;
  /** Schema versions written, each tenant's own (tenants without one inherit the default tenant's). */
  readonly schemaVersions: number;
}

interface TenantTally {
  tuples: number;
  attributes: number;
  schemaVersions: number;
}

const PAGE = 1000;

async function countPages(next: (token: string) => Promise<{ n: number; continuousToken: string }>): Promise<number> {
  let total = 0;
  let token = '';
  do {
    const page = await next(token);
    total += page.n;
    token = page.continuousToken;
  } while (token !== '');
  return total;
}

function bigger(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

/**
 * The `/metrics` store gauges, kept incrementally: counted once through the engine's read API when the server
 * starts (and again only after a `reset` of the engine's view, which says its changes could not be followed), then
 * moved by every committed change the engine reports. A scrape reads the tallies; it never reads the store.
 *
 * Per-tenant tallies let a tenant's deletion (one change that does not list the rows it removed) subtract exactly
 * what that tenant held.
 */
export class StoreCensus {
  readonly #engine: Engine;
  readonly #tenants = new Map<string, TenantTally>();
  readonly #unsubscribe: () => void;
  #head = '0';
  /** Changes that arrive while a count runs, applied after it (those it already saw are skipped). */
  #pending: EngineChangeLike[] | undefined;
  #counting: Promise<void> | undefined;
  /** The first count; `undefined` after it failed, so the next read takes it again. */
  #ready: Promise<void> | undefined;
  /** Full counts taken (the first at start, then one per view reset); for tests and troubleshooting. */
  public recounts = 0;

  /** Starts following the engine's changes and takes the first count (in the background). */
  public constructor(engine: Engine) {
    this.#engine = engine;
    this.#unsubscribe = engine.watch((e) => {
      this.#onChange(e);
    });
    this.#ready = this.#first();
  }

  #first(): Promise<void> {
    const first = this.#recount();
    first.catch(() => {
      if (this.#ready === first) this.#ready = undefined;
    });
    return first;
  }

  /**
   * The tallies, once the first count is done (no store read after that).
   * @example
   * ```ts
   * const { tuples } = await new StoreCensus(engine).counts();
   * ```
   */
  public async counts(): Promise<StoreCounts> {
    await (this.#ready ??= this.#first());
    return this.#tally();
  }

  #tally(): StoreCounts {
    let tuples = 0;
    let attributes = 0;
    let schemaVersions = 0;
    for (const t of this.#tenants.values()) {
      tuples += t.tuples;
      attributes += t.attributes;
      schemaVersions += t.schemaVersions;
    }
    return { headSnapToken: this.#head, tenants: this.#tenants.size, tuples, attributes, schemaVersions };
  }

  /** Stops following the engine. */
  public close(): void {
    this.#unsubscribe();
  }

  #onChange(e: EngineChangeLike): void {
    if (this.#pending !== undefined) {
      this.#pending.push(e);
      return;
    }
    if (e.kind === 'reset') {
      void this.#recount().catch(() => undefined);
      return;
    }
    this.#apply(e);
  }

  #apply(e: EngineChangeLike): void {
    if (bigger(e.snapToken, this.#head)) this.#head = e.snapToken;
    const tenant = e.tenant === '*' ? this.#engine.defaultTenant : e.tenant;
    if (e.kind === 'tenant') {
      // The change does not say create or delete: the engine's view (already updated) does.
      if (this.#exists(tenant)) {
        if (!this.#tenants.has(tenant)) this.#tenants.set(tenant, { tuples: 0, attributes: 0, schemaVersions: 0 });
      } else {
        this.#tenants.delete(tenant);
      }
      return;
    }
    const tally = this.#tenants.get(tenant);
    if (tally === undefined) return;
    if (e.kind === 'schema') {
      tally.schemaVersions++;
      return;
    }
    for (const c of e.changes) {
      const d = c.operation === 'delete' ? -1 : 1;
      if (c.tuple !== undefined) tally.tuples += d;
      if (c.attribute !== undefined) tally.attributes += d;
    }
  }

  #exists(tenant: string): boolean {
    try {
      this.#engine.headSnapToken(tenant);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /** One full count at the head; the changes committed meanwhile are applied after it. */
  async #recount(): Promise<void> {
    if (this.#counting !== undefined) {
      await this.#counting;
      return;
    }
    this.#pending = [];
    const run = (async () => {
      try {
        const token = this.#engine.headSnapToken(this.#engine.defaultTenant);
        const counted = await this.#take(token);
        this.#tenants.clear();
        for (const [id, tally] of counted) this.#tenants.set(id, tally);
        this.#head = token;
        this.recounts++;
      } finally {
        const pending = this.#pending ?? [];
        this.#pending = undefined;
        this.#counting = undefined;
        for (const e of pending) {
          if (e.kind === 'reset') void this.#recount().catch(() => undefined);
          else if (bigger(e.snapToken, this.#head)) this.#apply(e);
        }
      }
    })();
    this.#counting = run;
    await run;
  }

  async #take(token: string): Promise<Map<string, TenantTally>> {
    const engine = this.#engine;
    const ids: string[] = [];
    let page = '';
    do {
      const res = await engine.listTenants(page === '' ? { pageSize: PAGE } : { pageSize: PAGE, continuousToken: page });
      for (const t of res.tenants) ids.push(t.id);
      page = res.continuousToken;
    } while (page !== '');
    const out = new Map<string, TenantTally>();
    for (const tenant of ids) {
      // Reads at the head token, so the sums are exact at that token even while writes go on.
      const paged = (c: string) => (c === '' ? { tenant, snapToken: token, pageSize: PAGE } : { tenant, snapToken: token, pageSize: PAGE, continuousToken: c });
      try {
        const tuples = await countPages(async (c) => {
          const r = await engine.readRelationships(paged(c));
          return { n: r.tuples.length, continuousToken: r.continuousToken };
        });
        const attributes = await countPages(async (c) => {
          const r = await engine.readAttributes(paged(c));
          return { n: r.attributes.length, continuousToken: r.continuousToken };
        });
        const schemaVersions = await countPages(async (c) => {
          const r = await engine.listSchemas(tenant, c === '' ? { pageSize: PAGE } : { pageSize: PAGE, continuousToken: c });
          // A schema version is the snap token of its commit: those after `token` arrive as changes.
          return { n: r.schemas.filter((v) => !bigger(v.version, token)).length, continuousToken: r.continuousToken };
        });
        out.set(tenant, { tuples, attributes, schemaVersions });
      } catch (err) {
        // Deleted while being counted: it no longer counts.
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return out;
  }
}
