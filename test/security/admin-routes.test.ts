// Red-team probes of tenant administration on the PDP server (POST /v1/tenants/{t}/members/*, invitations/*,
// roles/list, audit/list), beyond the owner's suite (test/fixtures/admin/server-suite.ts): actor strings that look
// like subjects, lock-out by paths other than revoke/remove, invitation tokens at rest, in logs and near misses,
// forged continuation tokens, page sizes, and whether any admin view writes HTML from data.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { MemoryAdminStore } from '@gatehouse/admin';
import { GLOBEX_KEY, startAdminServer } from '../fixtures/admin/harness.js';
import type { AdminHarness } from '../fixtures/admin/harness.js';

let h: AdminHarness;
let store: MemoryAdminStore;
let log = '';

beforeEach(async () => {
  log = '';
  store = new MemoryAdminStore();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      log += chunk.toString('utf8');
      done();
    },
  });
  h = await startAdminServer({ admin: { store }, logger: pino({ level: 'trace' }, sink) });
});
afterEach(async () => {
  await h.close();
});

async function managesMembers(actor: string): Promise<boolean> {
  const r = await h.post('acme', 'roles/list', { actor });
  expect(r.status).toBe(200);
  return r.body.permissions.manage_members as boolean;
}

async function invite(roles: string[], actor = 'alice'): Promise<{ token: string; id: string }> {
  const r = await h.post('acme', 'members/invite', { actor, email: 'dave@example.com', roles });
  expect(r.status).toBe(200);
  return { token: r.body.token, id: r.body.invitation.id };
}

const cursor = (o: object): string => Buffer.from(JSON.stringify(o), 'utf8').toString('base64url');

describe('actors are opaque user ids', () => {
  it('an actor written like a subject, a userset, a wildcard or with spaces never borrows alice’s (admin) permissions', async () => {
    for (const actor of ['user:alice', 'ALICE', 'alice.']) {
      const r = await h.post('acme', 'members/list', { actor });
      expect(r.status).toBe(403);
    }
    for (const actor of ['tenant:acme#admin', 'alice#admin', '*', ' alice', 'alice\n', 'a'.repeat(129)]) {
      const r = await h.post('acme', 'members/roles/assign', { actor, user_id: 'mallory', role: 'admin' });
      expect(r.status).toBe(400);
    }
    expect((await h.post('acme', 'members/list', { actor: 'alice' })).body.members.map((m: { id: string }) => m.id)).not.toContain('mallory');
  });

  it('a user id holding "@user:" or "#" cannot redirect a grant to another subject (the role goes to that exact id)', async () => {
    for (const id of ['eve@user:carol', 'eve@tenant:acme#admin', 'user:bob@user:carol']) {
      const r = await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: id, role: 'admin' });
      expect([200, 400]).toContain(r.status);
      if (r.status === 200) expect(await managesMembers(id)).toBe(true);
    }
    const carol = await h.post('acme', 'members/list', { actor: 'alice', query: 'carol' });
    const roles = Object.fromEntries((carol.body.members as { id: string; roles: string[] }[]).map((m) => [m.id, m.roles]));
    expect(roles.carol).toEqual(['editor']);
    expect(await managesMembers('carol')).toBe(false);
    expect(await managesMembers('bob')).toBe(false);
  });

  it('refuses an x-gatehouse-actor header on a data write that is a userset or a wildcard, and writes nothing', async () => {
    for (const actor of ['tenant:acme#admin', '*']) {
      const r = await h.post('acme', 'data/write', { tuples: ['tenant:acme#admin@user:mallory'] }, undefined, { 'x-gatehouse-actor': actor });
      expect(r.status).toBe(400);
    }
    expect(await managesMembers('mallory')).toBe(false);
  });
});

describe('no lock-out by any path', () => {
  it('the only manager cannot revoke her admin role, remove herself or suspend herself (each 409, she still manages)', async () => {
    expect((await h.post('acme', 'members/roles/revoke', { actor: 'alice', user_id: 'alice', role: 'admin' })).status).toBe(409);
    expect((await h.post('acme', 'members/remove', { actor: 'alice', user_id: 'alice' })).status).toBe(409);
    // manage_members = admin not suspended: granting herself `suspended` takes it away as surely as a revoke.
    expect((await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'alice', role: 'suspended' })).status).toBe(409);
    expect(await managesMembers('alice')).toBe(true);
  });

  it('the only manager cannot lock the tenant out by accepting her own invitation to `suspended`', async () => {
    const { token } = await invite(['suspended']);
    const r = await h.post('acme', 'invitations/accept', { token, user_id: 'alice' });
    expect(r.status).toBe(409);
    expect(await managesMembers('alice')).toBe(true);
  });
});

describe('invitation tokens', () => {
  it('are 256 random bits: 50 invitations give 50 distinct 43-character base64url tokens of 32 bytes', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { token } = await invite(['viewer']);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      tokens.add(token);
    }
    expect(tokens.size).toBe(50);
  });

  it('are nowhere at rest or in the logs: not in the store, the audit trail, or a trace-level server log', async () => {
    const { token } = await invite(['viewer']);
    expect((await h.post('acme', 'invitations/accept', { token, user_id: 'dave' })).status).toBe(200);
    expect((await h.post('acme', 'invitations/accept', { token, user_id: 'erin' })).status).toBe(410);
    expect(inspect(store, { depth: Infinity, maxArrayLength: Infinity, maxStringLength: Infinity })).not.toContain(token);
    const trail = await h.post('acme', 'audit/list', { actor: 'alice' });
    expect(trail.body.entries.length).toBeGreaterThan(0);
    expect(JSON.stringify(trail.body)).not.toContain(token);
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(token);
  });

  it('a near miss of a real token is 404, and the invitation stays pending for the real one', async () => {
    const { token } = await invite(['viewer']);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    const misses = [token.slice(0, -1) + last, token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase(), `${token}=`, ` ${token}`, `${token}\n`, encodeURIComponent(`${token}/`), token.slice(0, 42), `${token}A`];
    for (const miss of misses) {
      const r = await h.post('acme', 'invitations/accept', { token: miss, user_id: 'mallory' });
      expect(r.status).toBe(404);
    }
    expect(await managesMembers('mallory')).toBe(false);
    const listed = await h.post('acme', 'invitations/list', { actor: 'alice' });
    expect(listed.body.invitations).toHaveLength(1);
    expect((await h.post('acme', 'invitations/accept', { token, user_id: 'dave' })).status).toBe(200);
  });
});

describe('continuation tokens and page sizes', () => {
  it('a forged audit token naming another tenant, another list or a huge position is 400 or an empty page, never another tenant’s entries or a 5xx', async () => {
    await h.post('globex', 'members/roles/assign', { actor: 'gina', user_id: 'secret-globex-user', role: 'viewer' });
    for (const token of [cursor({ k: 'audit', t: 'globex', a: '0' }), cursor({ k: 'members', t: 'acme', a: 'a' }), cursor({ k: 'audit', t: 'acme', a: '-1' }), 'x'.repeat(2000), '../../globex']) {
      const r = await h.post('acme', 'audit/list', { actor: 'alice', continuous_token: token });
      expect(r.status).toBe(400);
    }
    for (const token of [cursor({ k: 'audit', t: 'acme', a: '9'.repeat(30) }), cursor({ k: 'audit', t: 'acme', a: '0' })]) {
      const r = await h.post('acme', 'audit/list', { actor: 'alice', continuous_token: token });
      expect([200, 400]).toContain(r.status);
      expect(JSON.stringify(r.body)).not.toContain('secret-globex-user');
    }
  });

  it('a forged members token cannot reach another tenant’s members', async () => {
    await h.post('globex', 'members/roles/assign', { actor: 'gina', user_id: 'secret-globex-user', role: 'viewer' });
    const walk = (p: Record<string, unknown>): string => JSON.stringify(p);
    for (const token of [
      cursor({ k: 'members', t: 'globex', a: walk({ p: 'a', s: '', e: '', k: 0, z: 10 }) }),
      cursor({ k: 'invitations', t: 'acme', a: 'x' }),
      cursor({ k: 'members', t: 'acme', a: '\u0000' }),
      cursor({ k: 'members', t: 'acme', a: walk({ p: 'a', s: '', e: "1' OR 1=1", k: 0, z: 10 }) }),
      cursor({ k: 'members', t: 'acme', a: walk({ p: 'a', s: '', e: '', k: 1e9, z: 10 }) }),
      cursor({ k: 'members', t: 'acme', a: walk({ p: 'i', c: 'yesterday', d: 'x' }) }),
    ]) {
      const r = await h.post('acme', 'members/list', { actor: 'alice', continuous_token: token });
      expect(r.status).toBe(400);
    }
    // A well-formed position of this tenant reads this tenant's tuples only, wherever it points.
    for (const e of ['', '0', '1', '99999999']) {
      const own = await h.post('acme', 'members/list', { actor: 'alice', continuous_token: cursor({ k: 'members', t: 'acme', a: walk({ p: 'a', s: '', e, k: 0, z: 10 }) }) });
      expect([200, 400]).toContain(own.status);
      expect(JSON.stringify(own.body)).not.toContain('secret-globex-user');
    }
  });

  it('refuses a huge, negative, fractional or string page_size with 400 on every list', async () => {
    for (const path of ['members/list', 'invitations/list', 'audit/list']) {
      for (const page_size of [1_000_000_000, 1001, -1, 1.5, '10', 2 ** 53]) {
        const r = await h.post('acme', path, { actor: 'alice', page_size });
        expect(r.status).toBe(400);
      }
    }
  });

  it('refuses control characters in the free-text filters and ids (400 on every store, never a 503 from PostgreSQL)', async () => {
    for (const [path, body] of [
      ['audit/list', { actor: 'alice', filter: { actor: 'a\u0000' } }],
      ['audit/list', { actor: 'alice', filter: { target: '\u001b[2J' } }],
      ['members/list', { actor: 'alice', query: 'x\u0000' }],
      ['invitations/revoke', { actor: 'alice', invitation_id: '\u0000' }],
    ] as const) {
      expect((await h.post('acme', path, body)).status).toBe(400);
    }
  });

  it('a key scoped to globex cannot page acme’s trail with a token acme’s own admin got', async () => {
    await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'x1', role: 'viewer' });
    await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'x2', role: 'viewer' });
    const first = await h.post('acme', 'audit/list', { actor: 'alice', page_size: 1 });
    expect(first.status).toBe(200);
    const token = first.body.continuous_token as string;
    expect((await h.post('acme', 'audit/list', { actor: 'alice', continuous_token: token }, GLOBEX_KEY)).status).toBe(403);
    expect((await h.post('globex', 'audit/list', { actor: 'gina', continuous_token: token }, GLOBEX_KEY)).status).toBe(400);
  });
});

describe('what the admin views show is text', () => {
  function files(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|js)$/.test(name) ? [p] : [];
    });
  }

  it('no element, console view or tenant-admin page script writes HTML from a string (innerHTML, outerHTML, insertAdjacentHTML, dangerouslySetInnerHTML, document.write)', () => {
    const root = new URL('../../', import.meta.url).pathname;
    const sources = ['packages/elements/src', 'packages/console/src', 'examples/tenant-admin/public'].flatMap((d) => files(join(root, d)));
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      expect([file, /innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write/.exec(readFileSync(file, 'utf8'))?.[0]]).toEqual([file, undefined]);
    }
  });

  it('stores a hostile display name as given and answers it only inside JSON (application/json), for the views to print as text', async () => {
    const name = '<img src=x onerror=alert(1)>';
    const r = await h.post('acme', 'members/invite', { actor: 'alice', email: "o'brien+x@example.com", name, roles: ['viewer'] });
    expect(r.status).toBe(200);
    const res = await fetch(`${h.url}/v1/tenants/acme/members/list`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-test-key-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ actor: 'alice' }),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as { members: { name: string | null }[] }).members.map((m) => m.name)).toContain(name);
    for (const email of ['a@b.c\r\nBcc: x@y.z', '<a@b.c>', 'a@b.c"onmouseover="x', 'a b@c.d', 'a\u0000b@c.d', '\u001b]0;pwned\u0007@c.d', 'a@b.c\u007f', 'a\u202eb@c.d']) {
      expect((await h.post('acme', 'members/invite', { actor: 'alice', email, roles: ['viewer'] })).status).toBe(400);
    }
    // A right-to-left override would show "alice\u202eeciffo" as "aliceoffice"-like spoofs in every view.
    for (const bad of ['Eve\u202etxt.exe', 'Eve\u0085', 'Eve\u2028Admin']) {
      expect((await h.post('acme', 'members/invite', { actor: 'alice', email: 'eve@example.com', name: bad, roles: ['viewer'] })).status).toBe(400);
    }
  });
});
