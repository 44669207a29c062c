// Tenant administration over HTTP on the PDP server (memory store): delegation as policy, self-escalation,
// lock-out, invitations, tenant scope and the audit trail.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MemoryAdminStore } from '@gatehouse/admin';
import { GLOBEX_KEY, startAdminServer } from './fixtures/admin/harness.js';
import type { AdminHarness } from './fixtures/admin/harness.js';

const DAY = 24 * 3_600_000;

describe('tenant admin routes on the PDP server', () => {
  let h: AdminHarness;
  let now: Date;
  let store: MemoryAdminStore;
  beforeEach(async () => {
    now = new Date('2026-03-01T10:00:00Z');
    store = new MemoryAdminStore();
    h = await startAdminServer({ admin: { store, clock: () => now } });
  });
  afterEach(async () => {
    await h.close();
  });

  describe('delegation is the tenant policy, evaluated for the actor', () => {
    it('lists roles with what each actor may assign', async () => {
      const alice = await h.post('acme', 'roles/list', { actor: 'alice' });
      expect(alice.status).toBe(200);
      expect(alice.body.roles).toEqual([
        { name: 'admin', assignable: true },
        { name: 'editor', assignable: true },
        { name: 'suspended', assignable: true },
        { name: 'viewer', assignable: true },
      ]);
      expect(alice.body.permissions).toEqual({ manage_members: true, view_members: true, view_audit: true });
      const carol = await h.post('acme', 'roles/list', { actor: 'carol' });
      expect(carol.body.roles.filter((r: { assignable: boolean }) => r.assignable).map((r: { name: string }) => r.name)).toEqual(['viewer']);
      expect(carol.body.permissions).toEqual({ manage_members: false, view_members: true, view_audit: false });
      const stranger = await h.post('acme', 'roles/list', { actor: 'mallory' });
      expect(stranger.body.roles.every((r: { assignable: boolean }) => !r.assignable)).toBe(true);
    });

    it('lets view_members list members and refuses others with the permission named', async () => {
      const ok = await h.post('acme', 'members/list', { actor: 'carol' });
      expect(ok.status).toBe(200);
      expect(ok.body.members.map((m: { id: string; roles: string[] }) => [m.id, m.roles])).toEqual([
        ['alice', ['admin']],
        ['carol', ['editor']],
      ]);
      const no = await h.post('acme', 'members/list', { actor: 'mallory' });
      expect(no.status).toBe(403);
      expect(no.body.details[0]).toEqual({ reason: 'GH_ERR_FORBIDDEN', permission: 'view_members' });
      expect(no.body.message).toContain('view_members');
    });

    it('lets an editor grant viewer but not admin or editor', async () => {
      expect((await h.post('acme', 'members/roles/assign', { actor: 'carol', user_id: 'erin', role: 'viewer' })).status).toBe(200);
      const admin = await h.post('acme', 'members/roles/assign', { actor: 'carol', user_id: 'erin', role: 'admin' });
      expect(admin.status).toBe(403);
      expect(admin.body.details[0].permission).toBe('assign_admin');
      const editor = await h.post('acme', 'members/roles/assign', { actor: 'carol', user_id: 'erin', role: 'editor' });
      expect(editor.body.details[0].permission).toBe('assign_editor');
      const roles = await h.post('acme', 'members/list', { actor: 'alice', query: 'erin' });
      expect(roles.body.members).toEqual([expect.objectContaining({ id: 'erin', roles: ['viewer'], status: 'active' })]);
    });

    it('refuses self-escalation: an editor making herself admin, a stranger granting himself a role', async () => {
      const carol = await h.post('acme', 'members/roles/assign', { actor: 'carol', user_id: 'carol', role: 'admin' });
      expect(carol.status).toBe(403);
      expect(carol.body.details[0].permission).toBe('assign_admin');
      const mallory = await h.post('acme', 'members/roles/assign', { actor: 'mallory', user_id: 'mallory', role: 'viewer' });
      expect(mallory.status).toBe(403);
      expect(mallory.body.details[0].permission).toBe('assign_viewer');
      // An invitation is no way round it: inviting needs manage_members and assign_<role> for every role.
      const invite = await h.post('acme', 'members/invite', { actor: 'carol', email: 'c2@example.com', roles: ['admin'] });
      expect(invite.status).toBe(403);
      expect(invite.body.details[0].permission).toBe('manage_members');
      const check = await h.post('acme', 'permissions/check', { entity: { type: 'tenant', id: 'acme' }, permission: 'manage_members', subject: { type: 'user', id: 'carol' } });
      expect(check.body.can).toBe('CHECK_RESULT_DENIED');
    });

    it('refuses removal and revocation without the permission', async () => {
      const rm = await h.post('acme', 'members/remove', { actor: 'carol', user_id: 'alice' });
      expect(rm.status).toBe(403);
      expect(rm.body.details[0].permission).toBe('manage_members');
      const rv = await h.post('acme', 'members/roles/revoke', { actor: 'carol', user_id: 'alice', role: 'admin' });
      expect(rv.body.details[0].permission).toBe('assign_admin');
      const audit = await h.post('acme', 'audit/list', { actor: 'carol' });
      expect(audit.status).toBe(403);
      expect(audit.body.details[0].permission).toBe('view_audit');
    });

    it('fails closed: a permission the schema does not define allows nobody, not even an admin', async () => {
      const schema = `entity user {}
entity tenant {
  relation admin @user
  relation auditor @user
  permission manage_members = admin
  permission view_members = admin
  permission assign_admin = admin
}`;
      expect((await h.post('globex', 'schemas/write', { schema })).status).toBe(200);
      const audit = await h.post('globex', 'audit/list', { actor: 'gina' });
      expect(audit.status).toBe(403);
      expect(audit.body.details[0].permission).toBe('view_audit');
      const auditor = await h.post('globex', 'members/roles/assign', { actor: 'gina', user_id: 'gina', role: 'auditor' });
      expect(auditor.status).toBe(403);
      expect(auditor.body.details[0].permission).toBe('assign_auditor');
      const roles = await h.post('globex', 'roles/list', { actor: 'gina' });
      expect(roles.body.roles).toEqual([
        { name: 'admin', assignable: true },
        { name: 'auditor', assignable: false },
      ]);
    });
  });

  describe('no lock-out', () => {
    it('refuses to leave the tenant with nobody holding manage_members, and changes nothing', async () => {
      const self = await h.post('acme', 'members/remove', { actor: 'alice', user_id: 'alice' });
      expect(self.status).toBe(409);
      expect(self.body.details[0].reason).toBe('GH_ERR_CONFLICT');
      expect((await h.post('acme', 'members/roles/revoke', { actor: 'alice', user_id: 'alice', role: 'admin' })).status).toBe(409);
      // Granting a role can lock out too: `manage_members = admin not suspended`.
      expect((await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'alice', role: 'suspended' })).status).toBe(409);
      const members = await h.post('acme', 'members/list', { actor: 'alice' });
      expect(members.body.members.find((m: { id: string }) => m.id === 'alice').roles).toEqual(['admin']);
      // With a second manager the same change goes through.
      expect((await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'bob', role: 'admin' })).status).toBe(200);
      expect((await h.post('acme', 'members/remove', { actor: 'alice', user_id: 'alice' })).status).toBe(200);
      const after = await h.post('acme', 'members/list', { actor: 'bob' });
      expect(after.body.members.map((m: { id: string }) => m.id)).toEqual(['bob', 'carol']);
      const audit = await h.post('acme', 'audit/list', { actor: 'bob', filter: { action: 'member.role.assign' } });
      expect(audit.body.entries.map((e: { target: string }) => e.target)).toEqual(['user:bob']);
    });

    it('answers 404 for an unknown member or a role not held', async () => {
      const rm = await h.post('acme', 'members/remove', { actor: 'alice', user_id: 'nobody' });
      expect(rm.status).toBe(404);
      expect(rm.body.details[0].reason).toBe('GH_ERR_NOT_FOUND');
      expect((await h.post('acme', 'members/roles/revoke', { actor: 'alice', user_id: 'carol', role: 'viewer' })).status).toBe(404);
    });
  });

  describe('invitations', () => {
    async function invite(roles = ['viewer'], actor = 'alice'): Promise<{ token: string; id: string; body: any }> {
      const r = await h.post('acme', 'members/invite', { actor, email: 'dave@example.com', name: 'Dave', roles });
      expect(r.status).toBe(200);
      return { token: r.body.token, id: r.body.invitation.id, body: r.body };
    }

    it('gives the token once, stores only its hash, and accepting grants the roles to the accepting user', async () => {
      const { token, id, body } = await invite();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(body.invitation).toEqual(
        expect.objectContaining({ id, email: 'dave@example.com', roles: ['viewer'], status: 'pending', expires_at: '2026-03-08T10:00:00.000Z' }),
      );
      const stored = await store.invitationById('acme', id);
      expect(stored?.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(stored)).not.toContain(token);
      const listed = await h.post('acme', 'invitations/list', { actor: 'alice' });
      expect(JSON.stringify(listed.body)).not.toContain(token);
      expect(listed.body.invitations.map((i: { id: string }) => i.id)).toEqual([id]);
      const members = await h.post('acme', 'members/list', { actor: 'alice' });
      expect(members.body.members.at(-1)).toEqual(expect.objectContaining({ id: null, status: 'invited', invitation_id: id, email: 'dave@example.com' }));

      const accepted = await h.post('acme', 'invitations/accept', { token, user_id: 'dave' });
      expect(accepted.status).toBe(200);
      expect(accepted.body.member).toEqual(expect.objectContaining({ id: 'dave', roles: ['viewer'], email: 'dave@example.com', name: 'Dave', invited_by: 'alice', status: 'active' }));
      const check = await h.post('acme', 'permissions/check', { entity: { type: 'document', id: 'd1' }, permission: 'view', subject: { type: 'user', id: 'dave' } });
      expect(check.body.can).toBe('CHECK_RESULT_ALLOWED');
    });

    it('is single use: a replay is 410 and grants nothing more', async () => {
      const { token } = await invite();
      expect((await h.post('acme', 'invitations/accept', { token, user_id: 'dave' })).status).toBe(200);
      const replay = await h.post('acme', 'invitations/accept', { token, user_id: 'mallory' });
      expect(replay.status).toBe(410);
      expect(replay.body.details[0].reason).toBe('GH_ERR_GONE');
      const check = await h.post('acme', 'permissions/check', { entity: { type: 'document', id: 'd1' }, permission: 'view', subject: { type: 'user', id: 'mallory' } });
      expect(check.body.can).toBe('CHECK_RESULT_DENIED');
    });

    it('expires after 7 days by default (injected clock)', async () => {
      const { token } = await invite();
      now = new Date(now.getTime() + 7 * DAY);
      expect((await h.post('acme', 'invitations/accept', { token, user_id: 'dave' })).status).toBe(410);
      expect((await h.post('acme', 'invitations/list', { actor: 'alice' })).body.invitations).toEqual([]);
    });

    it('is still valid just before it expires', async () => {
      const { token } = await invite();
      now = new Date(now.getTime() + 7 * DAY - 1000);
      expect((await h.post('acme', 'invitations/accept', { token, user_id: 'dave' })).status).toBe(200);
    });

    it('is bound to its tenant: another tenant does not know it, and a key scoped elsewhere may not use it', async () => {
      const { token } = await invite();
      const other = await h.post('globex', 'invitations/accept', { token, user_id: 'dave' });
      expect(other.status).toBe(404);
      const scoped = await h.post('acme', 'invitations/accept', { token, user_id: 'dave' }, GLOBEX_KEY);
      expect(scoped.status).toBe(403);
      expect((await h.post('acme', 'invitations/accept', { token, user_id: 'dave' })).status).toBe(200);
    });

    it('cannot be accepted once revoked, nor revoked twice', async () => {
      const { token, id } = await invite();
      expect((await h.post('acme', 'invitations/revoke', { actor: 'carol', invitation_id: id })).status).toBe(403);
      const r = await h.post('acme', 'invitations/revoke', { actor: 'alice', invitation_id: id });
      expect(r.status).toBe(200);
      expect(r.body.invitation.status).toBe('revoked');
      expect((await h.post('acme', 'invitations/accept', { token, user_id: 'dave' })).status).toBe(410);
      expect((await h.post('acme', 'invitations/revoke', { actor: 'alice', invitation_id: id })).status).toBe(410);
      expect((await h.post('acme', 'invitations/revoke', { actor: 'alice', invitation_id: 'nope' })).status).toBe(404);
    });

    it('does not outlive the inviter’s right to grant', async () => {
      await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'bob', role: 'admin' });
      const { token } = await invite(['editor'], 'bob');
      await h.post('acme', 'members/remove', { actor: 'alice', user_id: 'bob' });
      const r = await h.post('acme', 'invitations/accept', { token, user_id: 'dave' });
      expect(r.status).toBe(403);
      expect(r.body.details[0].permission).toBe('manage_members');
    });

    it('answers 404 for a token that was never issued, whatever its shape', async () => {
      for (const token of ['x'.repeat(43), 'short', 'A'.repeat(43)]) {
        expect((await h.post('acme', 'invitations/accept', { token, user_id: 'dave' })).status).toBe(404);
      }
    });
  });

  describe('tenant scope of API keys', () => {
    it('refuses a key scoped to another tenant on every admin route', async () => {
      for (const path of ['roles/list', 'members/list', 'invitations/list', 'audit/list']) {
        const r = await h.post('acme', path, { actor: 'alice' }, GLOBEX_KEY);
        expect(r.status).toBe(403);
      }
      const assign = await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'mallory', role: 'admin' }, GLOBEX_KEY);
      expect(assign.status).toBe(403);
      expect((await h.post('globex', 'members/list', { actor: 'gina' }, GLOBEX_KEY)).status).toBe(200);
    });

    it('never shows one tenant’s members or trail in another', async () => {
      const g = await h.post('globex', 'members/list', { actor: 'gina' });
      expect(g.body.members.map((m: { id: string }) => m.id)).toEqual(['gina']);
      // alice is admin of acme, nobody in globex.
      expect((await h.post('globex', 'members/list', { actor: 'alice' })).status).toBe(403);
      const trail = await h.post('globex', 'audit/list', { actor: 'gina' });
      expect(trail.body.entries.every((e: { target: string }) => !e.target.includes('acme'))).toBe(true);
    });
  });

  describe('request validation', () => {
    it('refuses malformed bodies with 400 and changes nothing', async () => {
      const bad: [string, unknown][] = [
        ['members/invite', { actor: 'alice', email: 'not-an-email', roles: ['viewer'] }],
        ['members/invite', { actor: 'alice', email: 'd@example.com', roles: [] }],
        ['members/invite', { actor: 'alice', email: 'd@example.com', roles: 'viewer' }],
        ['members/invite', { actor: 'alice', email: 'd@example.com', roles: ['viewer'], name: 'bell\u0007' }],
        ['members/roles/assign', { actor: 'alice', user_id: '*', role: 'viewer' }],
        ['members/roles/assign', { actor: 'alice', user_id: 'x y', role: 'viewer' }],
        ['members/roles/assign', { actor: '*', user_id: 'bob', role: 'viewer' }],
        ['members/list', { actor: 'alice', continuous_token: 'eyJrIjoiYXVkaXQifQ' }],
        ['audit/list', { actor: 'alice', filter: { since: 'yesterday' } }],
        ['audit/list', { actor: 'alice', page_size: 5000 }],
      ];
      for (const [path, body] of bad) {
        const r = await h.post('acme', path, body);
        expect([path, r.status]).toEqual([path, 400]);
      }
      // A role the schema does not have has no assign_ permission either: refused as such (fail closed).
      const unknownRole = await h.post('acme', 'members/invite', { actor: 'alice', email: 'd@example.com', roles: ['nosuchrole'] });
      expect(unknownRole.status).toBe(403);
      expect(unknownRole.body.details[0].permission).toBe('assign_nosuchrole');
      // A trusted caller (no actor) passes the permission check, and the role is still refused.
      expect((await h.post('acme', 'members/invite', { email: 'd@example.com', roles: ['nosuchrole'] })).status).toBe(400);
      const audit = await h.post('acme', 'audit/list', { actor: 'alice', filter: { action: 'member.invite' } });
      expect(audit.body.entries).toEqual([]);
    });
  });

  describe('audit trail', () => {
    it('records every change once, in commit order, with its actor and snap token; refusals record nothing', async () => {
      await h.post('acme', 'data/write', { tuples: ['document:d2#owner@user:carol'] }, undefined, { 'x-gatehouse-actor': 'svc-import' });
      const inv = await h.post('acme', 'members/invite', { actor: 'alice', email: 'dave@example.com', roles: ['viewer'] });
      await h.post('acme', 'invitations/accept', { token: inv.body.token, user_id: 'dave' });
      await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'carol', role: 'admin' }); // ok
      await h.post('acme', 'members/roles/assign', { actor: 'dave', user_id: 'dave', role: 'admin' }); // 403
      await h.post('acme', 'members/roles/revoke', { actor: 'carol', user_id: 'dave', role: 'viewer' });
      await h.post('acme', 'members/remove', { actor: 'alice', user_id: 'nobody' }); // 404
      await h.post('acme', 'members/remove', { actor: 'alice', user_id: 'dave' }); // 404: no roles left
      await h.post('acme', 'data/delete', { tuples: ['document:d2#owner@user:carol'] });
      await h.post('acme', 'schemas/write', { schema: 'entity user {}\nentity tenant { relation admin @user permission view_audit = admin }' });

      const all: any[] = [];
      let token = '';
      for (;;) {
        const page = await h.post('acme', 'audit/list', { page_size: 2, continuous_token: token });
        expect(page.status).toBe(200);
        if (page.body.entries.length === 0) break;
        all.push(...page.body.entries);
        token = page.body.continuous_token;
      }
      const start = all.findIndex((e) => e.details?.tuples?.items?.includes('document:d2#owner@user:carol'));
      const seen = all.slice(start).map((e) => [e.action, e.actor, e.target]);
      expect(seen).toEqual([
        ['data.write', 'svc-import', 'tenant:acme'],
        ['member.invite', 'alice', `invitation:${String(inv.body.invitation.id)}`],
        ['invitation.accept', 'dave', 'user:dave'],
        ['member.role.assign', 'alice', 'user:carol'],
        ['member.role.revoke', 'carol', 'user:dave'],
        ['data.delete', 'key#0', 'tenant:acme'],
        ['schema.write', 'key#0', 'tenant:acme'],
      ]);
      // Ids increase; snap tokens increase for the commits and are null for the invitation.
      const ids = all.map((e) => BigInt(e.id));
      expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
      const tokens = all.slice(start).filter((e) => e.snap_token !== null).map((e) => Number(e.snap_token));
      expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
      expect(new Set(tokens).size).toBe(tokens.length);
      expect(all.slice(start)[1].snap_token).toBeNull();
      // The setup writes of the harness are there too, before.
      expect(all.slice(0, start).every((e) => e.action === 'data.write')).toBe(true);
    });

    it('filters by actor, target, action and time, and refuses foreign or tampered continuation tokens', async () => {
      await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'erin', role: 'viewer' });
      now = new Date(now.getTime() + DAY);
      await h.post('acme', 'members/roles/assign', { actor: 'carol', user_id: 'fred', role: 'viewer' });
      const byCarol = await h.post('acme', 'audit/list', { actor: 'alice', filter: { actor: 'carol' } });
      expect(byCarol.body.entries.map((e: { target: string }) => e.target)).toEqual(['user:fred']);
      const byTarget = await h.post('acme', 'audit/list', { actor: 'alice', filter: { target: 'user:erin' } });
      expect(byTarget.body.entries.map((e: { actor: string }) => e.actor)).toEqual(['alice']);
      const since = await h.post('acme', 'audit/list', { actor: 'alice', filter: { since: '2026-03-02T00:00:00Z', action: 'member.role.assign' } });
      expect(since.body.entries.map((e: { target: string }) => e.target)).toEqual(['user:fred']);
      const until = await h.post('acme', 'audit/list', { actor: 'alice', filter: { until: '2026-03-02T00:00:00Z', action: 'member.role.assign' } });
      expect(until.body.entries.map((e: { target: string }) => e.target)).toEqual(['user:erin']);

      const page = await h.post('acme', 'audit/list', { actor: 'alice', page_size: 1 });
      const foreign = await h.post('globex', 'audit/list', { actor: 'gina', continuous_token: page.body.continuous_token });
      expect(foreign.status).toBe(400);
      const tampered = Buffer.from(JSON.stringify({ k: 'audit', t: 'acme', a: '1; DROP TABLE' })).toString('base64url');
      expect((await h.post('acme', 'audit/list', { actor: 'alice', continuous_token: tampered })).status).toBe(400);
    });
  });
});
