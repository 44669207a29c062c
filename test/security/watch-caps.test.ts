// Watch streams are capped per API key and in all: one more is a 429, counted on /metrics (issue 14 item 8).
import { afterEach, describe, expect, it } from '@jest/globals';
import { serveOptions } from '@gatehouse/pdp-server';
import { KEY, start } from '../fixtures/server/helpers.js';
import type { Running } from '../fixtures/server/helpers.js';
import { openSse } from '../fixtures/server/sse.js';
import type { SseStream } from '../fixtures/server/sse.js';

const OTHER = 'other-key-0123456789';
const THIRD = 'third-key-0123456789';

function metric(text: string, line: string): number {
  const m = new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

describe('watch stream caps', () => {
  let s: Running | undefined;
  const open: SseStream[] = [];
  afterEach(async () => {
    for (const st of open.splice(0)) await st.close();
    await s?.server.close();
    s = undefined;
  });

  async function watch(key: string, path = '/v1/watch'): Promise<SseStream> {
    if (s === undefined) throw new Error('no server');
    const st = await openSse(`${s.url}${path}`, { authorization: `Bearer ${key}` });
    open.push(st);
    if (st.status === 200) await st.next((f) => f.comments.includes('connected'));
    return st;
  }

  async function scrape(): Promise<string> {
    if (s === undefined) throw new Error('no server');
    return (await s.call('GET', '/metrics')).body as string;
  }

  it('refuses one stream more than a key may hold with 429, and takes it again once one closes', async () => {
    s = await start({ apiKeys: [KEY, OTHER], maxWatchersPerKey: 3, maxWatchers: 100 });
    for (let i = 0; i < 3; i++) expect((await watch(KEY, i === 0 ? '/v1/tenants/t1/watch' : '/v1/watch')).status).toBe(200);
    const refused = await s.call('GET', '/v1/watch', undefined, { key: KEY, headers: { accept: 'text/event-stream' } });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ details: [{ reason: 'GH_ERR_TOO_MANY_WATCHERS' }] });
    expect(JSON.stringify(refused.body)).toMatch(/this API key has 3 open watch streams/);
    // Another key is not held back by the first key's streams.
    expect((await watch(OTHER)).status).toBe(200);

    let text = await scrape();
    expect(metric(text, 'gatehouse_watch_streams')).toBe(4);
    expect(metric(text, 'gatehouse_watch_refused_total{scope="key"}')).toBe(1);

    // Closing one frees its slot: wait until the server has seen it go (the gauge says so), then open again.
    const first = open.shift();
    await first?.close();
    for (let i = 0; i < 200 && metric(await scrape(), 'gatehouse_watch_streams') !== 3; i++) {
      await new Promise<void>((resolve) => {
        setImmediate(resolve);
      });
    }
    expect((await watch(KEY)).status).toBe(200);
    text = await scrape();
    expect(metric(text, 'gatehouse_watch_streams')).toBe(4);
  });

  it('refuses a stream beyond the server-wide cap with 429, whatever the key', async () => {
    s = await start({ apiKeys: [KEY, OTHER, THIRD], maxWatchers: 4, maxWatchersPerKey: 2 });
    for (const key of [KEY, KEY, OTHER, OTHER]) expect((await watch(key)).status).toBe(200);
    const refused = await s.call('GET', '/v1/watch', undefined, { key: THIRD, headers: { accept: 'text/event-stream' } });
    expect(refused.status).toBe(429);
    expect(JSON.stringify(refused.body)).toMatch(/--max-watchers/);
    const text = await scrape();
    expect(metric(text, 'gatehouse_watch_streams')).toBe(4);
    expect(metric(text, 'gatehouse_watch_refused_total{scope="total"}')).toBe(1);
    expect(metric(text, 'gatehouse_watch_refused_total{scope="key"}')).toBe(0);
  });

  it('has caps by default (1000 in all, 100 per key)', async () => {
    s = await start({ heartbeatMs: 60_000 });
    const opened: SseStream[] = [];
    for (let i = 0; i < 100; i++) opened.push(await watch(KEY));
    expect(opened.every((st) => st.status === 200)).toBe(true);
    const refused = await s.call('GET', '/v1/watch', undefined, { key: KEY, headers: { accept: 'text/event-stream' } });
    expect(refused.status).toBe(429);
    expect(JSON.stringify(refused.body)).toMatch(/100 open watch streams/);
  });

  it('takes the caps from flags or the environment, and refuses bad values', async () => {
    expect(await serveOptions({ dev: true, 'max-watchers': '7', 'max-watchers-per-key': '2' }, {})).toMatchObject({ maxWatchers: 7, maxWatchersPerKey: 2 });
    expect(await serveOptions({ dev: true }, { GATEHOUSE_MAX_WATCHERS: '9', GATEHOUSE_MAX_WATCHERS_PER_KEY: '3' })).toMatchObject({ maxWatchers: 9, maxWatchersPerKey: 3 });
    await expect(serveOptions({ dev: true, 'max-watchers': '0' }, {})).rejects.toThrow(/--max-watchers/);
    await expect(start({ maxWatchersPerKey: -1 })).rejects.toThrow(/maxWatchersPerKey/);
  });
});
