// PostgresStore: history the collector removed is reported (HistoryGoneError, a `reset` delivery), an engine on
// it follows commits as delivered and honours snap tokens by catching up, and AbortSignal cancels the call.
import { parseTuple } from '@gatehouse/core';
import { Engine, HistoryGoneError, SnapTokenAheadError } from '@gatehouse/engine';
import type { EngineChange, StoreChange } from '@gatehouse/engine';
import { afterEach, expect, it } from '@jest/globals';
import { PostgresStore } from '@gatehouse/store-postgres';
import type { PostgresStoreOptions } from '@gatehouse/store-postgres';
import { Client } from 'pg';

import { PG_URL, REDIS_URL, describeWith, dropSchema, postgresMissing, redisMissing, uniqueName } from './helpers/services.js';

const SCHEMA = 'entity user {}\nentity document { relation owner @user permission edit = owner }';

const opened: { close(): Promise<void> }[] = [];
const schemas: string[] = [];
const clients: Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.end().catch(() => undefined);
  for (const s of opened.splice(0).reverse()) await s.close();
  for (const s of schemas.splice(0)) await dropSchema(s);
});

function newSchema(): string {
  const schema = uniqueName('hist');
  schemas.push(schema);
  return schema;
}

function store(schema: string, extra: Partial<PostgresStoreOptions> = {}): PostgresStore {
  const s = new PostgresStore({ connectionString: PG_URL, schema, pollIntervalMs: 0, ...extra });
  opened.push(s);
  return s;
}

/**
 * A store announcing its commits on a Redis channel of its own: it never hears another store's commits, as a
 * replica whose notices are all lost (it learns of them only by reading the database).
 */
const deaf = (schema: string): PostgresStore => store(schema, { relay: 'redis', redis: { url: REDIS_URL, keyPrefix: `${uniqueName('deaf')}:` } });

async function sql(schema: string, text: string): Promise<Client> {
  const c = new Client({ connectionString: PG_URL });
  clients.push(c);
  await c.connect();
  await c.query(`SET search_path TO "${schema}"`);
  await c.query(text);
  return c;
}

async function until(probe: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached within 10 s');
}

/** Resolves once a statement of `schema`'s pool waits for a lock on `table`. */
async function waitingOn(schema: string, table: string): Promise<void> {
  const c = new Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await until(async () => {
      const r = await c.query(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = $1::regclass`, [`"${schema}".${table}`]);
      return (r.rows[0] as { n: number }).n > 0;
    });
  } finally {
    await c.end();
  }
}

const edit = (engine: Engine, user: string, doc: string, token?: string): Promise<boolean> =>
  engine
    .check({
      tenant: 't1',
      subject: { type: 'user', id: user },
      action: 'edit',
      resource: { type: 'document', id: doc },
      ...(token === undefined ? {} : { consistency: { atLeastAsFresh: token } }),
    })
    .then((d) => d.allowed);

describeWith([postgresMissing], 'PostgresStore history and AbortSignal', () => {
  it('rejects changesSince a token older than the collected history with HistoryGoneError', async () => {
    const s = store(newSchema());
    await s.open();
    const first = await s.commit({ tenant: 't1', createTuples: [parseTuple('document:1#owner@user:alice')] });
    const second = await s.commit({ tenant: 't1', deleteTuples: [parseTuple('document:1#owner@user:alice')] });
    const third = await s.commit({ tenant: 't1', createTuples: [parseTuple('document:2#owner@user:bob')] });
    expect((await s.changesSince(first.snapToken)).map((c) => c.snapToken)).toEqual([second.snapToken, third.snapToken]);
    await s.collectGarbage(0); // everything but the newest transaction
    const err = await s.changesSince(first.snapToken, { tenant: 't1' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HistoryGoneError);
    expect(err).toMatchObject({ code: 'GH_ERR_STORE', snapToken: first.snapToken, horizon: second.snapToken, tenant: 't1' });
    expect((await s.changesSince(second.snapToken)).map((c) => c.snapToken)).toEqual([third.snapToken]);
  });

  it('has the engine apply its own commits as delivered, without reading them back', async () => {
    const s = store(newSchema());
    // Counts the engine's own reads only (the store's feed calls the store directly).
    let reads = 0;
    const counted = new Proxy(s, {
      get(target, prop) {
        if (prop === 'changesSince') {
          return (...args: Parameters<PostgresStore['changesSince']>) => {
            reads++;
            return target.changesSince(...args);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const engine = await Engine.create({ schema: SCHEMA, store: counted });
    opened.push(engine);
    const atStart = reads;
    for (let i = 0; i < 5; i++) await engine.write({ tenant: 't1', tuples: [`document:${String(i)}#owner@user:alice`] });
    expect(reads).toBe(atStart);
    expect(await edit(engine, 'alice', '4')).toBe(true);
  });

  describeWith([redisMissing], 'with a replica that hears no notices', () => {
    it('answers a check carrying another replica\'s token by catching up, and rejects a token no one committed', async () => {
      const schema = newSchema();
      const a = await Engine.create({ schema: SCHEMA, store: deaf(schema) });
      const b = await Engine.create({ store: deaf(schema), freshnessTimeoutMs: 200 });
      opened.push(a, b);
      const granted = await a.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
      expect(await edit(b, 'alice', '1', granted.snapToken)).toBe(true);
      const revoked = await a.delete({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
      expect(await edit(b, 'alice', '1', revoked.snapToken)).toBe(false);
      const ahead = String(Number(revoked.snapToken) + 1000);
      const err = await edit(b, 'alice', '1', ahead).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SnapTokenAheadError);
      expect(err).toMatchObject({ snapToken: ahead, head: revoked.snapToken });
    });

    it('reloads a replica whose missing history was collected, and tells its watchers with a reset', async () => {
      const schema = newSchema();
      const aStore = deaf(schema);
      const a = await Engine.create({ schema: SCHEMA, store: aStore });
      const bStore = deaf(schema);
      const b = await Engine.create({ store: bStore });
      opened.push(a, b);
      await a.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
      const bChanges: EngineChange[] = [];
      b.watch((e) => bChanges.push(e));
      const delivered: StoreChange[] = [];
      bStore.subscribe((c) => delivered.push(c));
      expect(await edit(b, 'alice', '1', (await a.write({ tenant: 't1', tuples: ['document:9#owner@user:zoe'] })).snapToken)).toBe(true);

      await a.delete({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
      const last = await a.write({ tenant: 't1', tuples: ['document:2#owner@user:alice'] });
      await aStore.collectGarbage(0);
      // B's next commit shows its feed the gap: the history is gone, so it delivers a reset at the head (which
      // covers B's own commit: listeners reload rather than apply it).
      const own = await b.write({ tenant: 't1', tuples: ['document:3#owner@user:carol'] });
      expect(delivered[0]).toMatchObject({ kind: 'reset', tenant: '*' });
      expect(BigInt(delivered[0]?.snapToken ?? '0')).toBeGreaterThanOrEqual(BigInt(last.snapToken));
      // Its own commit was in the view before write() resolved.
      expect(await edit(b, 'carol', '3')).toBe(true);
      await until(() => bChanges.some((e) => e.kind === 'reset') && b.headSnapToken('t1') === own.snapToken);
      expect(bChanges.find((e) => e.kind === 'reset')).toMatchObject({ tenant: '*', kind: 'reset' });
      expect(await edit(b, 'alice', '1')).toBe(false);
      expect(await edit(b, 'alice', '2')).toBe(true);
      expect(await edit(b, 'carol', '3')).toBe(true);
    });
  });

  it('rejects a commit whose signal is already aborted, committing nothing', async () => {
    const s = store(newSchema());
    await s.open();
    const head = await s.headSnapToken();
    const signal = AbortSignal.abort();
    await expect(s.commit({ tenant: 't1', createTuples: [parseTuple('document:1#owner@user:alice')] }, { signal })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(s.readTuples('t1', {}, { signal })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(s.changesSince('0', { signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await s.headSnapToken()).toBe(head);
  });

  it('cancels a commit waiting for the commit lock: rolled back, rejected with the reason, the store still works', async () => {
    const schema = newSchema();
    const s = store(schema);
    await s.open();
    const head = await s.headSnapToken();
    const holder = await sql(schema, 'BEGIN');
    await holder.query('LOCK TABLE commit_lock IN EXCLUSIVE MODE');
    const controller = new AbortController();
    const pending = s.commit({ tenant: 't1', createTuples: [parseTuple('document:1#owner@user:alice')] }, { signal: controller.signal });
    await waitingOn(schema, 'commit_lock');
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await holder.query('COMMIT');
    expect(await s.headSnapToken()).toBe(head);
    expect((await s.readTuples('t1', {})).tuples).toEqual([]);
    await s.commit({ tenant: 't1', createTuples: [parseTuple('document:2#owner@user:bob')] });
    expect((await s.readTuples('t1', {})).tuples.map((t) => t.entity.id)).toEqual(['2']);
  });

  it('cancels a read blocked in PostgreSQL when its signal fires', async () => {
    const schema = newSchema();
    const s = store(schema);
    await s.open();
    await s.commit({ tenant: 't1', createTuples: [parseTuple('document:1#owner@user:alice')] });
    const holder = await sql(schema, 'BEGIN');
    await holder.query('LOCK TABLE relation_tuples IN ACCESS EXCLUSIVE MODE');
    const controller = new AbortController();
    const pending = s.readTuples('t1', {}, { signal: controller.signal });
    await waitingOn(schema, 'relation_tuples');
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await holder.query('COMMIT');
    expect((await s.readTuples('t1', {})).tuples).toHaveLength(1);
  });
});
