import { describe, expect, it } from '@jest/globals';

import { EvaluationError } from '@gatehouse/core';
import { Engine, SchemaCompileError } from '@gatehouse/engine';

const EVIL = `${'a'.repeat(40)}b`;

describe('CEL matches() in rules', () => {
  it('answers a pattern that makes a backtracking engine explode, at once, for a literal pattern', async () => {
    const engine = await Engine.create({
      schema: "entity user {}\nentity doc { attribute s string permission p = f(s) }\nrule f(s string) { s.matches('(a+)+$') }",
    });
    await engine.write({ tenant: 't1', attributes: [`doc:1$s|string:${EVIL}`, 'doc:2$s|string:xaaa'] });
    expect((await engine.check({ tenant: 't1', resource: 'doc:1', action: 'p', subject: 'user:x' })).allowed).toBe(false);
    expect((await engine.check({ tenant: 't1', resource: 'doc:2', action: 'p', subject: 'user:x' })).allowed).toBe(true);
  });

  it('answers a catastrophic pattern that comes from request data, at once', async () => {
    const engine = await Engine.create({
      schema: 'entity user {}\nentity doc { attribute s string permission p = f(s) }\nrule f(s string) { s.matches(context.data.re) }',
    });
    await engine.write({ tenant: 't1', attributes: [`doc:1$s|string:${EVIL}`] });
    const check = (re: string) =>
      engine.check({ tenant: 't1', resource: 'doc:1', action: 'p', subject: 'user:x', context: { data: { re } } });
    expect((await check('^(a|a)*$')).allowed).toBe(false);
    expect((await check('^a{40}b$')).allowed).toBe(true);
  });

  it('matches unanchored, with RE2 syntax (as Go regexp.MatchString)', async () => {
    const engine = await Engine.create({
      schema: "entity user {}\nentity doc { attribute s string permission p = f(s) }\nrule f(s string) { s.matches('(?i)b[[:digit:]]+') }",
    });
    await engine.write({ tenant: 't1', attributes: ['doc:1$s|string:xxB12yy', 'doc:2$s|string:bb'] });
    expect((await engine.check({ tenant: 't1', resource: 'doc:1', action: 'p', subject: 'user:x' })).allowed).toBe(true);
    expect((await engine.check({ tenant: 't1', resource: 'doc:2', action: 'p', subject: 'user:x' })).allowed).toBe(false);
  });

  it.each([
    ['a backreference', String.raw`(a)\\1`],
    ['a lookahead', '(?=a)b'],
    ['a lookbehind', '(?<=a)b'],
    ['a repetition of nothing', '**a'],
    ['an unclosed class', '[a'],
  ])('rejects %s in a literal pattern at schema compile time, with line and column', async (_what, pattern) => {
    const schema = `entity user {}\nentity doc { attribute s string permission p = f(s) }\nrule f(s string) {\n  s.size() > 0 && s.matches('${pattern}')\n}`;
    const error = await Engine.create({ schema }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaCompileError);
    expect(error).toMatchObject({ line: 4, column: 29 });
    expect((error as Error).message).toMatch(/RE2/);
  });

  it('rejects a pattern from data that is not RE2, and an over-long input, with an EvaluationError', async () => {
    const engine = await Engine.create({
      schema: 'entity user {}\nentity doc { attribute s string permission p = f(s) }\nrule f(s string) { s.matches(context.data.re) }',
    });
    await engine.write({ tenant: 't1', attributes: ['doc:1$s|string:aa'] });
    const check = (re: string) =>
      engine.check({ tenant: 't1', resource: 'doc:1', action: 'p', subject: 'user:x', context: { data: { re } } });
    await expect(check(String.raw`(a)\1`)).rejects.toThrow(EvaluationError);
    await expect(check(String.raw`(a)\1`)).rejects.toThrow(/RE2/);
    const long = await Engine.create({
      schema: "entity user {}\nentity doc { attribute s string permission p = f(s) }\nrule f(s string) { context.data.s.matches('a') }",
    });
    await expect(
      long.check({ tenant: 't1', resource: 'doc:1', action: 'p', subject: 'user:x', context: { data: { s: 'a'.repeat(70_000) } } }),
    ).rejects.toThrow(/at most 65536 characters/);
  });

  it('checks matches() inside macros too', async () => {
    const engine = await Engine.create({
      schema: "entity user {}\nentity doc { attribute s string[] permission p = f(s) }\nrule f(s string[]) { s.exists(x, x.matches('(a+)+$')) }",
    });
    await engine.write({ tenant: 't1', attributes: [`doc:1$s|string[]:${EVIL},b`] });
    expect((await engine.check({ tenant: 't1', resource: 'doc:1', action: 'p', subject: 'user:x' })).allowed).toBe(false);
  });
});
