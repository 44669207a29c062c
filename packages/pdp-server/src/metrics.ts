import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreCounts } from './store-census.js';

/** The server's Prometheus metrics, in a registry of its own (several servers may share a process). */
export class ServerMetrics {
  public readonly registry = new Registry();
  public readonly requests: Counter<'method' | 'route' | 'status'>;
  public readonly latency: Histogram<'method' | 'route'>;
  public readonly decisions: Counter<'api' | 'result'>;
  public readonly watchStreams: Gauge;
  /** Watch streams refused by a cap, by `scope` (`total` or `key`). */
  public readonly watchRefusals: Counter<'scope'>;

  public constructor(collect: {
    /** The store tallies, kept incrementally (see StoreCensus): never counted on a scrape. */
    counts: () => Promise<StoreCounts>;
    headSnapToken: () => string;
    engineStats: () => { readonly schemaCompilations: number; readonly schemaCacheHits: number };
  }) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP request latency by method and route',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.decisions = new Counter({
      name: 'gatehouse_decisions_total',
      help: 'Check decisions by API (gatehouse, permit) and result (allowed, denied, error)',
      labelNames: ['api', 'result'],
      registers,
    });
    this.watchStreams = new Gauge({ name: 'gatehouse_watch_streams', help: 'Open watch (SSE) streams: watchers connected', registers });
    this.watchRefusals = new Counter({
      name: 'gatehouse_watch_refused_total',
      help: 'Watch streams refused (429) by a cap: scope "total" (--max-watchers) or "key" (--max-watchers-per-key)',
      labelNames: ['scope'],
      registers,
    });
    // Store gauges read the tallies StoreCensus keeps up to date from the change feed: a scrape costs no store read.
    const storeGauge = (name: string, help: string, pick: (c: StoreCounts) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set(pick(await collect.counts()));
        },
      });
    };
    storeGauge('gatehouse_store_tenants', 'Tenants in the store', (c) => c.tenants);
    storeGauge('gatehouse_store_tuples', 'Live relationship tuples in the store, all tenants', (c) => c.tuples);
    storeGauge('gatehouse_store_attributes', 'Live attributes in the store, all tenants', (c) => c.attributes);
    storeGauge('gatehouse_store_schema_versions', "Schema versions in the store (each tenant's own), all tenants", (c) => c.schemaVersions);
    new Gauge({
      name: 'gatehouse_store_head_snap_token',
      help: 'The newest snap token of the store (a transaction counter)',
      registers,
      collect() {
        const n = Number(collect.headSnapToken());
        if (Number.isFinite(n)) this.set(n);
      },
    });
    // The engine's compiled-schema cache: each schema version is compiled once, then every check hits the cache.
    new Counter({
      name: 'gatehouse_engine_schema_compilations_total',
      help: 'Schema versions compiled by the engine (compiled-schema cache misses)',
      registers,
      collect() {
        this.reset();
        this.inc(collect.engineStats().schemaCompilations);
      },
    });
    new Counter({
      name: 'gatehouse_engine_schema_cache_hits_total',
      help: 'Evaluations served by an already compiled schema (compiled-schema cache hits)',
      registers,
      collect() {
        this.reset();
        this.inc(collect.engineStats().schemaCacheHits);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
  }

  /** Counts a decision. */
  public decision(api: 'gatehouse' | 'permit', result: 'allowed' | 'denied' | 'error', n = 1): void {
    this.decisions.inc({ api, result }, n);
  }
}
