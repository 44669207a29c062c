// Query plans over the network: POST /v1/tenants/{t}/permissions/plan on the PDP server and RemotePdp.plan give
// the embedded engine's plan; hostile bodies are 400s; a malformed plan from a server is a PdpProtocolError.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Gatehouse, NotSupportedError, PdpProtocolError } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';

import { KEY, start } from './fixtures/server/helpers.js';
import type { Running } from './fixtures/server/helpers.js';

const SCHEMA = `
entity user {}
entity tenant { relation admin @user }
entity document {
  relation owner @user
  attribute public boolean
  attribute stage string
  permission view = (owner or public or tenant.admin) and visible(stage)
}
rule visible(stage string) { stage != "draft" }
`;

describe('query plans through the PDP server and RemotePdp', () => {
  let s: Running;
  let pdp: RemotePdp;
  let gate: Gatehouse;
  beforeAll(async () => {
    s = await start({ schema: SCHEMA, data: { relationships: ['document:1#owner@user:alice', 'document:2#owner@user:bob', 'tenant:t1#admin@user:root'] } });
    pdp = new RemotePdp({ url: s.url, apiKey: KEY, timeoutMs: 5000 });
    gate = new Gatehouse({ pdp, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await gate.close();
    await pdp.close();
    await s.server.close();
  });

  it('answers the plan with its snap token, as the embedded engine computes it', async () => {
    const res = await s.call('POST', '/v1/tenants/t1/permissions/plan', { entity_type: 'document', permission: 'view', subject: { type: 'user', id: 'alice' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      kind: 'conditional',
      condition: { and: [{ or: [{ field: 'id', in: ['1'] }, { field: 'public', eq: true }] }, { field: 'stage', ne: 'draft' }] },
      metadata: { snap_token: expect.stringMatching(/^\d+$/) },
    });
    const plan = await gate.plan('alice', 'view', 'document');
    expect(plan).toEqual({ kind: 'conditional', condition: res.body.condition, snapToken: res.body.metadata.snap_token });
    expect(await gate.bind('t1', 'root').plan('view', 'document')).toMatchObject({ kind: 'conditional', condition: { field: 'stage', ne: 'draft' } });
  });

  it('rejects hostile bodies with 400 and unknown names with 404', async () => {
    const bad = [
      { entity_type: 'document; drop', permission: 'view', subject: { type: 'user', id: 'alice' } },
      { entity_type: 'document', permission: 'view', subject: { type: 'user', id: 'a b' } },
      { entity_type: 'document', permission: 'view', subject: { type: 'user', id: 'alice' }, context: { attributes: [{ entity: { type: 'document', id: '1' }, attribute: 'public', value: { '@type': 'type.googleapis.com/base.v1.BooleanValue', data: true } }] } },
    ];
    for (const body of bad) expect((await s.call('POST', '/v1/tenants/t1/permissions/plan', body)).status).toBe(400);
    expect((await s.call('POST', '/v1/tenants/t1/permissions/plan', { entity_type: 'folder', permission: 'view', subject: { type: 'user', id: 'alice' } })).status).toBe(404);
    expect((await s.call('POST', '/v1/tenants/t1/permissions/plan', { entity_type: 'document', permission: 'view', subject: { type: 'user', id: 'alice' } }, { key: null })).status).toBe(401);
  });

  it('refuses a malformed plan from the server (never a wider filter) and plans on the permit protocol', async () => {
    const liar = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ kind: 'conditional', condition: { field: 'id', in: ['1'], or: [] }, metadata: { snap_token: '1' } }));
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const remote = new RemotePdp({ url: `http://127.0.0.1:${String((liar.address() as AddressInfo).port)}`, apiKey: KEY, timeoutMs: 2000, retries: 0 });
    const client = new Gatehouse({ pdp: remote });
    await expect(client.plan('alice', 'view', 'document')).rejects.toBeInstanceOf(PdpProtocolError);
    await client.close();
    await remote.close();
    await new Promise<void>((resolve) => liar.close(() => resolve()));

    const permit = new RemotePdp({ url: s.url, apiKey: KEY, protocol: 'permit' });
    await expect(new Gatehouse({ pdp: permit }).plan('alice', 'view', 'document')).rejects.toBeInstanceOf(NotSupportedError);
    await permit.close();
  });
});
