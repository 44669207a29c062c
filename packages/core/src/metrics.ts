import { metrics } from '@opentelemetry/api';
import type { Attributes, BatchObservableCallback, Meter, MeterProvider, Observable } from '@opentelemetry/api';

import { InvalidRequestError } from './errors.js';

/** Metrics of a client through `@opentelemetry/api` (a no-op until the app registers an OpenTelemetry SDK). */
export interface MetricsOptions {
  /**
   * The `gatehouse.client` attribute of every metric, to tell several clients of one process apart.
   * @defaultValue `'gatehouse'` for the first client of the process, then `'gatehouse-2'`, `'gatehouse-3'`, …
   */
  readonly clientName?: string;
}

/** What the client's counters read, at collection time. */
export interface MetricsSnapshot {
  readonly hits: number;
  readonly misses: number;
  readonly coalesced: number;
  readonly evictions: number;
  readonly staleServed: number;
  readonly size: number;
  readonly failures: number;
  readonly failOpen: number;
}

/** Instrument names, units and descriptions; the counters are monotonic over the client's life. */
const COUNTERS = [
  ['hits', 'gatehouse.cache.hits', '{check}', 'Checks answered from the decision cache'],
  ['misses', 'gatehouse.cache.misses', '{check}', 'Checks the decision cache could not answer'],
  ['coalesced', 'gatehouse.cache.coalesced', '{check}', 'Misses answered by another miss\'s PDP call'],
  ['evictions', 'gatehouse.cache.evictions', '{entry}', 'Cache entries dropped to keep within maxEntries'],
  ['staleServed', 'gatehouse.cache.stale_served', '{check}', 'Expired decisions served because the PDP failed'],
  ['failures', 'gatehouse.check.failures', '{check}', 'Checks that failed at the PDP'],
  ['failOpen', 'gatehouse.check.fail_open', '{check}', 'Checks allowed because the PDP failed and the call asked for failOpen'],
] as const;

let clients = 0;

/**
 * @internal Exports a client's counters as OpenTelemetry observable counters (and the cache size as an observable
 * gauge) on the meter `@gatehouse/core`, read only when the SDK collects. Attributes: `gatehouse.client` only —
 * never a tenant, subject or resource. A meter provider registered after the client was made is picked up by the
 * next cache miss.
 */
export class ClientMetrics {
  readonly #read: () => MetricsSnapshot;
  readonly #attributes: Attributes;
  #provider: MeterProvider | undefined;
  #meter: Meter | undefined;
  #observables: Observable[] = [];
  #closed = false;

  public constructor(read: () => MetricsSnapshot, options: MetricsOptions = {}) {
    clients++;
    const name = options.clientName ?? (clients === 1 ? 'gatehouse' : `gatehouse-${String(clients)}`);
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
      throw InvalidRequestError.badValue('options.metrics.clientName', name, 'a non-empty string of at most 200 characters');
    }
    this.#read = read;
    this.#attributes = { 'gatehouse.client': name };
    this.refresh();
  }

  /** Registers the instruments on the global meter provider, again if another provider was registered since. */
  public refresh(): void {
    if (this.#closed) return;
    const provider = metrics.getMeterProvider();
    if (provider === this.#provider) return;
    this.#unregister();
    this.#provider = provider;
    const meter = provider.getMeter('@gatehouse/core');
    const observables: Observable[] = COUNTERS.map(([, name, unit, description]) =>
      meter.createObservableCounter(name, { unit, description }));
    observables.push(meter.createObservableGauge('gatehouse.cache.size', { unit: '{entry}', description: 'Entries the decision cache holds' }));
    meter.addBatchObservableCallback(this.#observe, observables);
    this.#meter = meter;
    this.#observables = observables;
  }

  /** Stops reporting (the client is closed). */
  public close(): void {
    this.#closed = true;
    this.#unregister();
    this.#provider = undefined;
  }

  #unregister(): void {
    this.#meter?.removeBatchObservableCallback(this.#observe, this.#observables);
    this.#meter = undefined;
    this.#observables = [];
  }

  readonly #observe: BatchObservableCallback = (result) => {
    const snapshot = this.#read();
    COUNTERS.forEach(([key], i) => {
      const observable = this.#observables[i];
      if (observable !== undefined) result.observe(observable, snapshot[key], this.#attributes);
    });
    const size = this.#observables[COUNTERS.length];
    if (size !== undefined) result.observe(size, snapshot.size, this.#attributes);
  };
}
