// Red-team probes of POST /v1/validate (the console's Validate view; any API key may call it). Each check of a
// posted validation file runs under the step budget, but a file holds many checks: 200 budget-busting checks of the
// review's cubic rule are 200 × the budget, and the runner awaited them back to back without ever yielding to the
// event loop, so one pasted file held every tenant's requests (and /healthz) for as long as it ran.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
    const order: string[] = [];
    const validation = s.call('POST', '/v1/validate', { yaml: bustingFile(40) }, { key: SCOPED }).then((r) => {
      order.push('validate');
      return r;
    });
    // Let the validation start (its body is read and the first check begins) before asking for /healthz.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const health = await s.call('GET', '/healthz', undefined, { key: null });
    order.push('healthz');
    expect(health.status).toBe(200);
    expect((await validation).status).toBe(200);
    expect(order).toEqual(['healthz', 'validate']);
  }, 60_000);
});
