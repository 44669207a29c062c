// Tenant administration under concurrent requests (memory store): the audit trail stays in commit order with each
// change once, two managers removing each other cannot lock the tenant out, and an invitation is accepted once.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { AdminService, AuditTrail, decisionAudit, MemoryAdminStore } from '@gatehouse/admin';
import { ConflictError, Gatehouse, InvalidRequestError } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { ADMIN_SCHEMA, startAdminServer } from './fixtures/admin/harness.js';
import type { AdminHarness } from './fixtures/admin/harness.js';

describe('admin routes under concurrency', () => {
  let h: AdminHarness;
  beforeEach(async () => {
    h = await startAdminServer();
  });
  afterEach(async () => {
    await h.close();
  });

  it('records 40 concurrent changes once each, in commit order', async () => {
    const calls = [];
    for (let i = 0; i < 20; i++) {
      calls.push(h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: `u${String(i)}`, role: 'viewer' }));
      calls.push(h.post('acme', 'data/write', { tuples: [`document:c${String(i)}#owner@user:alice`] }));
    }
    const results = await Promise.all(calls);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const trail = await h.post('acme', 'audit/list', { page_size: 1000 });
    const entries = (trail.body.entries as { id: string; action: string; target: string; details: any; snap_token: string }[]).slice(1); // after the harness's setup write
    expect(entries).toHaveLength(40);
    const tokens = entries.map((e) => Number(e.snap_token));
    expect(tokens.every((t, i) => i === 0 || t > (tokens[i - 1] ?? Infinity))).toBe(true);
    const answered = new Set(results.map((r) => Number(r.body.snap_token)));
    expect(new Set(tokens)).toEqual(answered);
    const assigned = entries.filter((e) => e.action === 'member.role.assign').map((e) => e.target).sort();
    expect(assigned).toEqual(Array.from({ length: 20 }, (_, i) => `user:u${String(i)}`).sort());
  });

  it('lets only one of two managers removing each other at once succeed', async () => {
    await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'bob', role: 'admin' });
    const [a, b] = await Promise.all([
      h.post('acme', 'members/remove', { actor: 'alice', user_id: 'bob' }),
      h.post('acme', 'members/remove', { actor: 'bob', user_id: 'alice' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 403]);
    const managers = await h.post('acme', 'permissions/lookup-subject', {
      entity: { type: 'tenant', id: 'acme' },
      permission: 'manage_members',
      subject_reference: { type: 'user', relation: '' },
    });
    expect(managers.body.subject_ids).toHaveLength(1);
  });

  it('accepts an invitation once when ten accepts race', async () => {
    const inv = await h.post('acme', 'members/invite', { actor: 'alice', email: 'dave@example.com', roles: ['editor'] });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => h.post('acme', 'invitations/accept', { token: inv.body.token, user_id: `racer${String(i)}` })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 410)).toHaveLength(9);
    const members = await h.post('acme', 'members/list', { actor: 'alice', query: 'racer' });
    expect(members.body.members).toHaveLength(1);
  });
});

describe('AdminService', () => {
  it('refuses bad options with InvalidRequestError', async () => {
    const engine = await Engine.create({ schema: ADMIN_SCHEMA });
    expect(() => new AdminService({ engine, pdp: undefined as never })).toThrow(InvalidRequestError);
    expect(() => new AdminService({ engine, pdp: new EmbeddedPdp(engine), invitationTtlMs: -1 })).toThrow(InvalidRequestError);
    expect(() => new MemoryAdminStore({ auditCapacity: 0 })).toThrow(InvalidRequestError);
    expect(() => new AuditTrail({ store: new MemoryAdminStore(), retentionDays: 0 })).toThrow(InvalidRequestError);
    await engine.close();
  });

  it('keeps only the newest entries in the memory ring, and pages members with opaque tokens', async () => {
    const engine = await Engine.create({ schema: ADMIN_SCHEMA });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['tenant:acme#admin@user:alice'] });
    const admin = new AdminService({ engine, pdp: new EmbeddedPdp(engine), store: new MemoryAdminStore({ auditCapacity: 3 }) });
    const alice = { userId: 'alice' };
    for (const u of ['b', 'c', 'd', 'e', 'f']) await admin.assignRole({ tenant: 'acme', actor: alice, userId: u, role: 'viewer' });
    const trail = await admin.listAudit({ tenant: 'acme', actor: alice });
    expect(trail.items.map((e) => e.target)).toEqual(['user:d', 'user:e', 'user:f']);
    await admin.invite({ tenant: 'acme', actor: { trusted: 'ops' }, email: 'g@example.com', roles: ['viewer'] });

    const seen: (string | null)[] = [];
    let token = '';
    do {
      const page = await admin.listMembers({ tenant: 'acme', actor: alice, pageSize: 2, continuousToken: token });
      seen.push(...page.items.map((m) => m.id ?? `invited:${m.email ?? ''}`));
      token = page.continuousToken;
    } while (token !== '');
    expect(seen).toEqual(['alice', 'b', 'c', 'd', 'e', 'f', 'invited:g@example.com']);
    const invitations = await admin.listInvitations({ tenant: 'acme', actor: alice, pageSize: 1 });
    expect(invitations.items[0]?.invitedBy).toBe('ops');
    const audit = await admin.listAudit({ tenant: 'acme', actor: alice, pageSize: 1 });
    await expect(admin.listMembers({ tenant: 'acme', actor: alice, continuousToken: audit.continuousToken })).rejects.toThrow(InvalidRequestError);
    await expect(admin.listMembers({ tenant: 'acme', actor: alice, continuousToken: 'not a token' })).rejects.toThrow(InvalidRequestError);
    await engine.close();
  });

  it('samples decisions into the trail through the decision log', async () => {
    const engine = await Engine.create({ schema: ADMIN_SCHEMA });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['tenant:acme#admin@user:alice', 'document:d1#owner@user:alice'] });
    const admin = new AdminService({ engine, pdp: new EmbeddedPdp(engine) });
    const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine), onDecision: decisionAudit(admin.audit, { deniedOnly: true }) });
    expect(await gate.can('alice', 'edit', 'document:d1', { tenant: 'acme' })).toBe(true);
    expect(await gate.can('mallory', 'edit', 'document:d1', { tenant: 'acme' })).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    const trail = await admin.listAudit({ tenant: 'acme', actor: { userId: 'alice' }, filter: { action: 'decision' } });
    expect(trail.items.map((e) => [e.actor, e.target, e.details.action, e.details.allowed, e.snapToken])).toEqual([['user:mallory', 'document:d1', 'edit', false, null]]);
    await gate.close();
    await engine.close();
  });

  it('hands each new token to onInvite, and revokes the invitation when the hook fails', async () => {
    const engine = await Engine.create({ schema: ADMIN_SCHEMA });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['tenant:acme#admin@user:alice'] });
    const sent: string[] = [];
    let fail = false;
    const admin = new AdminService({
      engine,
      pdp: new EmbeddedPdp(engine),
      onInvite: ({ invitation, token }) => {
        if (fail) throw new Error('mail server down');
        sent.push(`${invitation.email} ${token}`);
      },
    });
    const alice = { userId: 'alice' };
    const ok = await admin.invite({ tenant: 'acme', actor: alice, email: 'dave@example.com', roles: ['viewer'] });
    expect(sent).toEqual([`dave@example.com ${ok.token}`]);
    fail = true;
    await expect(admin.invite({ tenant: 'acme', actor: alice, email: 'erin@example.com', roles: ['viewer'] })).rejects.toThrow('mail server down');
    const pending = await admin.listInvitations({ tenant: 'acme', actor: alice });
    expect(pending.items.map((i) => i.email)).toEqual(['dave@example.com']);
    const trail = await admin.listAudit({ tenant: 'acme', actor: alice });
    expect(trail.items.map((e) => [e.action, e.details.email])).toEqual([
      ['member.invite', 'dave@example.com'],
      ['member.invite', 'erin@example.com'],
      ['invitation.revoke', 'erin@example.com'],
    ]);
    await engine.close();
  });

  it('bounds the pending invitations of a tenant', async () => {
    const engine = await Engine.create({ schema: ADMIN_SCHEMA });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['tenant:acme#admin@user:alice'] });
    const admin = new AdminService({ engine, pdp: new EmbeddedPdp(engine), maxPendingInvitations: 2 });
    const call = { tenant: 'acme', actor: { userId: 'alice' }, roles: ['viewer'] };
    const first = await admin.invite({ ...call, email: 'a@example.com' });
    await admin.invite({ ...call, email: 'b@example.com' });
    await expect(admin.invite({ ...call, email: 'c@example.com' })).rejects.toThrow(ConflictError);
    await admin.revokeInvitation({ tenant: 'acme', actor: { userId: 'alice' }, invitationId: first.invitation.id });
    await admin.invite({ ...call, email: 'c@example.com' });
    await engine.close();
  });

  it('looks up every manager only when the changed user is one (a large tenant pays a check, not a lookup)', async () => {
    const engine = await Engine.create({ schema: ADMIN_SCHEMA });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['tenant:acme#admin@user:alice'] });
    const pdp = new EmbeddedPdp(engine);
    let lookups = 0;
    const counting = Object.assign(Object.create(pdp) as EmbeddedPdp, {
      lookupSubjects: (...args: Parameters<EmbeddedPdp['lookupSubjects']>) => {
        lookups += 1;
        return pdp.lookupSubjects(...args);
      },
    });
    const admin = new AdminService({ engine, pdp: counting });
    const alice = { userId: 'alice' };
    await admin.assignRole({ tenant: 'acme', actor: alice, userId: 'erin', role: 'viewer' });
    await admin.removeMember({ tenant: 'acme', actor: alice, userId: 'erin' });
    expect(lookups).toBe(0);
    await expect(admin.removeMember({ tenant: 'acme', actor: alice, userId: 'alice' })).rejects.toThrow('lock-out');
    expect(lookups).toBeGreaterThan(0);
    await engine.close();
  });
});
