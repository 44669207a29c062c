// The Permit PDP API through raw HTTP: the shapes and quirks of permit.md §2-§4 that the SDK test cannot reach.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseSeedData } from '@gatehouse/pdp-server';
import { fixture, KEY, start } from './fixtures/server/helpers.js';
import type { Running } from './fixtures/server/helpers.js';

const ABAC = `${fixture('rbac.perm').replace('entity user {}', 'entity user {\n    attribute vip boolean\n    permission lounge = vip\n}')}
entity report {
    attribute public boolean
    permission view = public or tenant.viewer
}
`;

describe('PDP server: Permit PDP API', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start({ schema: ABAC, data: parseSeedData(fixture('rbac-data.yaml')) });
  });
  afterAll(async () => {
    await s.server.close();
  });

  it('/allowed answers {allow, result} with exactly status 200', async () => {
    const r = await s.call('POST', '/allowed', { user: { key: 'alice', firstName: 'A', email: 'a@x.io' }, action: 'delete', resource: { type: 'document', tenant: 'acme' }, context: {} });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.objectContaining({ allow: true, result: true }));
    const minimal = await s.call('POST', '/allowed', { user: { key: 'alice' }, action: 'read', resource: { type: 'document', tenant: 'default' }, context: {} });
    expect(minimal.body.allow).toBe(true);
  });

  it('resource attributes are contextual attributes of that check, user attributes those of the subject', async () => {
    const open = await s.call('POST', '/allowed', { user: 'zoe', action: 'view', resource: { type: 'report', key: 'r1', tenant: 'acme', attributes: { public: true } }, context: {} });
    expect(open.body.allow).toBe(true);
    const closed = await s.call('POST', '/allowed', { user: 'zoe', action: 'view', resource: { type: 'report', key: 'r1', tenant: 'acme' }, context: {} });
    expect(closed.body.allow).toBe(false);
    const vip = await s.call('POST', '/allowed', { user: { key: 'zoe', attributes: { vip: true } }, action: 'lounge', resource: { type: 'user', key: 'zoe', tenant: 'acme' }, context: {} });
    expect(vip.body.allow).toBe(true);
    const notVip = await s.call('POST', '/allowed', { user: { key: 'zoe' }, action: 'lounge', resource: { type: 'user', key: 'zoe', tenant: 'acme' }, context: {} });
    expect(notVip.body.allow).toBe(false);
  });

  it('/allowed/bulk takes a bare array and answers {allow: [...]} in order', async () => {
    const r = await s.call('POST', '/allowed/bulk', [
      { user: { key: 'carol' }, action: 'delete', resource: { type: 'document', tenant: 'globex' }, context: {} },
      { user: { key: 'carol' }, action: 'delete', resource: { type: 'document', tenant: 'acme' }, context: {} },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.allow.map((a: any) => a.allow)).toEqual([true, false]);
    expect((await s.call('POST', '/allowed/bulk', [])).body).toEqual({ allow: [] });
  });

  it('/allowed/all-tenants accepts both body shapes, the key in the body, and answers both keys', async () => {
    const proper = await s.call('POST', '/allowed/all-tenants', { user: { key: 'alice' }, action: 'write', resource: { type: 'document' }, context: {} });
    expect(proper.status).toBe(200);
    expect(proper.body.allowed_tenants.map((t: any) => t.tenant.key).sort()).toEqual(['acme', 'globex']);
    expect(proper.body.allowedTenants).toEqual(proper.body.allowed_tenants);
    expect(proper.body.allowed_tenants[0]).toEqual({ allow: true, result: true, tenant: { key: expect.any(String), attributes: {} } });
    // The SDK's broken call: no Authorization header, the token and the query inside the body.
    const broken = await s.call(
      'POST',
      '/allowed/all-tenants',
      { headers: { Authorization: `Bearer ${KEY}`, 'X-Permit-Sdk-Language': 'node' }, params: { user: 'bob', action: 'delete', resource: 'document', context: {} } },
      { key: null },
    );
    expect(broken.status).toBe(200);
    expect(broken.body.allowedTenants.map((t: any) => t.tenant.key)).toEqual(['default']);
    const noKey = await s.call('POST', '/allowed/all-tenants', { params: { user: 'bob', action: 'read', resource: 'document' } }, { key: null });
    expect(noKey.status).toBe(401);
    const badKey = await s.call('POST', '/allowed/all-tenants', { headers: { authorization: 'Bearer nope' }, params: { user: 'bob', action: 'read', resource: 'document' } }, { key: null });
    expect(badKey.status).toBe(401);
  });

  it('/user-tenants lists the tenants where the user holds anything', async () => {
    const r = await s.call('POST', '/user-tenants', { user: { key: 'alice' }, context: {} });
    expect(r.status).toBe(200);
    expect(r.body.map((t: any) => t.key).sort()).toEqual(['acme', 'default', 'globex']);
    expect(r.body[0]).toEqual({ key: expect.any(String), attributes: {} });
    expect((await s.call('POST', '/user-tenants', { user: 'nobody' })).body).toEqual([]);
  });

  it('/user-permissions returns a bare dictionary keyed __tenant:<key> and <type>:<key>', async () => {
    const r = await s.call('POST', '/user-permissions', { user: { key: 'dave' }, tenants: ['acme'], resources: ['document:plan'] });
    expect(r.status).toBe(200);
    expect(r.body.result).toBeUndefined();
    expect(r.body['document:plan']).toEqual({
      resource: { type: 'document', key: 'plan', attributes: {} },
      tenant: 'acme',
      permissions: expect.arrayContaining(['document:read', 'document:write']),
      roles: ['owner'],
    });
    expect(r.body['__tenant:acme']).toBeUndefined();
  });

  it('rejects malformed Permit input with 4xx and a detail', async () => {
    for (const body of [{ user: 5, action: 'read', resource: 'document' }, { user: 'a', action: 'read', resource: 'a:b:c' }, { user: 'a', action: 'no such', resource: 'document' }, { user: 'a', action: 'read', resource: { type: 'document', tenant: 'bad tenant' } }]) {
      const r = await s.call('POST', '/allowed', body);
      expect(r.status).toBe(400);
      expect(typeof r.body.detail).toBe('string');
    }
    expect((await s.call('POST', '/allowed/bulk', { not: 'an array' })).status).toBe(400);
  });
});
