import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parse } from 'yaml';

import { compileSchema, SchemaCompileError, SchemaParseError } from '../../src/schema/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const conformance = resolve(here, '../../../../test/fixtures/permify');

function schemas(): string[] {
  const out: string[] = [];
  for (const f of readdirSync(conformance).filter((n) => n.endsWith('.yaml'))) {
    const doc = parse(readFileSync(resolve(conformance, f), 'utf8')) as { schema?: unknown };
    if (typeof doc.schema === 'string') out.push(doc.schema);
  }
  return out;
}

/** Parsing and compiling may only succeed or throw one of the two typed schema errors. */
function compilesOrTypedError(text: string): boolean {
  try {
    compileSchema(text);
    return true;
  } catch (error) {
    if (error instanceof SchemaParseError || error instanceof SchemaCompileError) {
      return Number.isInteger(error.line) && error.line >= 1 && Number.isInteger(error.column) && error.column >= 1;
    }
    throw error;
  }
}

const TOKENS = [
  'entity', 'relation', 'permission', 'action', 'attribute', 'rule', 'and', 'or', 'not', 'in', 'true', 'user', 'doc',
  'owner', 'x', '{', '}', '(', ')', '[', ']', '@', '#', '.', ',', '=', ':', ';', '\n', '\r\n', ' ', '"s"', '"', '//c\n',
  '/*', '*/', 'integer', 'boolean', 'string[]', '1', '>', "'", '\u{1F600}', '\t', 'context.data.a',
];

describe('schema parser and compiler under random input', () => {
  const corpus = schemas();

  it('has the conformance schemas to mutate', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(17);
  });

  it('never throws anything but its typed errors on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), compilesOrTypedError), { numRuns: 500 });
  });

  it('never throws anything but its typed errors on random token soups', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 120 }), (tokens) => compilesOrTypedError(tokens.join(' '))),
      { numRuns: 1000 },
    );
  });

  it('never throws anything but its typed errors on mutated conformance schemas', () => {
    const mutation = fc.record({
      schema: fc.constantFrom(...corpus),
      at: fc.nat(),
      drop: fc.nat({ max: 12 }),
      insert: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })),
    });
    fc.assert(
      fc.property(mutation, ({ schema, at, drop, insert }) => {
        const i = at % (schema.length + 1);
        return compilesOrTypedError(schema.slice(0, i) + insert + schema.slice(i + drop));
      }),
      { numRuns: 1500 },
    );
  });

  it('compiles every conformance schema unchanged', () => {
    for (const text of corpus) expect(() => compileSchema(text)).not.toThrow();
  });
});
