let cachedNow = 0;

function forget(): void {
  cachedNow = 0;
}

/**
 * A millisecond clock read at most once per millisecond: the cache's hit path asks it for every lookup,
 * and `performance.now()` costs more than the rest of the lookup. Same technique as lru-cache's
 * `ttlResolution`.
 */
export function coarseNow(): number {
  if (cachedNow === 0) {
    cachedNow = performance.now();
    const timer = setTimeout(forget, 1);
    if (typeof timer === 'object' && 'unref' in timer) timer.unref();
  }
  return cachedNow;
}
