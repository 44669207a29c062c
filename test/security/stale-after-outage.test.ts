// A revoke made while a client's change feed was down must not stay cached once the PDP answers again (issue 14
// item 7; the review measured 4.4 s, the feed's reconnect backoff). Time is a fake clock (jest's modern timers);
// the network is real, on loopback, through a proxy the test cuts and restores.
import { once } from 'node:events';
import { EventEmitter } from 'node:events';
import { connect, createServer as createTcpServer } from 'node:net';
import type { Server as TcpServer, Socket } from 'node:net';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Gatehouse, PdpUnavailableError } from '@gatehouse/core';
import type {
  ChangeEvent,
  ChangeListener,
  CheckRequest,
  Decision,
  LookupResourcesResult,
  LookupSubjectsResult,
  Pdp,
  SubjectPermissionsResult,
} from '@gatehouse/core';
import { createServer as createHttpServer } from 'node:http';
import { RemotePdp } from '@gatehouse/core/remote';
import { WatchStream } from '../../packages/core/src/remote/watch-stream.js';
import { KEY, start } from '../fixtures/server/helpers.js';
import type { Running } from '../fixtures/server/helpers.js';

/** A TCP proxy in front of the PDP server: `cut()` drops every connection and refuses new ones until `restore()`. */
class Outage extends EventEmitter {
  public refused = 0;
  #up = true;
  readonly #sockets = new Set<Socket>();
  readonly server: TcpServer;

  public constructor(private readonly upstreamPort: number) {
    super();
    this.server = createTcpServer((client) => {
      if (!this.#up) {
        this.refused++;
        client.destroy();
        this.emit('refused');
        return;
      }
      const pdp = connect(this.upstreamPort, '127.0.0.1');
      for (const s of [client, pdp]) {
        this.#sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.#sockets.delete(s);
          client.destroy();
          pdp.destroy();
          if (this.#sockets.size === 0) this.emit('idle');
        });
      }
      client.pipe(pdp).pipe(client);
    });
  }

  public async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const addr = this.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no address');
    return `http://127.0.0.1:${String(addr.port)}`;
  }

  /** Drops every connection (the feed's included) and refuses new ones; resolves once all are closed. */
  public async cut(): Promise<void> {
    this.#up = false;
    const idle = this.#sockets.size === 0 ? Promise.resolve() : once(this, 'idle');
    for (const s of this.#sockets) s.destroy();
    await idle;
  }

  public restore(): void {
    this.#up = true;
  }

  public async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

/** Lets real I/O (sockets) make progress: one turn of the event loop. setImmediate is not faked. */
async function ioTurn(): Promise<void> {
  await new Promise<void>((resolve) => {
    setImmediate(resolve);
  });
}

const ALICE: CheckRequest = { tenant: 't1', subject: { type: 'user', id: 'alice' }, action: 'edit', resource: { type: 'document', id: 'd1' } };

describe('stale decisions after a PDP outage', () => {
  let s: Running | undefined;
  let outage: Outage | undefined;
  let pdp: RemotePdp | undefined;
  let gate: Gatehouse | undefined;
  afterEach(async () => {
    jest.useRealTimers();
    await gate?.close();
    await pdp?.close();
    await outage?.close();
    await s?.server.close();
    gate = pdp = outage = s = undefined;
  });

  it('serves no decision cached before the outage once the PDP answers again (stale window ≤ 1 s), and reconnects the feed on the first answer', async () => {
    s = await start();
    // docs-data.yaml: alice edits document d1 in t1 as an admin of its organization.
    expect((await s.call('POST', '/v1/tenants/t1/permissions/check', { entity: { type: 'document', id: 'd1' }, permission: 'edit', subject: { type: 'user', id: 'alice' } })).body.can).toBe('CHECK_RESULT_ALLOWED');
    outage = new Outage(Number(new URL(s.url).port));
    const url = await outage.listen();

    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    // No retries and no breaker: their sleeps would run on the fake clock; the deadline is far beyond any step.
    pdp = new RemotePdp({ url, apiKey: KEY, retries: 0, breaker: false, timeoutMs: 600_000 });
    const events: ChangeEvent[] = [];
    const waiters = new Set<() => void>();
    pdp.subscribe((e) => {
      events.push(e);
      for (const w of waiters) w();
    });
    const nextEvent = async (pred: (e: ChangeEvent) => boolean): Promise<void> => {
      const from = events.length;
      while (!events.slice(from).some(pred)) {
        await new Promise<void>((resolve) => {
          waiters.add(resolve);
        });
      }
    };
    gate = new Gatehouse({ pdp, cache: { ttlMs: 3_600_000 }, timeoutMs: 600_000 });

    const fedT1 = nextEvent((e) => e.tenant === 't1' && e.kind === 'reset');
    expect(await gate.check(ALICE)).toMatchObject({ allowed: true, cached: false });
    await fedT1; // the feed covers t1 now (its first reset ended that entry)
    expect(await gate.check(ALICE)).toMatchObject({ allowed: true, cached: false });
    expect(await gate.check(ALICE)).toMatchObject({ allowed: true, cached: true });

    // The outage: every connection drops, reconnects are refused and the feed's backoff grows.
    await outage.cut();
    for (let refusals = 1; refusals <= 8; refusals++) {
      while (outage.refused < refusals) {
        await jest.advanceTimersByTimeAsync(100);
        await ioTurn();
      }
    }
    // Alice loses d1 while this client's feed is down.
    await s.server.engine.delete({ tenant: 't1', tuples: ['organization:acme#admin@user:alice'] });
    await jest.advanceTimersByTimeAsync(200);

    // The PDP answers again from here on.
    outage.restore();
    const back = Date.now();
    let lastStaleAt: number | undefined;
    let answer: Decision | undefined;
    const fedAgain = nextEvent((e) => e.tenant === 't1' && e.kind === 'reset');
    while (Date.now() - back <= 15_000) {
      answer = await gate.check(ALICE);
      if (answer.allowed) lastStaleAt = Date.now();
      if (answer.reason === 'denied') break;
      await jest.advanceTimersByTimeAsync(50);
      await ioTurn();
    }
    expect(answer).toMatchObject({ allowed: false, reason: 'denied' });
    expect((lastStaleAt ?? back) - back).toBeLessThanOrEqual(1000);

    // That answer woke the feed: it reconnects (and resets t1) without waiting out its backoff on the clock.
    const clockAtAnswer = Date.now();
    await fedAgain;
    expect(Date.now()).toBe(clockAtAnswer);
    expect(await gate.check(ALICE)).toMatchObject({ allowed: false, reason: 'denied' });
  }, 30_000);
});

/** A PDP whose answers and failures the test decides, and whose change events it sends. */
class ScriptedPdp implements Pdp {
  public allowed = true;
  public down = false;
  readonly #listeners = new Set<ChangeListener>();
  public check(): Promise<Decision> {
    if (this.down) return Promise.reject(new PdpUnavailableError('down'));
    return Promise.resolve({ allowed: this.allowed, reason: this.allowed ? 'allowed' : 'denied' });
  }
  public checkMany(requests: readonly CheckRequest[]): Promise<Decision[]> {
    return Promise.all(requests.map(async () => await this.check()));
  }
  public subjectPermissions(): Promise<SubjectPermissionsResult> {
    return Promise.reject(new Error('not used'));
  }
  public lookupResources(): Promise<LookupResourcesResult> {
    return Promise.reject(new Error('not used'));
  }
  public lookupSubjects(): Promise<LookupSubjectsResult> {
    return Promise.reject(new Error('not used'));
  }
  public subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  public emit(e: ChangeEvent): void {
    for (const l of this.#listeners) l(e);
  }
}

describe('the decision cache and a feed gap', () => {
  it('stops serving a decision cached before a gap as fresh, and asks the PDP', async () => {
    const pdp = new ScriptedPdp();
    const gate = new Gatehouse({ pdp, cache: { ttlMs: 3_600_000 } });
    try {
      expect(await gate.check(ALICE)).toMatchObject({ allowed: true, cached: false });
      expect(await gate.check(ALICE)).toMatchObject({ allowed: true, cached: true });
      pdp.emit({ tenant: 't1', kind: 'gap' });
      pdp.allowed = false;
      expect(await gate.check(ALICE)).toMatchObject({ allowed: false, reason: 'denied', cached: false });
    } finally {
      await gate.close();
    }
  });

  it('still serves it stale-if-error while the PDP fails (when maxStaleMs allows), but not after a change', async () => {
    const pdp = new ScriptedPdp();
    const gate = new Gatehouse({ pdp, cache: { ttlMs: 3_600_000, maxStaleMs: 3_600_000 } });
    try {
      expect(await gate.check(ALICE)).toMatchObject({ allowed: true, cached: false });
      pdp.emit({ tenant: 't1', kind: 'gap' });
      pdp.down = true;
      expect(await gate.check(ALICE)).toMatchObject({ allowed: true, cached: true });
      pdp.emit({ tenant: 't1', kind: 'reset' });
      expect(await gate.check(ALICE)).toMatchObject({ allowed: false, reason: 'pdp_unavailable' });
    } finally {
      await gate.close();
    }
  });
});

describe('WatchStream.wake', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('cuts a long reconnect backoff short: at once, or once backoff.initialMs has passed since the last attempt', async () => {
    let gets = 0;
    const http = createHttpServer((req, res) => {
      gets++;
      res.writeHead(503).end();
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const addr = http.address();
    if (addr === null || typeof addr === 'string') throw new Error('no address');
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const stream = new WatchStream({
      origin: `http://127.0.0.1:${String(addr.port)}`,
      path: '/v1/watch',
      headers: {},
      emit: () => undefined,
      idleTimeoutMs: 60_000,
      backoff: { initialMs: 100, maxMs: 10_000 },
      maxQueryLength: 6000,
      retargetDelayMs: 20,
    });
    /** Real I/O turns until `gets` reaches n (a bound on turns, not on time). */
    const attempts = async (n: number): Promise<boolean> => {
      for (let i = 0; i < 2000 && gets < n; i++) await ioTurn();
      return gets >= n;
    };
    try {
      stream.add('t1');
      expect(await attempts(1)).toBe(true);
      // Let the backoff grow: the eighth pause is 5–10 s long.
      while (gets < 8) {
        await jest.advanceTimersByTimeAsync(100);
        await ioTurn();
      }
      // From here the stream waits out its 9th pause, 5–10 s long. Woken within 100 ms of its last attempt, it tries
      // again once 100 ms have passed: within 1 s of fake time, not 5 s. (wake() is repeated until the stream has read
      // the 503 and begun its pause.)
      const start = Date.now();
      for (let i = 0; i < 10 && gets < 9; i++) {
        stream.wake();
        await jest.advanceTimersByTimeAsync(100);
        await attempts(9);
      }
      expect(gets).toBe(9);
      expect(Date.now() - start).toBeLessThan(1000);
      // Woken more than 100 ms after its last attempt, it tries again without the clock moving.
      await jest.advanceTimersByTimeAsync(150);
      const clock = Date.now();
      for (let i = 0; i < 100 && gets < 10; i++) {
        stream.wake();
        await attempts(10);
      }
      expect(gets).toBe(10);
      expect(Date.now()).toBe(clock);
    } finally {
      await stream.close();
      jest.useRealTimers();
      await new Promise<void>((resolve) => {
        http.close(() => {
          resolve();
        });
      });
    }
  }, 30_000);
});
