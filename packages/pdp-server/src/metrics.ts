import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The server's Prometheus metrics, in a registry of its own (several servers may share a process). */
export class ServerMetrics {
  public readonly registry = new Registry();
  public readonly requests: Counter<'method' | 'route' | 'status'>;
  public readonly latency: Histogram<'method' | 'route'>;
  public readonly decisions: Counter<'api' | 'result'>;
  public readonly watchStreams: Gauge;

  public constructor(collect: { tenants: () => Promise<number>; headSnapToken: () => string }) {
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
    this.watchStreams = new Gauge({ name: 'gatehouse_watch_streams', help: 'Open watch (SSE) streams', registers });
    new Gauge({
      name: 'gatehouse_store_tenants',
      help: 'Tenants in the store',
      registers,
      async collect() {
        this.set(await collect.tenants());
      },
    });
    new Gauge({
      name: 'gatehouse_store_head_snap_token',
      help: 'The newest snap token of the store (a transaction counter)',
      registers,
      collect() {
        const n = Number(collect.headSnapToken());
        if (Number.isFinite(n)) this.set(n);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
  }

  /** Counts a decision. */
  public decision(api: 'gatehouse' | 'permit', result: 'allowed' | 'denied' | 'error', n = 1): void {
    this.decisions.inc({ api, result }, n);
  }
}
