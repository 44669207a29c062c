// `/v1/tenants/list` pages over the tenants the key may see, with opaque, tamper-evident tokens (issue 14 item 4).
// The review's probe: a key scoped to acme listed page_size 1 and got `{"tenants":[],"continuous_token":"globex"}`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { start } from '../fixtures/server/helpers.js';
import type { Running } from '../fixtures/server/helpers.js';

const ADMIN = 'admin-key-0123456789';
const ACME = 'acme-key-0123456789';
const TWO = 'two-key-0123456789';

interface ListAnswer {
  tenants: { id: string; name: string }[];
  continuous_token: string;
}

describe('/v1/tenants/list', () => {
  let s: Running;
  // Sorted ids around the scoped ones, so a filter-after-paging implementation would hand out their ids.
  const others = ['aaa', 'acmf', 'beta', 'globex', 'hooli', 'initech', 'zeta'];

  beforeAll(async () => {
    s = await start({
      apiKeys: [ADMIN, { key: ACME, tenants: ['acme'] }, { key: TWO, tenants: ['acme', 'umbrella', 'not-created'] }],
    });
    // acme comes from the seed data (named "Acme").
    for (const id of [...others, 'umbrella']) {
      const r = await s.call('POST', '/v1/tenants/create', { id, name: `${id} inc` }, { key: ADMIN });
      expect(r.status).toBe(200);
    }
  });
  afterAll(async () => {
    await s.server.close();
  });

  /** Walks every page; returns the ids and every raw answer body. */
  async function walk(key: string, pageSize: number): Promise<{ ids: string[]; bodies: string[] }> {
    const ids: string[] = [];
    const bodies: string[] = [];
    let token = '';
    for (let i = 0; i < 100; i++) {
      const r = await s.call('POST', '/v1/tenants/list', { page_size: pageSize, continuous_token: token }, { key });
      expect(r.status).toBe(200);
      const body = r.body as ListAnswer;
      bodies.push(JSON.stringify(body));
      ids.push(...body.tenants.map((t) => t.id));
      token = body.continuous_token;
      if (token === '') return { ids, bodies };
    }
    throw new Error('the walk did not end');
  }

  it('a scoped key sees its own tenants only, and no page or token names another tenant', async () => {
    for (const size of [1, 2, 1000]) {
      const { ids, bodies } = await walk(ACME, size);
      expect(ids).toEqual(['acme']);
      for (const body of bodies) for (const other of [...others, 'umbrella', 't1']) expect(body).not.toContain(other);
    }
    const { ids, bodies } = await walk(TWO, 1);
    expect(ids).toEqual(['acme', 'umbrella']);
    // One page per visible tenant: never an empty page that only carries a token forward.
    expect(bodies).toHaveLength(2);
    for (const body of bodies) for (const other of [...others, 't1']) expect(body).not.toContain(other);
  });

  it('a scoped first page of size 1 carries no token when the key has one tenant', async () => {
    const r = await s.call('POST', '/v1/tenants/list', { page_size: 1 }, { key: ACME });
    expect(r.body).toEqual({ tenants: [expect.objectContaining({ id: 'acme', name: 'Acme' })], continuous_token: '' });
  });

  it('an unscoped key walks every tenant once, in order, through opaque tokens', async () => {
    const { ids, bodies } = await walk(ADMIN, 3);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([...others, 'acme', 'umbrella', 't1']));
    const tokens = bodies.map((b) => (JSON.parse(b) as ListAnswer).continuous_token).filter((t) => t !== '');
    expect(tokens.length).toBeGreaterThan(0);
    // Opaque: a token is not a tenant id, nor does it contain one in clear.
    for (const t of tokens) for (const id of ids) expect(t.includes(id)).toBe(false);
  });

  it('a tampered, made-up or foreign token is a 400 and lists nothing', async () => {
    const first = await s.call('POST', '/v1/tenants/list', { page_size: 2 }, { key: ADMIN });
    const token = (first.body as ListAnswer).continuous_token;
    expect(token).not.toBe('');
    const [body = '', mac = ''] = token.split('.');
    const flip = (text: string, i: number): string => text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    const bad = [
      'globex', // the old token form: a tenant id
      flip(token, 0),
      `${body}.${flip(mac, 3)}`,
      `${Buffer.from(JSON.stringify({ store: 'globex' })).toString('base64url')}.${mac}`,
      `${body}.`,
      `${body}.${mac}x`,
    ];
    for (const t of bad) {
      const r = await s.call('POST', '/v1/tenants/list', { page_size: 2, continuous_token: t }, { key: ADMIN });
      expect([t, r.status]).toEqual([t, 400]);
      expect((r.body as { details: { reason: string }[] }).details[0]?.reason).toBe('GH_ERR_INVALID_REQUEST');
    }
    // A token issued to one key is refused to another (it would otherwise be replayed across scopes).
    const foreign = await s.call('POST', '/v1/tenants/list', { page_size: 2, continuous_token: token }, { key: TWO });
    expect(foreign.status).toBe(400);
    expect(JSON.stringify(foreign.body)).not.toContain('globex');
    // The genuine token still works.
    expect((await s.call('POST', '/v1/tenants/list', { page_size: 2, continuous_token: token }, { key: ADMIN })).status).toBe(200);
  });

  it('a scoped key\'s tenant deleted between pages ends the walk without naming it', async () => {
    const first = await s.call('POST', '/v1/tenants/list', { page_size: 1 }, { key: TWO });
    expect((first.body as ListAnswer).tenants.map((t) => t.id)).toEqual(['acme']);
    expect((await s.call('DELETE', '/v1/tenants/umbrella', undefined, { key: ADMIN })).status).toBe(200);
    const next = await s.call('POST', '/v1/tenants/list', { page_size: 1, continuous_token: (first.body as ListAnswer).continuous_token }, { key: TWO });
    expect(next.status).toBe(200);
    expect(next.body).toEqual({ tenants: [], continuous_token: '' });
  });
});
