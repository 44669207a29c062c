import { describe, expect, it } from '@jest/globals';
import { Gatehouse, InvalidRequestError } from '@gatehouse/core';
import { RequestGate } from '@gatehouse/core/adapter';
import type { Decision, DecisionEvent } from '@gatehouse/core';

import { TablePdp } from '../fixtures/table-pdp.js';

function setup(events?: DecisionEvent[]): { pdp: TablePdp; client: Gatehouse } {
  const pdp = new TablePdp();
  pdp.grant('acme', 'user:alice', 'edit', 'document:1');
  const client = new Gatehouse(events === undefined ? { pdp } : { pdp, onDecision: (e) => events.push(e) });
  return { pdp, client };
}

describe('RequestGate', () => {
  it('binds lazily: a malformed subject costs nothing until a check, which rejects with InvalidRequestError', async () => {
    const { client } = setup();
    const gate = new RequestGate(client, 'acme', 'user:bad id');
    expect(gate.tenant).toBe('acme');
    await expect(gate.check('edit', 'document:1')).rejects.toBeInstanceOf(InvalidRequestError);
    expect(() => gate.subject).toThrow(InvalidRequestError);
  });

  it("answers for its own tenant and subject, with the client's promise on a cache hit", async () => {
    const { client } = setup();
    const alice = new RequestGate(client, 'acme', 'alice');
    expect(await alice.can('edit', 'document:1')).toBe(true);
    expect(await new RequestGate(client, 't1', 'alice').can('edit', 'document:1')).toBe(false);
    expect(await new RequestGate(client, 'acme', { type: 'user', id: 'bob' }).can('edit', 'document:1')).toBe(false);
    const hit = alice.check('edit', 'document:1');
    expect(hit).toBe(client.check({ tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:1' }));
    expect(alice.subject).toEqual({ type: 'user', id: 'alice' });
  });

  it('passes permissions and lookups to the bound client', async () => {
    const { client } = setup();
    const alice = new RequestGate(client, 'acme', 'alice');
    expect(await alice.lookupResources('edit', 'document')).toEqual(['1']);
    expect(await alice.permissions('document:1')).toMatchObject({ edit: true });
  });
});

describe('checkNow', () => {
  it('answers the first cache hit synchronously, and a miss with a promise', async () => {
    const { client } = setup();
    const input = { tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:1' };
    const miss = client.checkNow(input);
    expect(miss).toBeInstanceOf(Promise);
    expect(await miss).toMatchObject({ allowed: true, cached: false });
    expect(client.checkNow(input)).toMatchObject({ allowed: true, reason: 'allowed', cached: true });
    expect(client.stats).toMatchObject({ hits: 1, misses: 1 });
  });

  it('gives the same decision check() resolves to', async () => {
    const { client } = setup();
    const input = { tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:1' };
    await client.check(input);
    expect(client.checkNow(input)).toBe(await client.check(input));
  });

  it('logs and counts every synchronous hit exactly as check() does', async () => {
    const events: DecisionEvent[] = [];
    const { client } = setup(events);
    const gate = new RequestGate(client, 'acme', 'alice');
    await gate.check('edit', 'document:1');
    events.length = 0;
    const hitsBefore = client.stats.hits;
    const answer = gate.checkNow('edit', 'document:1');
    expect(answer).toMatchObject({ allowed: true, cached: true });
    expect(client.stats.hits - hitsBefore).toBe(1);
    expect(events).toEqual([
      { tenant: 'acme', subject: 'user:alice', action: 'edit', resource: 'document:1', allowed: true, reason: 'allowed', cached: true, ms: 0 },
    ]);
  });

  it('answers a denial synchronously too, and goes back to the PDP after a change event', async () => {
    const { pdp, client } = setup();
    const gate = new RequestGate(client, 'acme', 'bob');
    await gate.check('edit', 'document:1');
    expect(gate.checkNow('edit', 'document:1')).toMatchObject({ allowed: false, reason: 'denied' });
    pdp.grant('acme', 'user:bob', 'edit', 'document:1');
    const after = gate.checkNow('edit', 'document:1');
    expect(after).toBeInstanceOf(Promise);
    expect(await after).toMatchObject({ allowed: true });
  });

  it('rejects malformed input through the promise, never by throwing', async () => {
    const { client } = setup();
    let answer: Decision | Promise<Decision> | undefined;
    expect(() => { answer = client.checkNow({ tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:1#x' }); }).not.toThrow();
    await expect(answer).rejects.toBeInstanceOf(InvalidRequestError);
    for (const bad of [undefined, null, 'alice']) {
      expect(() => { answer = client.checkNow(bad as never); }).not.toThrow();
      await expect(answer).rejects.toBeInstanceOf(InvalidRequestError);
      expect(() => { answer = client.check(bad as never); }).not.toThrow();
      await expect(answer).rejects.toBeInstanceOf(InvalidRequestError);
    }
  });

  it('goes through check() for subjects given as objects (the bound, parsed path)', async () => {
    const { client } = setup();
    const gate = new RequestGate(client, 'acme', { type: 'user', id: 'alice' });
    const answer = gate.checkNow('edit', 'document:1');
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toMatchObject({ allowed: true });
  });
});
