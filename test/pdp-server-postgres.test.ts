// `gatehouse serve --postgres URL`: data written through one server survives it and is served by the next.
// Skips when PostgreSQL is not reachable, unless GATEHOUSE_REQUIRE_SERVICES=1.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { pino } from 'pino';
import { createServer, serveOptions } from '@gatehouse/pdp-server';
import { FIXTURES, KEY } from './fixtures/server/helpers.js';
import { openSse } from './fixtures/server/sse.js';
import { PG_URL as URL, postgresAbsent } from './fixtures/postgres.js';

const SCHEMA = `gh_pdp_server_${String(process.pid)}`;

describe('PDP server on PostgreSQL (--postgres)', () => {
  let absent: string | undefined;
  beforeAll(async () => {
    absent = await postgresAbsent();
  });
  afterAll(async () => {
    if (absent !== undefined) return;
    const c = new pg.Client({ connectionString: URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA}_seed CASCADE`);
    await c.end();
  });

  it('keeps data across server restarts', async () => {
    if (absent !== undefined) return;
    const flags = { postgres: URL, 'postgres-schema': SCHEMA, schema: `${FIXTURES}/docs.perm`, 'api-key': [KEY], 'log-level': 'silent' };
    const body = { entity: { type: 'document', id: 'pg1' }, permission: 'edit', subject: { type: 'user', id: 'pat', relation: '' } };
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

    const first = await createServer(await serveOptions(flags, {}));
    const a = await first.listen({ port: 0 });
    const w = await fetch(`${a.url}/v1/tenants/t1/data/write`, { method: 'POST', headers, body: JSON.stringify({ tuples: ['document:pg1#owner@user:pat'] }) });
    expect(w.status).toBe(200);
    expect((await (await fetch(`${a.url}/v1/tenants/t1/permissions/check`, { method: 'POST', headers, body: JSON.stringify(body) })).json()).can).toBe('CHECK_RESULT_ALLOWED');
    await first.close();

    const second = await createServer(await serveOptions({ ...flags, schema: undefined }, {}));
    const b = await second.listen({ port: 0 });
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
    expect((await (await fetch(`${b.url}/v1/tenants/t1/permissions/check`, { method: 'POST', headers, body: JSON.stringify(body) })).json()).can).toBe('CHECK_RESULT_ALLOWED');
    await second.close();
  });

  it('relays a write on one replica to the watchers and checks of another', async () => {
    if (absent !== undefined) return;
    const flags = { postgres: URL, 'postgres-schema': SCHEMA, 'api-key': [KEY], 'log-level': 'silent' };
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const a = await createServer(await serveOptions(flags, {}));
    const b = await createServer(await serveOptions(flags, {}));
    const ua = (await a.listen({ port: 0 })).url;
    const ub = (await b.listen({ port: 0 })).url;
    const stream = await openSse(`${ub}/v1/tenants/t1/watch`, { authorization: `Bearer ${KEY}` });
    await stream.next((f) => f.id !== undefined);
    const w = await fetch(`${ua}/v1/tenants/t1/data/write`, { method: 'POST', headers, body: JSON.stringify({ tuples: ['document:pg2#owner@user:rep'] }) });
    const { snap_token } = (await w.json()) as { snap_token: string };
    const e = await stream.next((f) => f.event === 'change', 10_000);
    expect(e.id).toBe(snap_token);
    const body = { metadata: { snap_token }, entity: { type: 'document', id: 'pg2' }, permission: 'edit', subject: { type: 'user', id: 'rep', relation: '' } };
    expect((await (await fetch(`${ub}/v1/tenants/t1/permissions/check`, { method: 'POST', headers, body: JSON.stringify(body) })).json()).can).toBe('CHECK_RESULT_ALLOWED');
    await stream.close();
    await a.close();
    await b.close();
  });

  it('seeds --data into an empty store only, so a tuple deleted through the API stays deleted after a restart', async () => {
    if (absent !== undefined) return;
    const flags = {
      postgres: URL,
      'postgres-schema': `${SCHEMA}_seed`,
      schema: `${FIXTURES}/docs.perm`,
      data: `${FIXTURES}/docs-data.yaml`,
      'api-key': [KEY],
      'log-level': 'silent',
    };
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const check = { entity: { type: 'document', id: 'd3' }, permission: 'edit', subject: { type: 'user', id: 'erin', relation: '' } };
    const can = async (url: string): Promise<unknown> =>
      ((await (await fetch(`${url}/v1/tenants/t1/permissions/check`, { method: 'POST', headers, body: JSON.stringify(check) })).json()) as { can: unknown }).can;

    const first = await createServer(await serveOptions(flags, {}));
    const a = (await first.listen({ port: 0 })).url;
    expect(await can(a)).toBe('CHECK_RESULT_ALLOWED');
    const del = await fetch(`${a}/v1/tenants/t1/data/delete`, { method: 'POST', headers, body: JSON.stringify({ tuples: ['document:d3#owner@user:erin'] }) });
    expect(del.status).toBe(200);
    expect(await can(a)).toBe('CHECK_RESULT_DENIED');
    await first.close();

    // Same flags again: the revoked access does not come back, and the skipped seed is logged.
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const second = await createServer({ ...(await serveOptions(flags, {})), logger });
    expect(lines.some((l) => l.includes('seed data not applied'))).toBe(true);
    const b = (await second.listen({ port: 0 })).url;
    expect(await can(b)).toBe('CHECK_RESULT_DENIED');
    await second.close();

    // --reseed applies the file on purpose.
    const third = await createServer(await serveOptions({ ...flags, reseed: true }, {}));
    const c = (await third.listen({ port: 0 })).url;
    expect(await can(c)).toBe('CHECK_RESULT_ALLOWED');
    await third.close();
  });
});
