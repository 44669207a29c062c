import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from '@jest/globals';

import { shareShape } from '../src/request-shape.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('shareShape()', () => {
  it('changes nothing a program can see: keys, their order, values and descriptors stay', () => {
    const target: Record<string | symbol, unknown> = { b: 1, a: 'two', 3: 'three' };
    const tag = Symbol('tag');
    target[tag] = 4;
    Object.defineProperty(target, 'hidden', { value: 5, enumerable: false, writable: false, configurable: false });
    const before = Reflect.ownKeys(target).map((key) => [key, Object.getOwnPropertyDescriptor(target, key)]);
    shareShape(target);
    expect(Reflect.ownKeys(target).map((key) => [key, Object.getOwnPropertyDescriptor(target, key)])).toEqual(before);
    expect(Object.keys(target)).toEqual(['3', 'b', 'a']);
  });

  it('leaves a frozen or non-extensible object alone instead of throwing', () => {
    const frozen = Object.freeze({ a: 1 });
    const sealed = Object.preventExtensions({ a: 1 });
    expect(() => { shareShape(frozen); shareShape(sealed); }).not.toThrow();
    expect(Reflect.ownKeys(frozen)).toEqual(['a']);
    expect(Reflect.ownKeys(sealed)).toEqual(['a']);
  });
});

describe('gatehouse() shareRequestShape on this V8', () => {
  it('puts Express requests and responses into dictionary mode, where consecutive requests share one hidden class', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', join(fixtures, 'request-shape.ts')], {
      env: { ...process.env, TSX_TSCONFIG_PATH: join(fixtures, 'tsconfig.tsx.json'), NODE_OPTIONS: '' },
      timeout: 60_000,
    });
    const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<'shared' | 'unshared', Record<string, boolean[]>>;
    expect(report.shared).toEqual({ reqFast: [false], resFast: [false], sameReq: [true], sameRes: [true] });
    // The premise (request-shape.ts): left alone, every Express request and response has a hidden class of its own.
    // If a node upgrade makes this fail, the switch may no longer pay for itself: measure again (bench/express.mjs).
    expect(report.unshared).toEqual({ reqFast: [true], resFast: [true], sameReq: [false], sameRes: [false] });
  });
});
