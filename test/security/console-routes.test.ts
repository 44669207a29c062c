// Red-team probes of the console's routes under the budget. POST /v1/validate (the Validate view; any API key may
// call it): each check of a posted validation file runs under the step budget, but a file holds many checks: 200
// budget-busting checks of the review's cubic rule are 200 × the budget, and the runner awaited them back to back
// without ever yielding to the event loop, so one pasted file held every tenant's requests (and /healthz) for as long
// as it ran. POST /v1/tenants/{t}/permissions/explain is a check with a tree: the same budget holds.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createServer } from '@gatehouse/pdp-server';
import { start } from '../fixtures/server/helpers.js';
import type { Running } from '../fixtures/server/helpers.js';

const SCOPED = 'scoped-key-0123456789';
const ints = Array.from({ length: 1000 }, (_, i) => i + 1).join(',');

/** A validation file whose `n` checks each exhaust the step budget (cubic rule over 1,000 integers). */
function bustingFile(n: number): string {
  const check = '      - entity: doc:1\n        subject: user:m\n        assertions:\n          cube: true\n';
  return [
    'schema: >-',
    '  entity user {}',
    '  entity doc { attribute xs integer[] permission cube = big(xs) }',
    '  rule big(xs integer[]) { xs.all(x, xs.all(y, xs.all(z, x + y + z > 0))) }',
    'relationships: []',
    'attributes:',
    `  - doc:1$xs|integer[]:${ints}`,
    'scenarios:',
    '  - name: s',
    '    checks:',
    check.repeat(n),
  ].join('\n');
}

interface ValidateAnswer {
  passed: number;
  failed: number;
  errors: { message: string }[];
}

describe('a pasted validation file cannot hold the server', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start({ apiKeys: ['test-key-0123456789', { key: SCOPED, tenants: ['t1'] }] });
  });
  afterAll(async () => {
    await s.server.close();
  });

  it('stops a file of 200 budget-busting checks at a total budget for the whole run, saying so, instead of running them all', async () => {
    const r = await s.call('POST', '/v1/validate', { yaml: bustingFile(200) }, { key: SCOPED });
    expect(r.status).toBe(200);
    const body = r.body as ValidateAnswer;
    expect(body.passed + body.failed).toBeLessThan(200);
    expect(body.errors.map((e) => e.message).join('\n')).toMatch(/budget/);
  }, 60_000);

  it('answers /healthz while a validation of budget-busting checks is running', async () => {
    // A server of our own whose log says when the validation request has arrived: /healthz is asked only then, so
    // it is in flight while the checks run (no sleeping). The 7 kB body is already in the socket by then.
    let started: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      started = resolve;
    });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (chunk.toString('utf8').includes('"url":"/v1/validate"')) started();
        done();
      },
    });
    const server = await createServer({ schema: 'entity user {}', apiKeys: [SCOPED], logger: pino({ level: 'info' }, sink) });
    const { url } = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const order: string[] = [];
      const validation = fetch(`${url}/v1/validate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SCOPED}`, 'content-type': 'application/json' },
        body: JSON.stringify({ yaml: bustingFile(40) }),
      }).then(async (r) => {
        order.push('validate');
        await r.arrayBuffer();
        return r.status;
      });
      await arrived;
      const health = await fetch(`${url}/healthz`);
      order.push('healthz');
      expect(health.status).toBe(200);
      expect(await validation).toBe(200);
      expect(order).toEqual(['healthz', 'validate']);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('an explanation is a check: it runs under the step budget', () => {
  const SCHEMA = 'entity user {}\nentity doc { attribute xs integer[] permission cube = big(xs) }\nrule big(xs integer[]) { xs.all(x, xs.all(y, xs.all(z, x + y + z > 0))) }';
  let s: Running;
  beforeAll(async () => {
    s = await start({ schema: SCHEMA, data: { relationships: [] }, apiKeys: [SCOPED] });
  });
  afterAll(async () => {
    await s.server.close();
  });

  it('answers an explanation of the cubic rule over 1,000 contextual integers with 422 while /healthz answers', async () => {
    const xs = { '@type': 'type.googleapis.com/base.v1.IntegerArrayValue', data: Array.from({ length: 1000 }, (_, i) => i + 1) };
    const body = { entity: { type: 'doc', id: '1' }, permission: 'cube', subject: { type: 'user', id: 'm' }, context: { attributes: [{ entity: { type: 'doc', id: '1' }, attribute: 'xs', value: xs }] } };
    const [explain, health] = await Promise.all([
      s.call('POST', '/v1/tenants/t1/permissions/explain', body, { key: SCOPED }),
      s.call('GET', '/healthz', undefined, { key: null }),
    ]);
    expect(health.status).toBe(200);
    expect(explain.status).toBe(422);
    expect(explain.body.details[0].reason).toBe('GH_ERR_BUDGET_EXCEEDED');
  });
});
