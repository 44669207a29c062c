// Tenant administration on PostgreSQL: the HTTP suite on PostgresAdminStore, durability of the audit trail and of
// invitations across server restarts (`gatehouse serve --postgres`), single use across two stores, idempotent
// migrations and retention. Creates and drops its own database; skips when PostgreSQL is not reachable, unless
// GATEHOUSE_REQUIRE_SERVICES=1.
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { AuditTrail } from '@gatehouse/admin';
import { PostgresAdminStore } from '@gatehouse/admin/postgres';
import { adminServerSuite } from './fixtures/admin/server-suite.js';
import { ADMIN_SCHEMA, KEY } from './fixtures/admin/harness.js';
import { PG_URL as BASE, postgresAbsent, tryPostgres } from './fixtures/postgres.js';

const DB = `gh_admin_${String(process.pid)}`;
const URL = BASE.replace(/\/[^/]*$/, `/${DB}`);

// Known before the suites are declared (top-level await), so the shared suite is declared only when it can run.
const absent = await postgresAbsent(`CREATE DATABASE ${DB}`);
afterAll(async () => {
  if (absent === undefined) await tryPostgres(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
});

let n = 0;
if (absent === undefined) {
  // Each test gets its own schema in the test database.
  adminServerSuite('PostgreSQL', async () => {
    n += 1;
    return await Promise.resolve(new PostgresAdminStore({ connectionString: URL, schema: `suite_${String(n)}` }));
  });
}

describe('admin store on PostgreSQL', () => {
  it('migrates idempotently, also from two stores at once', async () => {
    if (absent !== undefined) return;
    const a = new PostgresAdminStore({ connectionString: URL, schema: 'twice' });
    const b = new PostgresAdminStore({ connectionString: URL, schema: 'twice' });
    await Promise.all([a.open(), b.open()]);
    await a.close();
    await b.close();
    const again = new PostgresAdminStore({ connectionString: URL, schema: 'twice' });
    await again.open();
    await again.close();
    const c = new pg.Client({ connectionString: URL });
    await c.connect();
    const { rows } = await c.query<{ version: number }>('SELECT version FROM twice.admin_migrations ORDER BY version');
    await c.end();
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
  });

  it('makes an invitation single use across replicas: of two concurrent accepts exactly one wins', async () => {
    if (absent !== undefined) return;
    const a = new PostgresAdminStore({ connectionString: URL, schema: 'race' });
    const b = new PostgresAdminStore({ connectionString: URL, schema: 'race' });
    await a.open();
    const at = new Date('2026-03-01T00:00:00Z');
    await a.insertInvitation({
      id: 'inv1', tenant: 'acme', tokenHash: 'h'.repeat(64), email: 'd@example.com', name: null, roles: ['viewer'], invitedBy: 'alice',
      inviterIsUser: true, createdAt: at, expiresAt: new Date(at.getTime() + 1000), acceptedAt: null, acceptedBy: null, revokedAt: null,
    });
    const results = await Promise.all([a.markAccepted('acme', 'inv1', 'dave', at), b.markAccepted('acme', 'inv1', 'mallory', at)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.markAccepted('globex', 'inv1', 'x', at)).toBe(false);
    await a.close();
    await b.close();
  });

  it('prunes audit entries older than the retention', async () => {
    if (absent !== undefined) return;
    const store = new PostgresAdminStore({ connectionString: URL, schema: 'retention' });
    let now = new Date('2026-01-01T00:00:00Z');
    const trail = new AuditTrail({ store, clock: () => now, retentionDays: 30 });
    await store.open();
    await trail.append({ tenant: 'acme', actor: 'alice', action: 'member.role.assign', target: 'user:old' }, '1');
    now = new Date('2026-02-15T00:00:00Z');
    await trail.append({ tenant: 'acme', actor: 'alice', action: 'member.role.assign', target: 'user:new' }, '2');
    expect(await trail.prune()).toBe(1);
    const page = await trail.list('acme', {});
    expect(page.items.map((e) => e.target)).toEqual(['user:new']);
    await store.close();
  });
});

describe('gatehouse serve --postgres keeps the trail and invitations across restarts', () => {
  it('lists before-restart changes after it, and an invitation issued before is accepted once after', async () => {
    if (absent !== undefined) return;
    const { createServer, serveOptions } = await import('@gatehouse/pdp-server');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'gh-admin-'));
    writeFileSync(join(dir, 'schema.perm'), ADMIN_SCHEMA);
    const flags = { postgres: URL, 'postgres-schema': 'served', schema: join(dir, 'schema.perm'), 'api-key': [KEY], 'log-level': 'silent', 'audit-retention-days': '90' };
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const post = async (url: string, path: string, body: unknown): Promise<{ status: number; body: any }> => {
      const r = await fetch(`${url}/v1/tenants/t1/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return { status: r.status, body: await r.json() };
    };

    const first = await createServer(await serveOptions(flags, {}));
    const a = await first.listen({ port: 0 });
    expect((await post(a.url, 'data/write', { tuples: ['tenant:t1#admin@user:alice'] })).status).toBe(200);
    const inv = await post(a.url, 'members/invite', { actor: 'alice', email: 'dave@example.com', roles: ['viewer'] });
    expect(inv.status).toBe(200);
    await first.close();

    const second = await createServer(await serveOptions({ ...flags, schema: undefined }, {}));
    const b = await second.listen({ port: 0 });
    expect((await post(b.url, 'invitations/accept', { token: inv.body.token, user_id: 'dave' })).status).toBe(200);
    expect((await post(b.url, 'invitations/accept', { token: inv.body.token, user_id: 'dave' })).status).toBe(410);
    const trail = await post(b.url, 'audit/list', { actor: 'alice' });
    expect(trail.body.entries.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['data.write', 'key#0'],
      ['member.invite', 'alice'],
      ['invitation.accept', 'dave'],
    ]);
    await second.close();
  });
});

describe('two replicas sharing one PostgreSQL admin store', () => {
  it('serialize changes of a tenant: managers removing each other on two replicas cannot lock it out, and the trail is in commit order', async () => {
    if (absent !== undefined) return;
    const { AdminService } = await import('@gatehouse/admin');
    const { EmbeddedPdp, Engine } = await import('@gatehouse/engine');
    // One policy store (the engine stands for the shared PostgreSQL policy data), two admin services with their own
    // in-process locks: only the store's advisory lock is shared.
    const engine = await Engine.create({ schema: ADMIN_SCHEMA });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['tenant:acme#admin@user:alice', 'tenant:acme#admin@user:bob'] });
    const stores = [new PostgresAdminStore({ connectionString: URL, schema: 'replicas' }), new PostgresAdminStore({ connectionString: URL, schema: 'replicas' })];
    const [a, b] = stores.map((store) => new AdminService({ engine, pdp: new EmbeddedPdp(engine), store })) as [InstanceType<typeof AdminService>, InstanceType<typeof AdminService>];
    try {
      const results = await Promise.allSettled([
        a.removeMember({ tenant: 'acme', actor: { userId: 'alice' }, userId: 'bob' }),
        b.removeMember({ tenant: 'acme', actor: { userId: 'bob' }, userId: 'alice' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const managers = await new EmbeddedPdp(engine).lookupSubjects({ tenant: 'acme', resource: { type: 'tenant', id: 'acme' }, action: 'manage_members', subjectType: 'user' });
      expect(managers.ids).toHaveLength(1);
      const actor = { userId: managers.ids[0] ?? '' };
      await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).assignRole({ tenant: 'acme', actor, userId: `u${String(i)}`, role: 'viewer' })));
      const trail = await a.listAudit({ tenant: 'acme', actor, filter: { action: 'member.role.assign' } });
      const tokens = trail.items.map((e) => Number(e.snapToken));
      expect(tokens).toHaveLength(12);
      expect(tokens.every((t, i) => i === 0 || t > (tokens[i - 1] ?? Infinity))).toBe(true);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await engine.close();
    }
  });
});
