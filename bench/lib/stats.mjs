// Small measuring helpers shared by the benchmarks: medians, percentiles, sequential / concurrent throughput and
// per-call latency. Every helper takes `call(i)` returning a promise and runs it `n` times over i = 0..n-1, or
// fewer when `maxMs` runs out first (on a loaded machine), measuring the calls made; `.calls` says how many.
import { performance } from 'node:perf_hooks';

/** The median of a list of numbers (the mean of the two middle ones for an even count). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

/** Rounds to `digits` decimals (default: 3 significant digits below 100, integers above). */
export function round(value, digits) {
  if (!Number.isFinite(value)) return value;
  const d = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  const f = 10 ** d;
  return Math.round(value * f) / f;
}

/** `{ rate, calls }`: calls per second of up to `n` calls made one after another. */
export async function sequentialRate(n, call, maxMs = Infinity) {
  const start = performance.now();
  const end = start + maxMs;
  let i = 0;
  while (i < n) {
    await call(i++);
    if (performance.now() > end) break;
  }
  return { rate: (i * 1000) / (performance.now() - start), calls: i };
}

/** `{ rate, calls }`: calls per second of up to `n` calls with `concurrency` of them in flight at every moment. */
export async function concurrentRate(n, concurrency, call, maxMs = Infinity) {
  let next = 0;
  let done = 0;
  const start = performance.now();
  const end = start + maxMs;
  const worker = async () => {
    while (next < n && performance.now() <= end) {
      const i = next++;
      await call(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { rate: (done * 1000) / (performance.now() - start), calls: done };
}

/** `{ p50, p99, calls }`: latency in microseconds of up to `n` sequential calls, each timed on its own. */
export async function latencyMicros(n, call, maxMs = Infinity) {
  const times = [];
  const end = performance.now() + maxMs;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call(i);
    const now = performance.now();
    times.push((now - t) * 1000);
    if (now > end) break;
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), calls: times.length };
}
