/**
 * The tenant-admin example over HTTP, attacked: cross-site requests with a signed-in user's cookie, forged
 * session cookies, an actor named in the body, self-escalation through the app's admin routes, and document
 * edits without the edit permission. Each refusal changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startServer } from '../examples/tenant-admin/server.js';
import type { RunningServer } from '../examples/tenant-admin/server.js';
import { escapeHtml } from '../examples/tenant-admin/src/pages.js';

describe('tenant-admin example over HTTP', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', sessionSecret: 'test-secret' });
  });

  afterAll(async () => {
    await server?.close();
  });

  async function signIn(user: string, tenant: string): Promise<string> {
    const res = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user, tenant }).toString(),
    });
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    return cookie.split(';')[0] ?? '';
  }

  const post = async (cookie: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  const rolesOf = async (cookie: string, user: string): Promise<string[]> => {
    const res = await post(cookie, '/api/admin/members/list', { query: user });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { members: { id: string | null; roles: string[] }[] };
    return body.members.find((m) => m.id === user)?.roles ?? [];
  };

  it('refuses a cross-site request carrying alice’s cookie, by Origin and by Sec-Fetch-Site, and changes nothing', async () => {
    const alice = await signIn('alice', 'acme');
    const byOrigin = await post(alice, '/api/admin/members/roles/assign', { user_id: 'carol', role: 'admin' }, { origin: 'http://evil.example' });
    expect(byOrigin.status).toBe(403);
    const bySite = await post(alice, '/api/admin/members/roles/assign', { user_id: 'carol', role: 'admin' }, { 'sec-fetch-site': 'cross-site' });
    expect(bySite.status).toBe(403);
    expect(await rolesOf(alice, 'carol')).toEqual(['viewer']);
    // The same request from the app's own origin goes through.
    const own = await post(alice, '/api/admin/members/roles/assign', { user_id: 'carol', role: 'editor' }, { origin: server.url, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect(await rolesOf(alice, 'carol')).toEqual(['editor', 'viewer']);
    expect((await post(alice, '/api/admin/members/roles/revoke', { user_id: 'carol', role: 'editor' })).status).toBe(200);
  });

  it('treats a forged or altered session cookie as no session', async () => {
    const carol = await signIn('carol', 'acme');
    const [payload, mac] = carol.slice('gh_session='.length).split('.');
    const asAlice = Buffer.from(JSON.stringify({ u: 'alice', t: 'acme' })).toString('base64url');
    for (const forged of [`gh_session=${asAlice}.${mac ?? ''}`, `gh_session=${payload ?? ''}.x${mac ?? ''}`, `gh_session=${asAlice}`]) {
      const res = await post(forged, '/api/admin/members/roles/assign', { user_id: 'carol', role: 'admin' });
      expect(res.status).toBe(401);
      const page = await fetch(`${server.url}/members`, { headers: { cookie: forged }, redirect: 'manual' });
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/login');
    }
  });

  it('never takes the actor from the body, and refuses what the actor may not do', async () => {
    const carol = await signIn('carol', 'acme');
    // Naming alice as the actor is refused, not obeyed.
    const spoofed = await post(carol, '/api/admin/members/roles/assign', { actor: 'alice', user_id: 'carol', role: 'admin' });
    expect(spoofed.status).toBe(400);
    // carol (acme viewer) may not grant herself anything, nor invite.
    const self = await post(carol, '/api/admin/members/roles/assign', { user_id: 'carol', role: 'editor' });
    expect(self.status).toBe(403);
    const invite = await post(carol, '/api/admin/members/invite', { email: 'mallory@example.com', roles: ['admin'] });
    expect(invite.status).toBe(403);
    const alice = await signIn('alice', 'acme');
    expect(await rolesOf(alice, 'carol')).toEqual(['viewer']);
  });

  it('lets only a user with edit change a document, and shows documents by role', async () => {
    const dave = await signIn('dave', 'acme');
    const none = await fetch(`${server.url}/api/documents`, { headers: { cookie: dave } });
    expect(((await none.json()) as { documents: unknown[] }).documents).toEqual([]);
    const carol = await signIn('carol', 'acme');
    const list = (await (await fetch(`${server.url}/api/documents`, { headers: { cookie: carol } })).json()) as { documents: { id: string; canEdit: boolean }[] };
    expect(list.documents.map((d) => [d.id, d.canEdit])).toEqual([['roadmap', false], ['pricing', false], ['handbook', false]]);
    expect((await post(carol, '/api/documents/roadmap', { title: 'Hijacked' })).status).toBe(403);
    const alice = await signIn('alice', 'acme');
    expect((await post(alice, '/api/documents/roadmap', { title: 'Roadmap 2027' })).status).toBe(200);
    const after = (await (await fetch(`${server.url}/api/documents`, { headers: { cookie: carol } })).json()) as { documents: { id: string; title: string }[] };
    expect(after.documents[0]?.title).toBe('Roadmap 2027');
  });

  it('serves its pages with a CSP that forbids inline script and style, and escapes what it prints', async () => {
    const alice = await signIn('alice', 'acme');
    const page = await fetch(`${server.url}/members`, { headers: { cookie: alice } });
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe('&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
  });

  it('refuses a sign-in as someone who is not a user, or into an unknown tenant', async () => {
    for (const [user, tenant] of [['mallory', 'acme'], ['alice', 'initech'], ['alice', '__proto__']]) {
      const res = await fetch(`${server.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user: user ?? '', tenant: tenant ?? '' }).toString(),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });
});
