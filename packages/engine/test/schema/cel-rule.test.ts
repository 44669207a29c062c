import { describe, expect, it } from '@jest/globals';

import { EvaluationError } from '@gatehouse/core';

import { compileSchema, type RuleDefinition } from '../../src/schema/index.js';

function rule(params: string, body: string): RuleDefinition {
  const schema = compileSchema(`entity user {}\nrule r(${params}) {\n  ${body}\n}`);
  const r = schema.rules.get('r');
  if (r === undefined) throw new Error('no rule');
  return r;
}

describe('rule evaluation (CEL)', () => {
  it('compares an integer attribute with context.data numbers, which are doubles', () => {
    const r = rule('balance integer', '(balance >= context.data.amount) && (context.data.amount <= 5000)');
    expect(r.evaluate({ balance: 4000 }, { data: { amount: 3000 } })).toBe(true);
    expect(r.evaluate({ balance: 4000 }, { data: { amount: 4000.5 } })).toBe(false);
    expect(r.evaluate({ balance: 9000 }, { data: { amount: 6000 } })).toBe(false);
  });

  it('sees context.data numbers as doubles', () => {
    expect(rule('x integer', 'type(context.data.n) == double').evaluate({ x: 0 }, { data: { n: 3 } })).toBe(true);
  });

  it('compares int, uint and double across types, including equality and list membership', () => {
    expect(rule('x integer', 'x == 1.0').evaluate({ x: 1 }, { data: {} })).toBe(true);
    expect(rule('x integer', 'x != 2.0').evaluate({ x: 1 }, { data: {} })).toBe(true);
    expect(rule('x double', 'x == 2').evaluate({ x: 2.5 }, { data: {} })).toBe(false);
    expect(rule('x integer', 'x in [1.0, 2.0]').evaluate({ x: 2 }, { data: {} })).toBe(true);
    expect(rule('xs integer[]', 'context.data.n in xs').evaluate({ xs: [1, 2, 3] }, { data: { n: 2 } })).toBe(true);
    expect(rule('xs double[]', '3 in xs').evaluate({ xs: [1.5, 3] }, { data: {} })).toBe(true);
    expect(rule('x integer', 'x < 1.5 && x > 0.5').evaluate({ x: 1 }, { data: {} })).toBe(true);
  });

  it('reads string lists with in', () => {
    const r = rule('allowed_region string[]', 'context.data.region in allowed_region');
    expect(r.evaluate({ allowed_region: ['eu', 'us'] }, { data: { region: 'eu' } })).toBe(true);
    expect(r.evaluate({ allowed_region: [] }, { data: { region: 'eu' } })).toBe(false);
  });

  it('throws EvaluationError when a context.data key is missing', () => {
    const r = rule('balance integer', 'balance >= context.data.amount');
    expect(() => r.evaluate({ balance: 1 }, { data: {} })).toThrow(EvaluationError);
    expect(() => r.evaluate({ balance: 1 }, {})).toThrow(/rule "r" failed: No such key: amount/);
  });

  it('exposes only context.data to the rule, as Permify does', () => {
    const r = rule('x integer', 'has(context.tuples)');
    expect(r.evaluate({ x: 1 }, { tuples: [], data: {} })).toBe(false);
  });
});
