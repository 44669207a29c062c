import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { subject } from '@casl/ability';
import { packRules } from '@casl/ability/extra';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RemoteAbility } from '@gatehouse/casl/browser';
import { EventSource } from 'undici';

interface Site {
  url: string;
  requests: { headers: IncomingMessage['headers'] }[];
  setRules(rules: Parameters<typeof packRules>[0], etag: string): void;
  fail(status: number | undefined): void;
  emit(data?: string): void;
  streams(): number;
  close(): Promise<void>;
}

/** A real abilities endpoint (ETag/304) and change stream on 127.0.0.1:0. */
async function startSite(): Promise<Site> {
  let body = JSON.stringify({ rules: [], expiresAt: Date.now() + 60_000 });
  let etag = '"empty"';
  let failure: number | undefined;
  const streams = new Set<ServerResponse>();
  const requests: Site['requests'] = [];
  const server: Server = createServer((req, res) => {
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('retry: 200\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    requests.push({ headers: req.headers });
    if (failure !== undefined) {
      res.writeHead(failure).end();
      return;
    }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    setRules(rules, tag) {
      body = JSON.stringify({ rules: packRules(rules), snapToken: tag.replace(/"/g, ''), expiresAt: Date.now() + 60_000 });
      etag = tag;
    },
    fail(status) {
      failure = status;
    },
    emit(data = '{}') {
      for (const res of streams) res.write(`event: change\ndata: ${data}\n\n`);
    },
    streams() {
      return streams.size;
    },
    async close() {
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const editOne = [{ action: 'edit', subject: 'document', conditions: { id: { $in: ['1'] } } }];
const editTwo = [{ action: 'edit', subject: 'document', conditions: { id: { $in: ['2'] } } }];

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('RemoteAbility', () => {
  let site: Site;
  let remote: RemoteAbility | undefined;

  beforeEach(async () => {
    site = await startSite();
  });

  afterEach(async () => {
    remote?.close();
    remote = undefined;
    await site.close();
  });

  it('loads the packed rules into a MongoAbility that answers for instances', async () => {
    site.setRules(editOne, '"v1"');
    remote = new RemoteAbility({ url: `${site.url}/abilities`, headers: { authorization: 'Bearer bob' } });
    await remote.ready;
    expect(remote.ability.can('edit', subject('document', { id: '1' }))).toBe(true);
    expect(remote.ability.can('edit', subject('document', { id: '2' }))).toBe(false);
    expect(remote.snapToken).toBe('v1');
    expect(site.requests[0]?.headers.authorization).toBe('Bearer bob');
  });

  it('sends If-None-Match and keeps the rules (no update, no listener call) when the server answers 304', async () => {
    site.setRules(editOne, '"v1"');
    remote = new RemoteAbility({ url: `${site.url}/abilities` });
    await remote.ready;
    let calls = 0;
    remote.subscribe(() => (calls += 1));
    const rules = remote.ability.rules;
    await expect(remote.refresh()).resolves.toBe(false);
    expect(site.requests[1]?.headers['if-none-match']).toBe('"v1"');
    expect(remote.ability.rules).toBe(rules);
    expect(calls).toBe(0);
  });

  it('updates the same ability in place on refresh and notifies subscribers', async () => {
    site.setRules(editOne, '"v1"');
    remote = new RemoteAbility({ url: `${site.url}/abilities` });
    await remote.ready;
    const ability = remote.ability;
    const versions: number[] = [];
    // Detached, as useSyncExternalStore(remote.subscribe, remote.getSnapshot) calls them.
    const { subscribe, getSnapshot } = remote;
    subscribe(() => versions.push(getSnapshot()));
    site.setRules(editTwo, '"v2"');
    await expect(remote.refresh()).resolves.toBe(true);
    expect(remote.ability).toBe(ability);
    expect(ability.can('edit', subject('document', { id: '1' }))).toBe(false);
    expect(ability.can('edit', subject('document', { id: '2' }))).toBe(true);
    expect(versions).toEqual([2]);
  });

  it('refreshes when the change stream sends an event', async () => {
    site.setRules(editOne, '"v1"');
    remote = new RemoteAbility({ url: `${site.url}/abilities`, eventsUrl: `${site.url}/events`, EventSource });
    await remote.ready;
    await until(() => site.requests.length >= 1);
    site.setRules(editTwo, '"v2"');
    const changed = new Promise<void>((resolve) => remote?.subscribe(resolve));
    // The stream may connect after the first event; emit until the refresh lands.
    const timer = setInterval(() => site.emit(), 20);
    await changed;
    clearInterval(timer);
    expect(remote.ability.can('edit', subject('document', { id: '2' }))).toBe(true);
  });

  it('skips change events whose snap token the rules already include, and refreshes for newer ones', async () => {
    site.setRules(editOne, '"7"');
    remote = new RemoteAbility({ url: `${site.url}/abilities`, eventsUrl: `${site.url}/events`, EventSource });
    await remote.ready;
    await until(() => site.streams() > 0);
    const before = site.requests.length;
    site.emit('{"snapToken":"5"}');
    site.emit('{"snapToken":"7"}');
    site.setRules(editTwo, '"8"');
    const changed = new Promise<void>((resolve) => remote?.subscribe(resolve));
    site.emit('{"snapToken":"8"}');
    await changed;
    expect(site.requests.length - before).toBe(1);
    expect(remote.snapToken).toBe('8');
  });

  it('refreshes on an interval', async () => {
    site.setRules(editOne, '"v1"');
    remote = new RemoteAbility({ url: `${site.url}/abilities`, refreshIntervalMs: 20 });
    await remote.ready;
    site.setRules(editTwo, '"v2"');
    await new Promise<void>((resolve) => remote?.subscribe(resolve));
    expect(remote.ability.can('edit', subject('document', { id: '2' }))).toBe(true);
  });

  it('rejects refresh with the HTTP status and keeps unexpired rules', async () => {
    site.setRules(editOne, '"v1"');
    remote = new RemoteAbility({ url: `${site.url}/abilities` });
    await remote.ready;
    site.fail(503);
    await expect(remote.refresh()).rejects.toThrow('HTTP 503');
    expect(remote.ability.can('edit', subject('document', { id: '1' }))).toBe(true);
  });

  it('fails closed: empties the ability when a refresh fails after the rules expired', async () => {
    site.setRules(editOne, '"v1"');
    let now = Date.now();
    const realNow = Date.now;
    remote = new RemoteAbility({ url: `${site.url}/abilities` });
    await remote.ready;
    site.fail(500);
    now += 120_000;
    Date.now = () => now;
    try {
      await expect(remote.refresh()).rejects.toThrow('HTTP 500');
    } finally {
      Date.now = realNow;
    }
    expect(remote.ability.can('edit', subject('document', { id: '1' }))).toBe(false);
  });

  it('shares one request between concurrent refreshes and runs one more for calls made meanwhile', async () => {
    site.setRules(editOne, '"v1"');
    remote = new RemoteAbility({ url: `${site.url}/abilities` });
    await remote.ready;
    const before = site.requests.length;
    await Promise.all([remote.refresh(), remote.refresh(), remote.refresh()]);
    expect(site.requests.length - before).toBe(2);
  });

  it('rejects a missing url and a bad interval with the option named', () => {
    expect(() => new RemoteAbility({ url: '' })).toThrow('expected options.url');
    expect(() => new RemoteAbility({ url: '/a', refreshIntervalMs: -1 })).toThrow('expected options.refreshIntervalMs');
  });
});
