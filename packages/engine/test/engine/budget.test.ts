// The step budget (issue 14 item 2): every evaluation counts steps and stops with GH_ERR_BUDGET_EXCEEDED; contextual
// data is bounded before anything runs. Budgets here are small where the point is the mechanism, the defaults where
// the point is the review's probe.
import { BudgetExceededError, EvaluationError, Gatehouse, InvalidRequestError } from '@gatehouse/core';
import { DEFAULT_BUDGET, EmbeddedPdp, Engine } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';

import { rejection } from './rejection.js';

const SCHEMA = `
entity user {}
entity group { relation member @user @group#member }
entity document {
  relation viewer @user @group#member
  attribute xs integer[]
  attribute public boolean
  permission view = viewer or public
  permission big = cube(xs)
  permission small = some(xs)
  permission absorbed = absorb(xs)
}
rule absorb(xs integer[]) { xs.exists(x, xs.all(y, xs.all(z, x + y + z < 0))) || true }
rule cube(xs integer[]) { xs.all(x, xs.all(y, xs.all(z, x + y + z > 0))) }
rule some(xs integer[]) { xs.exists(x, x > 5) }`;

const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
const xsOf = (id: string, xs: number[]) => ({ entity: { type: 'document', id }, attribute: 'xs', value: xs });
const user = (id: string) => ({ type: 'user', id });

/** document:wide is viewable through `groups` groups of `members` users each. */
async function wide(engine: Engine, groups: number, members: number): Promise<void> {
  const tuples: string[] = [];
  for (let g = 0; g < groups; g++) {
    tuples.push(`document:wide#viewer@group:g${String(g)}#member`);
    for (let m = 0; m < members; m++) tuples.push(`group:g${String(g)}#member@user:u${String(g)}-${String(m)}`);
  }
  for (let i = 0; i < tuples.length; i += 1000) await engine.write({ tenant: 't1', tuples: tuples.slice(i, i + 1000) });
}

describe('the step budget', () => {
  it('stops the review\'s cubic rule over a contextual 1,000-integer list with the default budget', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    const err = await rejection(engine.check({ tenant: 't1', subject: user('a'), action: 'big', resource: 'document:1', context: { attributes: [xsOf('1', thousand)] } }));
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err).toBeInstanceOf(EvaluationError);
    expect((err as BudgetExceededError).code).toBe('GH_ERR_BUDGET_EXCEEDED');
    expect((err as BudgetExceededError).limit).toBe(DEFAULT_BUDGET.maxSteps);
    // The request stopped at its budget: the steps it took are the budget and the last (small) charge over it.
    const { lastRequestSteps } = engine.stats();
    expect(lastRequestSteps).toBeGreaterThan(DEFAULT_BUDGET.maxSteps);
    // The loops stop at once: what is counted after the budget ran out is a handful of charges, not the rest of
    // the 10⁹ iterations.
    expect(lastRequestSteps).toBeLessThan(DEFAULT_BUDGET.maxSteps + 10_000);
    // The same rule over a short list answers, and a small rule over the long list too.
    await expect(engine.check({ tenant: 't1', subject: user('a'), action: 'big', resource: 'document:1', context: { attributes: [xsOf('1', [1, 2, 3])] } })).resolves.toMatchObject({ allowed: true });
    await expect(engine.check({ tenant: 't1', subject: user('a'), action: 'small', resource: 'document:1', context: { attributes: [xsOf('1', thousand)] } })).resolves.toMatchObject({ allowed: true });
  });

  it('does not let CEL absorb the budget\'s error: `exists` and `|| true` still end in GH_ERR_BUDGET_EXCEEDED', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    await expect(engine.check({ tenant: 't1', subject: user('a'), action: 'absorbed', resource: 'document:1', context: { attributes: [xsOf('1', thousand)] } })).rejects.toBeInstanceOf(BudgetExceededError);
    expect(engine.stats().lastRequestSteps).toBeLessThan(DEFAULT_BUDGET.maxSteps + 10_000);
    await expect(engine.check({ tenant: 't1', subject: user('a'), action: 'absorbed', resource: 'document:1', context: { attributes: [xsOf('1', [1, 2])] } })).resolves.toMatchObject({ allowed: true });
  });

  it('counts comprehension iterations: the cost grows with the list, and a budget between two sizes splits them', async () => {
    const engine = await Engine.create({ schema: SCHEMA, budget: { maxSteps: 1_000_000 } });
    const steps = async (n: number): Promise<number> => {
      await engine.check({ tenant: 't1', subject: user('a'), action: 'big', resource: 'document:1', context: { attributes: [xsOf('1', thousand.slice(0, n))] } });
      return engine.stats().lastRequestSteps;
    };
    const s10 = await steps(10);
    const s20 = await steps(20);
    // n³ iterations: doubling n costs about eight times the steps.
    expect(s20 / s10).toBeGreaterThan(6);
    await expect(steps(40)).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('stops a wide graph walk, explain and expand on it, and counts stored tuple rows', async () => {
    const engine = await Engine.create({ schema: SCHEMA, budget: { maxSteps: 2000 } });
    await wide(engine, 50, 50);
    const outsider = { tenant: 't1', subject: user('nobody'), action: 'view', resource: 'document:wide' } as const;
    await expect(engine.check(outsider)).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(engine.explain(outsider)).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(engine.expand({ tenant: 't1', entity: { type: 'document', id: 'wide' }, permission: 'view' })).rejects.toBeInstanceOf(BudgetExceededError);
    const roomy = await Engine.create({ schema: SCHEMA });
    await wide(roomy, 50, 50);
    await expect(roomy.check(outsider)).resolves.toMatchObject({ allowed: false });
    // 50 group rows, 50 group visits and 2,500 member rows: more than the small budget allowed.
    expect(roomy.stats().lastRequestSteps).toBeGreaterThan(2500);
    await expect(roomy.check({ ...outsider, subject: user('u7-7') })).resolves.toMatchObject({ allowed: true });
  });

  it('stops a deep graph walk before the depth limit does', async () => {
    const engine = await Engine.create({ schema: SCHEMA, budget: { maxSteps: 3000 } });
    const tuples = ['document:deep#viewer@group:c0#member'];
    for (let i = 0; i < 400; i++) tuples.push(`group:c${String(i)}#member@group:c${String(i + 1)}#member`);
    await engine.write({ tenant: 't1', tuples });
    const err = await rejection(engine.check({ tenant: 't1', subject: user('nobody'), action: 'view', resource: 'document:deep', depth: 5000 }));
    expect(err).toBeInstanceOf(BudgetExceededError);
  });

  it('gives a batch of checks one budget, so a batch costs no more than one request', async () => {
    const engine = await Engine.create({ schema: SCHEMA, budget: { maxSteps: 4000 } });
    await wide(engine, 30, 30);
    const outsider = { tenant: 't1', subject: user('nobody'), action: 'view', resource: 'document:wide' } as const;
    // One walk of the wide document fits (about 1,000 steps) ...
    await expect(engine.check(outsider)).resolves.toMatchObject({ allowed: false });
    await expect(engine.checkMany([outsider, outsider, outsider])).resolves.toHaveLength(3);
    // ... five do not.
    await expect(engine.checkMany([outsider, outsider, outsider, outsider, outsider])).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('ends a lookup page early on its budget, with a token that resumes at the next candidate', async () => {
    const engine = await Engine.create({ schema: SCHEMA, budget: { maxSteps: 3000 } });
    const ids = Array.from({ length: 1000 }, (_, i) => `d${String(i).padStart(4, '0')}`);
    await engine.write({ tenant: 't1', attributes: ids.map((id, i) => ({ entity: { type: 'document', id }, attribute: 'public', value: i % 50 === 0 })) });
    const request = { tenant: 't1', entityType: 'document', permission: 'view', subject: 'user:nobody', pageSize: 100 } as const;
    const walked: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await engine.lookupEntity({ ...request, continuousToken: token });
      // Each page stays within the budget (plus the candidate that crossed half of it).
      expect(engine.stats().lastRequestSteps).toBeLessThanOrEqual(3000);
      walked.push(...page.ids);
      token = page.continuousToken;
      pages++;
    } while (token !== '' && pages < 1000);
    // Short pages, but together exactly the answer (every 50th document is public).
    expect(pages).toBeGreaterThan(5);
    expect(walked).toEqual(ids.filter((_, i) => i % 50 === 0));
    // With a budget that fits, one page holds them all.
    const roomy = await Engine.create({ schema: SCHEMA });
    await roomy.write({ tenant: 't1', attributes: ids.map((id, i) => ({ entity: { type: 'document', id }, attribute: 'public', value: i % 50 === 0 })) });
    await expect(roomy.lookupEntity(request)).resolves.toEqual({ ids: walked, continuousToken: '' });
  });

  it('fails a lookup page whose one candidate costs more than the budget, and subject-permission lists', async () => {
    const engine = await Engine.create({ schema: SCHEMA, budget: { maxSteps: 3000 } });
    await wide(engine, 60, 60);
    // Every user's check on document:wide walks the 3,600 member rows of the groups it is not in.
    await expect(engine.lookupSubject({ tenant: 't1', entity: { type: 'document', id: 'wide' }, permission: 'view', subjectReference: { type: 'user' }, pageSize: 10 })).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject: 'user:nobody', pageSize: 10 })).rejects.toBeInstanceOf(BudgetExceededError);
    const request = { tenant: 't1', entity: { type: 'document', id: 'wide' }, subject: user('nobody') } as const;
    await expect(engine.subjectPermissions(request)).rejects.toBeInstanceOf(BudgetExceededError);
    // Failing closed per permission: every permission after the budget ran out is false and says why.
    const { permissions, errors } = await engine.subjectPermissions({ ...request, onError: 'deny' });
    expect(permissions.view).toBe(false);
    expect(errors?.view).toMatch(/step budget of 3000/);
  });

  it('makes a client check a denial with reason budget_exceeded that is not cached', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
    const ask = () => gate.check({ tenant: 't1', subject: 'user:a', action: 'big', resource: 'document:1', context: { attributes: [xsOf('1', thousand)] } });
    await expect(ask()).resolves.toMatchObject({ allowed: false, reason: 'budget_exceeded' });
    const before = engine.stats().evaluationSteps;
    await expect(ask()).resolves.toMatchObject({ allowed: false, reason: 'budget_exceeded' });
    // Asked again (not served from the decision cache).
    expect(engine.stats().evaluationSteps - before).toBeGreaterThan(DEFAULT_BUDGET.maxSteps);
    await expect(new Gatehouse({ pdp: new EmbeddedPdp(engine), throwOnError: true }).check({ tenant: 't1', subject: 'user:a', action: 'big', resource: 'document:1', context: { attributes: [xsOf('1', thousand)] } })).rejects.toBeInstanceOf(BudgetExceededError);
    await gate.close();
  });
});

describe('context.data in rules', () => {
  it('is converted once per request, never kept across requests (a caller may change its object)', async () => {
    const engine = await Engine.create({ schema: 'entity user {}\nentity doc { attribute min integer\n permission read = level(min) }\nrule level(min integer) { context.data.level > min }' });
    await engine.write({ tenant: 't1', attributes: [{ entity: { type: 'doc', id: '1' }, attribute: 'min', value: 2 }] });
    const data: Record<string, number> = { level: 1 };
    const ask = () => engine.check({ tenant: 't1', subject: user('a'), action: 'read', resource: 'doc:1', context: { data } });
    await expect(ask()).resolves.toMatchObject({ allowed: false });
    data.level = 5;
    await expect(ask()).resolves.toMatchObject({ allowed: true });
  });
});

describe('request-size limits', () => {
  const base = { tenant: 't1', subject: user('a'), action: 'view', resource: 'document:1' } as const;

  it('refuses too many contextual tuples or attributes, and too long lists, before evaluating', async () => {
    const engine = await Engine.create({ schema: SCHEMA, budget: { maxContextTuples: 3, maxContextAttributes: 2, maxListLength: 5, maxContextDataValues: 6 } });
    const tuples = Array.from({ length: 4 }, (_, i) => `document:1#viewer@user:x${String(i)}`);
    const cases: [string, Promise<unknown>][] = [
      ['tuples', engine.check({ ...base, context: { tuples } })],
      ['attributes', engine.check({ ...base, context: { attributes: [xsOf('1', [1]), xsOf('2', [1]), xsOf('3', [1])] } })],
      ['subject and resource attributes count too', engine.check({ ...base, subject: { type: 'user', id: 'a', attributes: { a: 1, b: 2 } }, resource: { type: 'document', id: '1', attributes: { public: true } } })],
      ['list length', engine.check({ ...base, action: 'small', context: { attributes: [xsOf('1', [1, 2, 3, 4, 5, 6])] } })],
      ['context.data values', engine.check({ ...base, context: { data: { a: [1, 2], b: { c: 1, d: 2 } } } })],
      ['lists in context.data', engine.check({ ...base, context: { data: { a: [1, 2, 3, 4, 5, 6] } } })],
      ['lookups too', engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject: 'user:a', context: { tuples } })],
    ];
    for (const [what, p] of cases) {
      const err = await rejection(p);
      expect([what, err instanceof InvalidRequestError]).toEqual([what, true]);
      expect((err as Error).message).toMatch(/budget\.max|levels/);
    }
    // At the limits it answers.
    await expect(engine.check({ ...base, context: { tuples: tuples.slice(0, 3), attributes: [xsOf('1', [1, 2, 3, 4, 5])] } })).resolves.toMatchObject({ allowed: false });
  });

  it('rejects bad budget options with the field named', async () => {
    for (const budget of [{ maxSteps: 0 }, { maxSteps: 1.5 }, { maxSteps: '10' }, { maxListLength: -1 }, { nope: 1 }, 'big']) {
      const err = await rejection(Engine.create({ schema: SCHEMA, budget: budget as never }));
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as Error).message).toContain('options.budget');
    }
    await expect(Engine.create({ schema: SCHEMA, pageTokenKey: 'short' })).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe('rules called without a meter', () => {
  it('still run under the default budget', async () => {
    const { compileSchema } = await import('@gatehouse/engine');
    const rule = compileSchema(SCHEMA).rules.get('cube');
    expect(rule).toBeDefined();
    expect(() => rule?.evaluate({ xs: thousand }, {})).toThrow(BudgetExceededError);
    expect(rule?.evaluate({ xs: [1, 2] }, {})).toBe(true);
  });
});

describe('hostile rules', () => {
  // Nested comprehensions of every kind over 1,000 contextual integers: each stops at its budget, and stops at once
  // (what is counted after the budget ran out is a handful of charges, not the rest of the iterations).
  const RULES: Record<string, string> = {
    all: 'xs.all(x, xs.all(y, xs.all(z, x + y + z > 0)))',
    exists: 'xs.exists(x, xs.exists(y, xs.exists(z, x + y + z < 0)))',
    existsOne: 'xs.exists_one(x, xs.exists_one(y, xs.exists(z, x + y + z < 0)))',
    mapFilter: 'xs.map(x, xs.map(y, xs.filter(z, x + y + z < 0))).size() > 0',
    mixed: 'xs.all(x, xs.exists(y, xs.all(z, x + y + z > 0) || x > 0 && xs.exists(w, w < 0)))',
    orTrue: 'xs.all(x, xs.all(y, xs.all(z, x + y + z > 0))) || true',
    negated: '!xs.exists(x, !xs.all(y, xs.exists(z, x + y + z > 0) || false))',
  };
  const schema = `entity user {}\nentity doc {\n attribute xs integer[]\n${Object.keys(RULES).map((k) => ` permission ${k} = r_${k}(xs)`).join('\n')}\n}\n${Object.entries(RULES).map(([k, body]) => `rule r_${k}(xs integer[]) { ${body} }`).join('\n')}`;

  it.each(Object.keys(RULES))('%s stops at its budget', async (name) => {
    const engine = await Engine.create({ schema });
    const err = await rejection(engine.check({ tenant: 't1', subject: user('m'), action: name, resource: 'doc:1', context: { attributes: [{ entity: { type: 'doc', id: '1' }, attribute: 'xs', value: thousand }] } }));
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(engine.stats().lastRequestSteps).toBeLessThan(DEFAULT_BUDGET.maxSteps + 10_000);
  });
});
