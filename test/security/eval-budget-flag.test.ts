// `gatehouse serve --eval-budget STEPS` (GATEHOUSE_EVAL_BUDGET) sets the engine's step budget (issue 14 item 2's
// server side): a check over it answers 422 GH_ERR_BUDGET_EXCEEDED, the same check under the default budget 200.
import { describe, expect, it } from '@jest/globals';
import { serveOptions } from '@gatehouse/pdp-server';
import { start } from '../fixtures/server/helpers.js';

const CHECK = { entity: { type: 'document', id: 'd2' }, permission: 'view', subject: { type: 'user', id: 'bob' } };

describe('--eval-budget', () => {
  it('comes from the flag or GATEHOUSE_EVAL_BUDGET, as the budget of the engine', async () => {
    expect((await serveOptions({ dev: true, 'eval-budget': '5000' }, {})).budget).toEqual({ maxSteps: 5000 });
    expect((await serveOptions({ dev: true }, { GATEHOUSE_EVAL_BUDGET: '7' })).budget).toEqual({ maxSteps: 7 });
    expect((await serveOptions({ dev: true }, {})).budget).toBeUndefined();
    for (const bad of ['0', '-1', '1e3', 'lots']) {
      await expect(serveOptions({ dev: true, 'eval-budget': bad }, {})).rejects.toThrow(/--eval-budget/);
    }
  });

  it('a check over the budget answers 422 GH_ERR_BUDGET_EXCEEDED; the default budget answers it', async () => {
    const tight = await start({ budget: { maxSteps: 1 } });
    const roomy = await start();
    try {
      const over = await tight.call('POST', '/v1/tenants/t1/permissions/check', CHECK);
      expect(over.status).toBe(422);
      expect(over.body).toMatchObject({ details: [{ reason: 'GH_ERR_BUDGET_EXCEEDED' }] });
      const fine = await roomy.call('POST', '/v1/tenants/t1/permissions/check', CHECK);
      expect(fine.status).toBe(200);
    } finally {
      await tight.server.close();
      await roomy.server.close();
    }
  });
});
