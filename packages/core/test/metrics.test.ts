import { afterEach, describe, expect, it } from '@jest/globals';
import { Gatehouse, PdpUnavailableError } from '@gatehouse/core';
import { createNoopMeter, metrics } from '@opentelemetry/api';
import type {
  Attributes,
  BatchObservableCallback,
  Meter,
  MeterProvider,
  MetricOptions,
  Observable,
  ObservableCounter,
  ObservableGauge,
} from '@opentelemetry/api';

import { TablePdp } from './fixtures/table-pdp.js';

interface Instrument { readonly name: string; readonly kind: 'counter' | 'gauge'; readonly unit: string | undefined }

/**
 * An OpenTelemetry meter provider registered through the API's global hook, as an SDK registers itself: it
 * keeps the instruments and batch callbacks it is given and runs the callbacks on `collect()`, as an SDK's
 * metric reader does. (`@opentelemetry/sdk-metrics` 3.x, the line that accepts our `@opentelemetry/api` 1.10,
 * requires node ≥ 22.15; this repository runs node 20.)
 */
class CollectingMeterProvider implements MeterProvider {
  public readonly meters: string[] = [];
  public readonly instruments = new Map<Observable, Instrument>();
  public readonly callbacks = new Set<BatchObservableCallback>();

  public getMeter(name: string): Meter {
    this.meters.push(name);
    const noop = createNoopMeter();
    const observable = (kind: Instrument['kind'], instrumentName: string, options?: MetricOptions): ObservableCounter & ObservableGauge => {
      const instrument = { addCallback: () => undefined, removeCallback: () => undefined };
      this.instruments.set(instrument, { name: instrumentName, kind, unit: options?.unit });
      return instrument;
    };
    return {
      createGauge: (n, o) => noop.createGauge(n, o),
      createHistogram: (n, o) => noop.createHistogram(n, o),
      createCounter: (n, o) => noop.createCounter(n, o),
      createUpDownCounter: (n, o) => noop.createUpDownCounter(n, o),
      createObservableCounter: (n, o) => observable('counter', n, o),
      createObservableGauge: (n, o) => observable('gauge', n, o),
      createObservableUpDownCounter: (n, o) => noop.createObservableUpDownCounter(n, o),
      addBatchObservableCallback: (callback) => { this.callbacks.add(callback); },
      removeBatchObservableCallback: (callback) => { this.callbacks.delete(callback); },
    };
  }

  /** Runs every callback; returns `name{client} → value`. */
  public async collect(): Promise<Map<string, { value: number; attributes: Attributes; kind: string }>> {
    const out = new Map<string, { value: number; attributes: Attributes; kind: string }>();
    for (const callback of this.callbacks) {
      await callback({
        observe: (observable, value, attributes = {}) => {
          const instrument = this.instruments.get(observable);
          if (instrument === undefined) throw new Error('observed an instrument this meter did not create');
          out.set(`${instrument.name}{${String(attributes['gatehouse.client'])}}`, { value, attributes, kind: instrument.kind });
        },
      });
    }
    return out;
  }
}

function setup(options: Partial<ConstructorParameters<typeof Gatehouse>[0]> = {}): { pdp: TablePdp; gate: Gatehouse } {
  const pdp = new TablePdp();
  pdp.grant('t1', 'user:alice', 'read', 'document:1');
  return { pdp, gate: new Gatehouse({ pdp, ...options }) };
}

afterEach(() => {
  metrics.disable();
});

describe('Gatehouse metrics', () => {
  it('exports hits, misses, coalesced, evictions, stale served, failures, fail-open and cache size on the meter @gatehouse/core', async () => {
    const provider = new CollectingMeterProvider();
    metrics.setGlobalMeterProvider(provider);
    const { pdp, gate } = setup({ metrics: { clientName: 'api' }, cache: { maxEntries: 2 }, onDecision: () => undefined });
    await gate.can('alice', 'read', 'document:1');
    await gate.can('alice', 'read', 'document:1');
    await Promise.all([gate.can('alice', 'read', 'document:2'), gate.can('alice', 'read', 'document:2')]);
    await gate.can('alice', 'read', 'document:3');
    pdp.failWith = new PdpUnavailableError('down');
    await gate.can('bob', 'read', 'document:9', { tenant: 'acme', failOpen: true, context: { data: { ip: '10.0.0.1' } } });

    expect(provider.meters).toContain('@gatehouse/core');
    const seen = await provider.collect();
    const stats = gate.stats;
    expect(Object.fromEntries([...seen].map(([k, v]) => [k, v.value]))).toEqual({
      'gatehouse.cache.hits{api}': stats.hits,
      'gatehouse.cache.misses{api}': stats.misses,
      'gatehouse.cache.coalesced{api}': stats.coalesced,
      'gatehouse.cache.evictions{api}': stats.evictions,
      'gatehouse.cache.stale_served{api}': stats.staleServed,
      'gatehouse.check.failures{api}': 1,
      'gatehouse.check.fail_open{api}': 1,
      'gatehouse.cache.size{api}': 2,
    });
    expect(stats).toMatchObject({ hits: 1, misses: 5, coalesced: 1, evictions: 1 });
    expect(seen.get('gatehouse.cache.size{api}')?.kind).toBe('gauge');
    expect(seen.get('gatehouse.cache.hits{api}')?.kind).toBe('counter');
    for (const { attributes } of seen.values()) expect(attributes).toEqual({ 'gatehouse.client': 'api' });
    expect(JSON.stringify([...seen])).not.toMatch(/alice|bob|acme|document|10\.0\.0\.1/);
    await gate.close();
  });

  it('picks up a meter provider registered after the client was made, and stops reporting once closed', async () => {
    const { gate } = setup({ metrics: { clientName: 'late' } });
    const provider = new CollectingMeterProvider();
    metrics.setGlobalMeterProvider(provider);
    await gate.can('alice', 'read', 'document:1');
    await gate.can('alice', 'read', 'document:1');
    expect((await provider.collect()).get('gatehouse.cache.hits{late}')?.value).toBe(1);
    await gate.close();
    expect(provider.callbacks.size).toBe(0);
  });

  it('registers nothing with metrics: false', async () => {
    const provider = new CollectingMeterProvider();
    metrics.setGlobalMeterProvider(provider);
    const { gate } = setup({ metrics: false });
    await gate.can('alice', 'read', 'document:1');
    expect(provider.callbacks.size).toBe(0);
    await gate.close();
  });
});
