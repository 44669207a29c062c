import { describe, expect, it } from '@jest/globals';

import { AdminClient, AdminRequestError } from '../src/client.js';

interface Call {
  readonly url: string;
  readonly init: RequestInit;
  readonly body: unknown;
}

function fakeFetch(answer: (call: Call) => Response): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const f = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const call = { url, init: init ?? {}, body: JSON.parse(typeof init?.body === 'string' ? init.body : 'null') };
    calls.push(call);
    return answer(call);
  };
  return { fetch: f, calls };
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('AdminClient', () => {
  it('posts JSON to the route under the base URL, with the app headers and same-origin credentials, and never an actor or tenant', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { snap_token: 's1' }));
    const client = new AdminClient({ baseUrl: '/api/admin/', fetch, fetchInit: { headers: { 'x-csrf': 'abc' } } });
    expect(await client.assignRole('carol', 'editor')).toBe('s1');
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('/api/admin/members/roles/assign');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.credentials).toBe('same-origin');
    const headers = new Headers(call?.init.headers);
    expect(headers.get('x-csrf')).toBe('abc');
    expect(headers.get('content-type')).toBe('application/json');
    expect(call?.body).toEqual({ user_id: 'carol', role: 'editor' });
  });

  it('reads fetchInit for each request when it is a function, and keeps its own method, body and content-type', async () => {
    let token = 'one';
    const { fetch, calls } = fakeFetch(() => json(200, { snap_token: 's' }));
    const client = new AdminClient({
      baseUrl: 'https://app.example/admin',
      fetch,
      fetchInit: () => ({ method: 'GET', body: 'x', credentials: 'include', headers: { 'x-token': token, 'content-type': 'text/plain' } }),
    });
    await client.removeMember('bob');
    token = 'two';
    await client.revokeRole('bob', 'viewer');
    expect(calls.map((c) => new Headers(c.init.headers).get('x-token'))).toEqual(['one', 'two']);
    expect(calls.every((c) => c.init.method === 'POST' && c.init.credentials === 'include')).toBe(true);
    expect(calls.map((c) => new Headers(c.init.headers).get('content-type'))).toEqual(['application/json', 'application/json']);
    expect(calls.map((c) => c.body)).toEqual([{ user_id: 'bob' }, { user_id: 'bob', role: 'viewer' }]);
  });

  it('turns a refusal into an AdminRequestError with the status, code and message the app answered', async () => {
    const { fetch } = fakeFetch(() => json(403, { statusCode: 403, error: 'Forbidden', message: 'missing permission assign_admin', reason: 'forbidden' }));
    const client = new AdminClient({ baseUrl: '/admin', fetch });
    const err = await client.assignRole('carol', 'admin').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminRequestError);
    expect(err).toMatchObject({ status: 403, code: 'Forbidden', message: 'missing permission assign_admin' });
  });

  it('reports a non-JSON error page and an unreachable server plainly', async () => {
    const html = new AdminClient({ baseUrl: '/admin', fetch: fakeFetch(() => new Response('<h1>Bad gateway</h1>', { status: 502 })).fetch });
    await expect(html.listRoles()).rejects.toMatchObject({ status: 502, message: 'roles/list failed with HTTP 502' });
    const down = new AdminClient({ baseUrl: '/admin', fetch: (async () => { throw new TypeError('Failed to fetch'); }) });
    await expect(down.listRoles()).rejects.toMatchObject({ status: 0, message: 'the admin service could not be reached (Failed to fetch)' });
  });

  it('pages members with the page size, query and continuous token, and ends at an empty token', async () => {
    const { fetch, calls } = fakeFetch((call) =>
      (call.body as { continuous_token?: string }).continuous_token === undefined
        ? json(200, { members: [{ id: 'alice', email: 'alice@acme.example', name: 'Alice', roles: ['admin'], status: 'active' }], continuous_token: 't2' })
        : json(200, { members: [{ id: null, invitation_id: 'inv1', email: 'dave@acme.example', name: null, roles: ['viewer'], status: 'invited' }], continuous_token: '' }),
    );
    const client = new AdminClient({ baseUrl: '/admin', fetch });
    const first = await client.listMembers({ pageSize: 1, query: 'a' });
    expect(first.items.map((m) => m.id)).toEqual(['alice']);
    expect(first.continuousToken).toBe('t2');
    const second = await client.listMembers({ pageSize: 1, query: 'a', continuousToken: first.continuousToken });
    expect(second.items).toEqual([{ id: undefined, invitationId: 'inv1', email: 'dave@acme.example', name: undefined, roles: ['viewer'], status: 'invited' }]);
    expect(second.continuousToken).toBeUndefined();
    expect(calls.map((c) => c.body)).toEqual([{ page_size: 1, query: 'a' }, { page_size: 1, query: 'a', continuous_token: 't2' }]);
  });

  it('invites with the email, name and roles and hands back the token once; accepts by token only', async () => {
    const { fetch, calls } = fakeFetch((call) =>
      call.url.endsWith('members/invite')
        ? json(200, { invitation: { id: 'inv1', email: 'dave@acme.example', name: 'Dave', roles: ['viewer'], status: 'pending', expires_at: '2026-12-13T00:00:00Z' }, token: 'tok' })
        : json(200, { member: { id: 'dave', email: 'dave@acme.example', name: 'Dave', roles: ['viewer'], status: 'active' } }),
    );
    const client = new AdminClient({ baseUrl: '/admin', fetch });
    const result = await client.invite({ email: 'dave@acme.example', name: 'Dave', roles: ['viewer'] });
    expect(result.token).toBe('tok');
    expect(result.invitation.id).toBe('inv1');
    const member = await client.acceptInvitation('tok');
    expect(member?.id).toBe('dave');
    expect(calls.map((c) => c.body)).toEqual([{ email: 'dave@acme.example', name: 'Dave', roles: ['viewer'] }, { token: 'tok' }]);
  });

  it('revokes an invitation by its id and lists the audit trail with the filter given', async () => {
    const { fetch, calls } = fakeFetch((call) =>
      call.url.endsWith('audit/list')
        ? json(200, { entries: [{ id: '7', at: '2026-12-06T20:00:00Z', actor: 'alice', action: 'member.invite', target: 'invitation:inv1', details: { roles: ['viewer'] }, snap_token: 's7' }, { bogus: true }], continuous_token: 'c8' })
        : json(200, { invitation: { id: 'inv1', roles: [], status: 'revoked' } }),
    );
    const client = new AdminClient({ baseUrl: '/admin', fetch });
    await client.revokeInvitation('inv1');
    const page = await client.listAudit({ filter: { actor: 'alice' }, pageSize: 10 });
    expect(page.items.map((e) => [e.id, e.action, e.target])).toEqual([['7', 'member.invite', 'invitation:inv1']]);
    expect(page.continuousToken).toBe('c8');
    expect(calls.map((c) => c.body)).toEqual([{ invitation_id: 'inv1' }, { page_size: 10, filter: { actor: 'alice' } }]);
  });

  it('reads roles/list, denying what the answer does not grant', async () => {
    const { fetch } = fakeFetch(() => json(200, { roles: [{ name: 'admin', assignable: false }, { name: 'viewer', assignable: true }, { name: 5 }], permissions: { view_members: true, manage_members: 'yes' }, viewer: 'carol' }));
    const answer = await new AdminClient({ baseUrl: '/admin', fetch }).listRoles();
    expect(answer).toEqual({
      roles: [{ name: 'admin', assignable: false }, { name: 'viewer', assignable: true }],
      permissions: { manage_members: false, view_members: true, view_audit: false },
      viewer: 'carol',
    });
  });

  it('calls fetch without binding it to the client (the browser refuses fetch called on another object)', async () => {
    function windowFetch(this: unknown): Promise<Response> {
      if (this !== undefined && this !== globalThis) throw new TypeError("Failed to execute 'fetch' on 'Window': Illegal invocation");
      return Promise.resolve(json(200, { snap_token: 's' }));
    }
    const client = new AdminClient({ baseUrl: '/admin', fetch: windowFetch });
    await expect(client.removeMember('bob')).resolves.toBe('s');
  });

  it('rejects a base URL that is not a string', () => {
    expect(() => new AdminClient({ baseUrl: 42 as unknown as string })).toThrow(TypeError);
  });
});
