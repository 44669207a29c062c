import { describe, expect, it } from '@jest/globals';
import { Gatehouse } from '@gatehouse/core';
import { handlePermitCheck, PERMIT_CHECK_MAX_BULK, RequestGate } from '@gatehouse/core/adapter';
import type { CheckRequest } from '@gatehouse/core';

import { TablePdp } from '../fixtures/table-pdp.js';

function setup(): { pdp: TablePdp; gate: RequestGate; seen: CheckRequest[] } {
  const pdp = new TablePdp();
  pdp.grant('acme', 'user:alice', 'edit', 'document:my_file.doc');
  pdp.grant('acme', 'user:alice', 'create', 'document');
  const seen: CheckRequest[] = [];
  pdp.inspect = (request) => seen.push(request);
  return { pdp, gate: new RequestGate(new Gatehouse({ pdp, cache: false }), 'acme', 'alice'), seen };
}

describe('handlePermitCheck', () => {
  it('answers GET ?action&resource with { permitted } for the bound subject, ignoring ?user', async () => {
    const { gate } = setup();
    const query = { user: 'mallory', action: 'edit', resource: 'document:my_file.doc' };
    expect(await handlePermitCheck(gate, { method: 'GET', query })).toEqual({ status: 200, body: { permitted: true } });
    expect(await handlePermitCheck(gate, { method: 'GET', query: { action: 'edit', resource: 'document:2' } }))
      .toEqual({ status: 200, body: { permitted: false } });
  });

  it('answers a single POST, resource attributes contextual and user attributes ignored', async () => {
    const { gate, seen } = setup();
    const body = { action: 'create', resource: 'document', userAttributes: { admin: true }, resourceAttributes: { country: 'PL' } };
    expect(await handlePermitCheck(gate, { method: 'POST', body })).toEqual({ status: 200, body: { permitted: true } });
    expect(seen[0]?.resource).toEqual({ type: 'document', attributes: { country: 'PL' } });
    expect(seen[0]?.subject).toEqual({ type: 'user', id: 'alice' });
  });

  it('answers a bulk POST positionally, a malformed item false and the others checked', async () => {
    const { gate } = setup();
    const answer = await handlePermitCheck(gate, {
      method: 'POST',
      body: {
        resourcesAndActions: [
          { action: 'edit', resource: 'document:my_file.doc', userAttributes: {}, resourceAttributes: {} },
          { action: 'create', resource: 'document' },
          { action: 'edit', resource: 'no such thing!' },
          { action: '', resource: 'document' },
          'not an item',
          { action: 'edit', resource: 'document:my_file.doc', resourceAttributes: { nested: { a: 1 } } },
        ],
      },
    });
    expect(answer).toEqual({ status: 200, body: { permittedList: [true, true, false, false, false, false] } });
  });

  it(`answers 400 only for a malformed envelope, and for more than ${String(PERMIT_CHECK_MAX_BULK)} bulk items`, async () => {
    const { gate } = setup();
    const bad = { status: 400, body: { statusCode: 400, error: 'Bad Request', message: expect.any(String), reason: 'invalid_request' } };
    expect(await handlePermitCheck(gate, { method: 'POST', body: [] })).toEqual(bad);
    expect(await handlePermitCheck(gate, { method: 'POST', body: { resourcesAndActions: 'all' } })).toEqual(bad);
    expect(await handlePermitCheck(gate, { method: 'GET', query: { action: 'edit' } })).toEqual(bad);
    const item = { action: 'create', resource: 'document' };
    const full = await handlePermitCheck(gate, { method: 'POST', body: { resourcesAndActions: Array(100).fill(item) } });
    expect(full.status).toBe(200);
    expect(await handlePermitCheck(gate, { method: 'POST', body: { resourcesAndActions: Array(101).fill(item) } })).toEqual(bad);
    expect((await handlePermitCheck(gate, { method: 'POST', body: { resourcesAndActions: [item, item] } }, { maxBulk: 1 })).status).toBe(400);
  });

  it('answers 405 with Allow for other methods', async () => {
    const { gate } = setup();
    expect(await handlePermitCheck(gate, { method: 'PUT' })).toMatchObject({
      status: 405,
      headers: { Allow: 'GET, POST' },
      body: { statusCode: 405, error: 'Method Not Allowed' },
    });
  });
});
