import type { Engine } from '@gatehouse/engine';

/** What the store holds at one snap token, summed over every tenant. */
export interface StoreCounts {
  /** The snap token the counts were taken at (the engine's head). */
  readonly headSnapToken: string;
  readonly tenants: number;
  /** Live relationship tuples. */
  readonly tuples: number;
  /** Live attributes (one per entity and attribute name). */
  readonly attributes: number;
  /** Schema versions written, each tenant's own (tenants without one inherit the default tenant's). */
  readonly schemaVersions: number;
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

function isNotFound(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'GH_ERR_NOT_FOUND';
}

/**
 * Counts tenants, live tuples, attributes and schema versions through the engine's public read API, for the
 * `/metrics` gauges. Counting pages through every tenant, so a count is only taken again when the head snap token
 * has moved (an idle server's scrapes cost nothing), and concurrent scrapes share one count.
 */
export class StoreCensus {
  #last: { token: string; counts: Promise<StoreCounts> } | undefined;

  public constructor(private readonly engine: Engine) {}

  /**
   * The counts at the engine's current head (taken now, or reused when nothing was committed since).
   * @returns the counts; a failed count is not cached.
   * @example
   * ```ts
   * const { tuples } = await new StoreCensus(engine).counts();
   * ```
   */
  public counts(): Promise<StoreCounts> {
    const token = this.engine.headSnapToken(this.engine.defaultTenant);
    if (this.#last?.token !== token) {
      const counts = this.take(token);
      const entry = { token, counts };
      this.#last = entry;
      counts.catch(() => {
        if (this.#last === entry) this.#last = undefined;
      });
    }
    return this.#last.counts;
  }

  private async take(token: string): Promise<StoreCounts> {
    const engine = this.engine;
    const ids: string[] = [];
    let page = '';
    do {
      const res = await engine.listTenants(page === '' ? { pageSize: PAGE } : { pageSize: PAGE, continuousToken: page });
      for (const t of res.tenants) ids.push(t.id);
      page = res.continuousToken;
    } while (page !== '');
    let tenants = 0;
    let tuples = 0;
    let attributes = 0;
    let schemaVersions = 0;
    for (const tenant of ids) {
      // Reads at the head token, so the sums are exact at that token even while writes go on.
      const paged = (c: string) => (c === '' ? { tenant, snapToken: token, pageSize: PAGE } : { tenant, snapToken: token, pageSize: PAGE, continuousToken: c });
      try {
        const t = await countPages(async (c) => {
          const r = await engine.readRelationships(paged(c));
          return { n: r.tuples.length, continuousToken: r.continuousToken };
        });
        const a = await countPages(async (c) => {
          const r = await engine.readAttributes(paged(c));
          return { n: r.attributes.length, continuousToken: r.continuousToken };
        });
        const s = await countPages(async (c) => {
          const r = await engine.listSchemas(tenant, c === '' ? { pageSize: PAGE } : { pageSize: PAGE, continuousToken: c });
          return { n: r.schemas.length, continuousToken: r.continuousToken };
        });
        tenants++;
        tuples += t;
        attributes += a;
        schemaVersions += s;
      } catch (err) {
        // Deleted while being counted: it no longer counts.
        if (!isNotFound(err)) throw err;
      }
    }
    return { headSnapToken: token, tenants, tuples, attributes, schemaVersions };
  }
}
