import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { validate } from '../../src/validation/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const conformance = resolve(here, '../../../../test/fixtures/permify');
const corpus = readdirSync(conformance)
  .filter((n) => n.endsWith('.yaml'))
  .map((n) => readFileSync(resolve(conformance, n), 'utf8'));

const PIECES = ['\n', '  ', '- ', ': ', 'true', 'null', '[', ']', '{', '}', '#', '@', ':', '$', '|', 'depth: 1', 'context: []', 'assertions:', '"', "'", '...', '\t'];

describe('validate under mutated validation files', () => {
  it('always resolves to a result: every problem is an error or a failure with a position, never a throw', async () => {
    const mutation = fc.record({
      text: fc.constantFrom(...corpus),
      at: fc.nat(),
      drop: fc.nat({ max: 20 }),
      insert: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 })),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ text, at, drop, insert }) => {
        const i = at % (text.length + 1);
        const result = await validate(text.slice(0, i) + insert + text.slice(i + drop));
        expect(result.failed).toBe(result.failures.length);
        for (const e of result.errors) {
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 150 },
    );
  });
});
