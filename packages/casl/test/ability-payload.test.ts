import { createMongoAbility, subject } from '@casl/ability';
import { unpackRules } from '@casl/ability/extra';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { abilityPayload, etagMatches, rulesFor } from '@gatehouse/casl';

import { startFixture } from './fixtures/policy.js';
import type { Fixture } from './fixtures/policy.js';

describe('abilityPayload', () => {
  let f: Fixture;

  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  const options = { tenant: 'acme', subject: 'bob', resources: ['document'] } as const;

  it('packs the rules so unpackRules gives back what rulesFor computes', async () => {
    const payload = await abilityPayload(f.gate, options);
    const rules = await rulesFor(f.gate, options);
    const ability = createMongoAbility(unpackRules(payload.rules));
    expect(ability.can('edit', subject('document', { id: '1' }))).toBe(true);
    expect(ability.can('edit', subject('document', { id: '2' }))).toBe(false);
    expect(unpackRules(payload.rules).length).toBe(rules.length);
    expect(JSON.stringify(payload.rules).length).toBeLessThan(JSON.stringify(rules).length);
  });

  it('sets expiresAt from ttlMs and the snap token from the given reader', async () => {
    const payload = await abilityPayload(f.gate, {
      ...options,
      ttlMs: 5000,
      now: () => 1_000,
      snapToken: () => f.engine.headSnapToken('acme'),
    });
    expect(payload.expiresAt).toBe(6_000);
    expect(payload.snapToken).toBe(f.engine.headSnapToken('acme'));
    expect(await abilityPayload(f.gate, options)).not.toHaveProperty('snapToken');
  });

  it('keeps the same ETag while nothing the subject sees changes, and a new one after a revoke', async () => {
    const first = await abilityPayload(f.gate, options);
    await f.engine.write({ tenant: 'globex', tuples: ['document:50#owner@user:bob'] });
    const second = await abilityPayload(f.gate, options);
    expect(second.etag).toBe(first.etag);
    await f.engine.delete({ tenant: 'acme', tuples: ['document:1#owner@user:bob'] });
    const third = await abilityPayload(f.gate, options);
    expect(third.etag).not.toBe(first.etag);
    await f.engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:bob'] });
    expect((await abilityPayload(f.gate, options)).etag).toBe(first.etag);
  });

  it('gives different subjects with the same rules different ETags', async () => {
    const carol = await abilityPayload(f.gate, { ...options, subject: 'nobody' });
    const dan = await abilityPayload(f.gate, { ...options, subject: 'nobody_else' });
    expect(carol.rules).toEqual(dan.rules);
    expect(carol.etag).not.toBe(dan.etag);
  });

  it('rejects a ttlMs that is not a positive integer, naming the option', async () => {
    await expect(abilityPayload(f.gate, { ...options, ttlMs: 0 })).rejects.toThrow('options.ttlMs');
  });
});

describe('etagMatches', () => {
  it('matches exact, weak, listed and * validators only', () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", "a"', '"a"')).toBe(true);
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(undefined, '"a"')).toBe(false);
  });
});
