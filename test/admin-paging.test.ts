// What a members page costs: it reads the engine's tuples from where the last page stopped and the roles and
// profiles of the members it lists, never the whole tenant (issue 14 item 3, applied to tenant administration); and
// one tenant's invitation flood does not change the work done for another tenant. Work is counted with spies on the
// engine and the admin store (never wall time).
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import { AdminService, MemoryAdminStore } from '@gatehouse/admin';
import type { AdminStore } from '@gatehouse/admin';
import { ConflictError, InvalidRequestError } from '@gatehouse/core';
import { PostgresAdminStore } from '@gatehouse/admin/postgres';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { PostgresStore } from '@gatehouse/store-postgres';
import { ADMIN_SCHEMA } from './fixtures/admin/harness.js';
import { PG_URL, postgresAbsent, tryPostgres } from './fixtures/postgres.js';

const alice = { userId: 'alice' };
const engines: Engine[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** A tenant `acme` with alice (admin) and `members` more users (every third one also an editor), and 3 invitations. */
async function tenantOf(
  members: number,
  options: { store?: AdminStore; maxPendingInvitations?: number; engineStore?: PostgresStore } = {},
): Promise<{ engine: Engine; admin: AdminService; store: AdminStore }> {
  const engine = await Engine.create({ schema: ADMIN_SCHEMA, ...(options.engineStore === undefined ? {} : { store: options.engineStore }) });
  engines.push(engine);
  for (const t of ['acme', 'globex']) {
    await engine.createTenant(t);
    await engine.write({ tenant: t, tuples: [`tenant:${t}#admin@user:alice`] });
  }
  const tuples: string[] = [];
  for (let i = 0; i < members; i++) {
    tuples.push(`tenant:acme#viewer@user:u${String(i).padStart(6, '0')}`);
    if (i % 3 === 0) tuples.push(`tenant:acme#editor@user:u${String(i).padStart(6, '0')}`);
  }
  for (let i = 0; i < tuples.length; i += 1000) await engine.write({ tenant: 'acme', tuples: tuples.slice(i, i + 1000) });
  const store = options.store ?? new MemoryAdminStore();
  const admin = new AdminService({ engine, pdp: new EmbeddedPdp(engine), store, ...(options.maxPendingInvitations === undefined ? {} : { maxPendingInvitations: options.maxPendingInvitations }) });
  for (const who of ['x', 'y', 'z']) await admin.invite({ tenant: 'acme', actor: alice, email: `${who}@example.com`, roles: ['viewer'] });
  return { engine, admin, store };
}

/** Counts the engine's relationship reads (calls and tuples) and the admin store's reads during `fn`. */
async function work(engine: Engine, store: AdminStore, fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts = { engineReads: 0, tuplesRead: 0, profileReads: 0, profilesAsked: 0, invitationReads: 0, invitationsRead: 0, fullInvitationLists: 0 };
  const reads = jest.spyOn(engine, 'readRelationships');
  const profiles = jest.spyOn(store, 'getProfiles');
  const pages = jest.spyOn(store, 'pendingInvitationsPage');
  const full = jest.spyOn(store, 'pendingInvitations');
  try {
    await fn();
    counts.engineReads = reads.mock.calls.length;
    for (const r of reads.mock.results) counts.tuplesRead += (await (r.value as ReturnType<Engine['readRelationships']>)).tuples.length;
    counts.profileReads = profiles.mock.calls.length;
    counts.profilesAsked = profiles.mock.calls.reduce((n, c) => n + c[1].length, 0);
    counts.invitationReads = pages.mock.calls.length;
    for (const r of pages.mock.results) counts.invitationsRead += (await (r.value as ReturnType<AdminStore['pendingInvitationsPage']>)).length;
    counts.fullInvitationLists = full.mock.calls.length;
  } finally {
    for (const s of [reads, profiles, pages, full]) s.mockRestore();
  }
  return counts;
}

describe('members/list paging cost', () => {
  it('a page does the same reads at 1,000 and at 20,000 members, first page and resumed page alike', async () => {
    const measured: Record<string, number>[][] = [];
    for (const size of [1_000, 20_000]) {
      const { engine, admin, store } = await tenantOf(size);
      const first = await admin.listMembers({ tenant: 'acme', actor: alice, pageSize: 1 });
      let token = first.continuousToken;
      for (let i = 0; i < 40; i++) token = (await admin.listMembers({ tenant: 'acme', actor: alice, pageSize: 1, continuousToken: token })).continuousToken;
      measured.push([
        await work(engine, store, () => admin.listMembers({ tenant: 'acme', actor: alice, pageSize: 1 })),
        await work(engine, store, () => admin.listMembers({ tenant: 'acme', actor: alice, pageSize: 1, continuousToken: token })),
        await work(engine, store, () => admin.listMembers({ tenant: 'acme', actor: alice, pageSize: 50, continuousToken: token })),
      ]);
    }
    const [small, large] = measured;
    expect(large).toEqual(small);
    // And the numbers are small: per tuple page of the walk (page_size + 16 tuples, kept for the walk), one roles read
    // for the members met and one profile read. The third page asks 50 members of a walk begun with page_size 1.
    const [first, resumed, bigger] = large ?? [];
    for (const w of [first, resumed]) {
      expect(w?.engineReads).toBe(2);
      expect(w?.tuplesRead).toBeLessThanOrEqual(40);
      expect(w?.profileReads).toBe(1);
    }
    expect(bigger?.engineReads).toBeLessThanOrEqual(12);
    expect(bigger?.tuplesRead).toBeLessThanOrEqual(200);
    for (const w of large ?? []) {
      expect(w.fullInvitationLists).toBe(0);
    }
  });

  it('walking every page lists each member and invitation exactly once, at the state of the first page, while roles change', async () => {
    const { engine, admin } = await tenantOf(300);
    for (const pageSize of [1, 7, 50]) {
      const before = await engine.readRelationships({ tenant: 'acme', filter: { entity: { type: 'tenant', ids: ['acme'] }, subject: { type: 'user' } }, pageSize: 1000 });
      const expected = new Set(before.tuples.map((t) => t.subject.id));
      const seen: string[] = [];
      let token = '';
      let n = 0;
      do {
        const page = await admin.listMembers({ tenant: 'acme', actor: alice, pageSize, continuousToken: token });
        expect(page.items.length).toBeLessThanOrEqual(pageSize);
        seen.push(...page.items.map((m) => m.id ?? `invited:${m.email ?? ''}`));
        token = page.continuousToken;
        // Changes during the walk: a new member, a removed one, a role added to one already listed.
        n++;
        await engine.write({ tenant: 'acme', tuples: [`tenant:acme#viewer@user:late${String(pageSize)}-${String(n)}`, `tenant:acme#admin@user:${seen[0] ?? 'alice'}`] });
        if (n === 2) await engine.delete({ tenant: 'acme', tuples: ['tenant:acme#viewer@user:u000299'] });
      } while (token !== '');
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((s) => !s.startsWith('invited:')).sort()).toEqual([...expected].sort());
      expect(seen.filter((s) => s.startsWith('invited:')).sort()).toEqual(['invited:x@example.com', 'invited:y@example.com', 'invited:z@example.com']);
      await engine.write({ tenant: 'acme', tuples: ['tenant:acme#viewer@user:u000299'] });
    }
  });

  it('lists each member with all its roles and profile', async () => {
    const { admin } = await tenantOf(5);
    await admin.assignRole({ tenant: 'acme', actor: alice, userId: 'u000001', role: 'editor' });
    const { items } = await admin.listMembers({ tenant: 'acme', actor: alice, pageSize: 100 });
    const byId = new Map(items.map((m) => [m.id ?? m.email, m]));
    expect(byId.get('u000000')?.roles).toEqual(['editor', 'viewer']);
    expect(byId.get('u000001')?.roles).toEqual(['editor', 'viewer']);
    expect(byId.get('u000001')?.invitedBy).toBe('alice');
    expect(byId.get('u000002')?.roles).toEqual(['viewer']);
    expect(items.filter((m) => m.status === 'invited')).toHaveLength(3);
  });

  it('a query examines at most 5,000 rows a page: a rare match in 8,000 members is found by following the tokens', async () => {
    const { engine, admin, store } = await tenantOf(8_000);
    const pages: number[] = [];
    const found: (string | null)[] = [];
    let token = '';
    do {
      const w = await work(engine, store, async () => {
        const page = await admin.listMembers({ tenant: 'acme', actor: alice, query: 'U007777', continuousToken: token });
        found.push(...page.items.map((m) => m.id));
        pages.push(page.items.length);
        token = page.continuousToken;
      });
      expect(w.tuplesRead).toBeLessThanOrEqual(5_000 * 2 + 200);
    } while (token !== '');
    expect(found).toEqual(['u007777']);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]).toBe(0);
    const invited = await admin.listMembers({ tenant: 'acme', actor: alice, query: 'y@EXAMPLE' });
    expect(invited.items.map((m) => m.email)).toEqual([]);
    let t = invited.continuousToken;
    const emails: (string | null)[] = [];
    while (t !== '') {
      const p = await admin.listMembers({ tenant: 'acme', actor: alice, query: 'y@EXAMPLE', continuousToken: t });
      emails.push(...p.items.map((m) => m.email));
      t = p.continuousToken;
    }
    expect(emails).toEqual(['y@example.com']);
  });

  it('refuses a tampered members token with InvalidRequestError', async () => {
    const { admin } = await tenantOf(3);
    const { continuousToken } = await admin.listMembers({ tenant: 'acme', actor: alice, pageSize: 1 });
    const inner = JSON.parse(Buffer.from(continuousToken, 'base64url').toString('utf8')) as { k: string; t: string; a: string };
    const forge = (a: unknown): string => Buffer.from(JSON.stringify({ ...inner, a: JSON.stringify(a) }), 'utf8').toString('base64url');
    for (const token of [forge({ p: 'a', s: '', e: '', k: -1 }), forge({ p: 'a', s: 'x y', e: '', k: 0 }), forge({ p: 'i', c: '2020-01-01', d: 'a' }), forge({ p: 'z' }), forge([1])]) {
      await expect(admin.listMembers({ tenant: 'acme', actor: alice, continuousToken: token })).rejects.toThrow(InvalidRequestError);
    }
    await expect(admin.listMembers({ tenant: 'globex', actor: alice, continuousToken })).rejects.toThrow(InvalidRequestError);
  });
});

describe('pending invitations per tenant', () => {
  /** Counts how many invitation records of the memory store's global map any call iterates. */
  function countScans(store: MemoryAdminStore): { scanned: () => number } {
    const inner = store as unknown as { invitations: Map<string, unknown> };
    let scanned = 0;
    const original = inner.invitations;
    const counting = new Map(original);
    for (const name of ['values', 'entries', 'keys', Symbol.iterator] as const) {
      const fn = (counting as unknown as Record<string | symbol, () => Iterator<unknown>>)[name]?.bind(counting);
      Object.defineProperty(counting, name, {
        value: function* iterate() {
          for (const x of { [Symbol.iterator]: fn } as Iterable<unknown>) {
            scanned++;
            yield x;
          }
        },
      });
    }
    inner.invitations = counting;
    return { scanned: () => scanned };
  }

  it('a flood of invitations in one tenant does not change the work done for another', async () => {
    const store = new MemoryAdminStore();
    const { engine, admin } = await tenantOf(20, { store, maxPendingInvitations: 1000 });
    const scans = countScans(store);
    const globexWork = async (): Promise<{ reads: Record<string, number>; scanned: number }> => {
      const w = await work(engine, store, async () => {
        await admin.listMembers({ tenant: 'globex', actor: alice, pageSize: 10 });
        await admin.listInvitations({ tenant: 'globex', actor: alice, pageSize: 10 });
        const { invitation } = await admin.invite({ tenant: 'globex', actor: alice, email: 'g@example.com', roles: ['viewer'] });
        await admin.revokeInvitation({ tenant: 'globex', actor: alice, invitationId: invitation.id });
      });
      return { reads: w, scanned: scans.scanned() };
    };
    const before = await globexWork();
    for (let i = 0; i < 990; i++) await admin.invite({ tenant: 'acme', actor: { trusted: 'flood' }, email: `f${String(i)}@example.com`, roles: ['viewer'] });
    const scannedBefore = scans.scanned();
    const after = await globexWork();
    expect({ reads: after.reads, scanned: after.scanned - scannedBefore }).toEqual(before);
    expect(before.scanned).toBe(0);
  });

  it('caps pending invitations per tenant (409) without touching another tenant', async () => {
    const { admin } = await tenantOf(1, { maxPendingInvitations: 5 });
    await admin.invite({ tenant: 'acme', actor: alice, email: 'a4@example.com', roles: ['viewer'] });
    await admin.invite({ tenant: 'acme', actor: alice, email: 'a5@example.com', roles: ['viewer'] });
    await expect(admin.invite({ tenant: 'acme', actor: alice, email: 'a6@example.com', roles: ['viewer'] })).rejects.toThrow(ConflictError);
    await expect(admin.invite({ tenant: 'globex', actor: alice, email: 'g@example.com', roles: ['viewer'] })).resolves.toBeDefined();
    const page = await admin.listInvitations({ tenant: 'acme', actor: alice, pageSize: 2 });
    const rest = await admin.listInvitations({ tenant: 'acme', actor: alice, pageSize: 10, continuousToken: page.continuousToken });
    expect([...page.items, ...rest.items].map((i) => i.email).sort()).toEqual(['a4@example.com', 'a5@example.com', 'x@example.com', 'y@example.com', 'z@example.com']);
    expect(rest.continuousToken).toBe('');
    await admin.revokeInvitation({ tenant: 'acme', actor: alice, invitationId: page.items[0]?.id ?? '' });
    await expect(admin.invite({ tenant: 'acme', actor: alice, email: 'a6@example.com', roles: ['viewer'] })).resolves.toBeDefined();
  });
});

const PG_SCHEMA = `admin_paging_${String(process.pid)}`;
const absent = await postgresAbsent();

describe('pending invitations on the PostgreSQL admin store', () => {
  afterAll(async () => {
    if (absent === undefined) for (const schema of [PG_SCHEMA, `${PG_SCHEMA}_engine`]) await tryPostgres(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('pages and counts one tenant’s pending invitations, caps them (409), and lists them after the members once each', async () => {
    if (absent !== undefined) return;
    const store = new PostgresAdminStore({ connectionString: PG_URL, schema: PG_SCHEMA });
    try {
      await store.open();
      const { admin } = await tenantOf(30, { store, maxPendingInvitations: 8 });
      for (let i = 0; i < 5; i++) await admin.invite({ tenant: 'acme', actor: alice, email: `p${String(i)}@example.com`, roles: ['viewer'] });
      await expect(admin.invite({ tenant: 'acme', actor: alice, email: 'over@example.com', roles: ['viewer'] })).rejects.toThrow(ConflictError);
      await admin.invite({ tenant: 'globex', actor: alice, email: 'g@example.com', roles: ['viewer'] });
      expect(await store.countPendingInvitations('acme', new Date())).toBe(8);
      const emails: string[] = [];
      let token = '';
      do {
        const page = await admin.listInvitations({ tenant: 'acme', actor: alice, pageSize: 3, continuousToken: token });
        emails.push(...page.items.map((i) => i.email));
        token = page.continuousToken;
      } while (token !== '');
      expect(emails).toHaveLength(8);
      expect(new Set(emails).size).toBe(8);
      expect(emails).not.toContain('g@example.com');
      const seen: string[] = [];
      do {
        const page = await admin.listMembers({ tenant: 'acme', actor: alice, pageSize: 4, continuousToken: token });
        seen.push(...page.items.map((m) => m.id ?? `invited:${m.email ?? ''}`));
        token = page.continuousToken;
      } while (token !== '');
      expect(seen).toHaveLength(31 + 8);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.slice(31).map((s) => s.replace('invited:', '')).sort()).toEqual([...emails].sort());
    } finally {
      await store.close();
    }
  });

  it('walks members once each on an engine backed by PostgresStore, pinned at the first page while roles change', async () => {
    if (absent !== undefined) return;
    const { engine, admin } = await tenantOf(120, { engineStore: new PostgresStore({ connectionString: PG_URL, schema: `${PG_SCHEMA}_engine`, pollIntervalMs: 0 }) });
    const seen: string[] = [];
    let token = '';
    let n = 0;
    do {
      const page = await admin.listMembers({ tenant: 'acme', actor: alice, pageSize: 9, continuousToken: token });
      seen.push(...page.items.map((m) => m.id ?? `invited:${m.email ?? ''}`));
      token = page.continuousToken;
      n++;
      await engine.write({ tenant: 'acme', tuples: [`tenant:acme#viewer@user:late${String(n)}`, `tenant:acme#admin@user:${seen[0] ?? 'alice'}`] });
      if (n === 2) await engine.delete({ tenant: 'acme', tuples: ['tenant:acme#viewer@user:u000119'] });
    } while (token !== '');
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((s) => !s.startsWith('invited:'))).toHaveLength(121);
    expect(seen).toContain('u000119');
    expect(seen.filter((s) => s.startsWith('late'))).toEqual([]);
    expect(seen.filter((s) => s.startsWith('invited:'))).toHaveLength(3);
  });
});
