import { describe, expect, it } from '@jest/globals';
import { Gatehouse, InvalidRequestError } from '@gatehouse/core';
import { checkNow, RequestGate } from '@gatehouse/core/adapter';
import type { Decision, DecisionEvent } from '@gatehouse/core';

import { TablePdp } from '../fixtures/table-pdp.js';

function setup(events?: DecisionEvent[]): { pdp: TablePdp; client: Gatehouse } {
  const pdp = new TablePdp();
  pdp.grant('acme', 'user:alice', 'edit', 'document:1');
  const client = new Gatehouse(events === undefined ? { pdp } : { pdp, onDecision: (e) => events.push(e) });
  return { pdp, client };
}

/** Asks until the answer comes synchronously (the first hit on an entry is seen settling, later hits are known). */
async function warm(ask: () => Decision | Promise<Decision>): Promise<Decision> {
  for (let i = 0; i < 3; i++) {
    const answer = ask();
    if (!(answer instanceof Promise)) return answer;
    await answer;
  }
  throw new Error('never answered synchronously');
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
  it('answers a cache hit synchronously once its promise has been seen to settle', async () => {
    const { client } = setup();
    const input = { tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:1' };
    const miss = checkNow(client, input);
    expect(miss).toBeInstanceOf(Promise);
    expect(await miss).toMatchObject({ allowed: true });
    const decision = await warm(() => checkNow(client, input));
    expect(decision).toMatchObject({ allowed: true, cached: true });
    expect(client.stats.misses).toBe(1);
  });

  it('logs and counts every synchronous hit exactly as check() does', async () => {
    const events: DecisionEvent[] = [];
    const { client } = setup(events);
    const gate = new RequestGate(client, 'acme', 'alice');
    await gate.check('edit', 'document:1');
    await warm(() => gate.checkNow('edit', 'document:1'));
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
    expect(await warm(() => gate.checkNow('edit', 'document:1'))).toMatchObject({ allowed: false, reason: 'denied' });
    pdp.grant('acme', 'user:bob', 'edit', 'document:1');
    const after = gate.checkNow('edit', 'document:1');
    expect(after).toBeInstanceOf(Promise);
    expect(await after).toMatchObject({ allowed: true });
  });

  it('goes through check() for subjects given as objects (the bound, parsed path)', async () => {
    const { client } = setup();
    const gate = new RequestGate(client, 'acme', { type: 'user', id: 'alice' });
    const answer = gate.checkNow('edit', 'document:1');
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toMatchObject({ allowed: true });
  });
});
