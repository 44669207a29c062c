import { describe, expect, it } from '@jest/globals';

import { auditFilterOf, detailsText, emptyAuditFilterForm, timeText } from '../src/audit-model.js';
import { appendPage, assignableRoles, inviteProblem, isInvitation, memberKey, memberLabel, roleControls, withRole } from '../src/members-model.js';
import { defaultStrings, format, resolveStrings } from '../src/strings.js';
import type { RoleInfo } from '../src/types.js';

const roles: RoleInfo[] = [
  { name: 'admin', assignable: false },
  { name: 'editor', assignable: false },
  { name: 'viewer', assignable: true },
];

describe('member view logic', () => {
  it('gives an editor who may grant only viewer a viewer checkbox and shows the other roles as text, never as controls', () => {
    const controls = roleControls({ id: 'bob', roles: ['editor', 'viewer'], status: 'active' }, roles);
    expect(controls.editable).toEqual([{ role: 'viewer', held: true }]);
    expect(controls.fixed).toEqual(['editor']);
    expect(assignableRoles(roles)).toEqual(['viewer']);
  });

  it('offers an admin every role, checked where held', () => {
    const all = roles.map((r) => ({ ...r, assignable: true }));
    expect(roleControls({ id: 'carol', roles: ['viewer'], status: 'active' }, all).editable).toEqual([
      { role: 'admin', held: false },
      { role: 'editor', held: false },
      { role: 'viewer', held: true },
    ]);
  });

  it('refuses an invite without a plausible email or with a role the viewer may not grant', () => {
    expect(inviteProblem({ email: 'dave@acme.example', role: 'viewer' }, roles)).toBeUndefined();
    expect(inviteProblem({ email: 'dave', role: 'viewer' }, roles)).toBe('invalidEmail');
    expect(inviteProblem({ email: 'da ve@x', role: 'viewer' }, roles)).toBe('invalidEmail');
    expect(inviteProblem({ email: `${'a'.repeat(250)}@x.io`, role: 'viewer' }, roles)).toBe('invalidEmail');
    expect(inviteProblem({ email: 'dave@acme.example', role: 'admin' }, roles)).toBe('chooseRole');
    expect(inviteProblem({ email: 'dave@acme.example', role: '' }, roles)).toBe('chooseRole');
  });

  it('names members by name, email, then id, and keys users and invitations apart', () => {
    expect(memberLabel({ id: 'u1', name: 'Ann', email: 'a@x' })).toBe('Ann');
    expect(memberLabel({ id: 'u1', email: 'a@x' })).toBe('a@x');
    expect(memberLabel({ id: 'u1' })).toBe('u1');
    expect(memberKey({ id: 'inv1' })).toBe('user:inv1');
    expect(memberKey({ invitationId: 'inv1' })).toBe('invitation:inv1');
    expect(isInvitation({ invitationId: 'i', roles: [], status: 'invited' })).toBe(true);
    expect(isInvitation({ id: 'u', roles: [], status: 'active' })).toBe(false);
  });

  it('appends a page, replacing rows it already has instead of doubling them', () => {
    const a = { id: 'a', v: 1 };
    const merged = appendPage([a, { id: 'b', v: 1 }], [{ id: 'b', v: 2 }, { id: 'c', v: 1 }], (x) => x.id);
    expect(merged).toEqual([a, { id: 'b', v: 2 }, { id: 'c', v: 1 }]);
  });

  it('adds and takes a role once', () => {
    const m = { id: 'c', roles: ['viewer'], status: 'active' };
    expect(withRole(m, 'editor', true).roles).toEqual(['viewer', 'editor']);
    expect(withRole(m, 'viewer', true).roles).toEqual(['viewer']);
    expect(withRole(m, 'viewer', false).roles).toEqual([]);
  });
});

describe('audit view logic', () => {
  it('sends only the filled filters, trimmed, and local times as ISO instants', () => {
    const result = auditFilterOf({ ...emptyAuditFilterForm, actor: ' alice ', action: 'member.role.assign', since: '2026-12-06T10:00' });
    expect(result).toEqual({ filter: { actor: 'alice', action: 'member.role.assign', since: new Date('2026-12-06T10:00').toISOString() } });
    expect(auditFilterOf(emptyAuditFilterForm)).toEqual({ filter: {} });
  });

  it('names the time field that is not a date', () => {
    expect(auditFilterOf({ ...emptyAuditFilterForm, until: 'soon' })).toEqual({ invalid: 'until' });
  });

  it('shows details as one cut line of JSON and a bad time as it came', () => {
    expect(detailsText({ roles: ['viewer'] })).toBe('{"roles":["viewer"]}');
    expect(detailsText(undefined)).toBe('');
    expect(detailsText('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(timeText('not a time')).toBe('not a time');
    expect(timeText('2026-12-06T20:00:00Z', 'en-GB')).toContain('2026');
  });
});

describe('strings', () => {
  it('overrides only the string keys it knows and fills placeholders', () => {
    const s = resolveStrings({ invite: 'Einladen', remove: 7 as unknown as string, bogus: 'x' } as never);
    expect(s.invite).toBe('Einladen');
    expect(s.remove).toBe(defaultStrings.remove);
    expect('bogus' in s).toBe(false);
    expect(format('Granted {role} to {member} {other}', { role: 'viewer', member: 'Dave' })).toBe('Granted viewer to Dave {other}');
    expect(format('{constructor}', {})).toBe('{constructor}');
  });
});
