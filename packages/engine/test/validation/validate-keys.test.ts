import { describe, expect, it } from '@jest/globals';

import { validate } from '../../src/validation/index.js';

const HEAD = `schema: |-
  entity user {}
  entity doc {
      relation owner @user
      permission view = owner
  }
`;

describe('validate rejects what it would not check', () => {
  it('reports a misspelt top-level key ("relationship") at its line and column, with the key it meant', async () => {
    const result = await validate(`${HEAD}relationship:\n  - doc:1#owner@user:a\n`);
    expect(result.errors).toEqual([
      {
        line: 7,
        column: 1,
        message: 'unknown key "relationship" in the file (did you mean "relationships"?); expected one of: schema, relationships, attributes, scenarios, tenant_id',
      },
    ]);
    expect(result.passed + result.failed).toBe(0);
  });

  it('reports a misspelt "assertions" in a check instead of passing 0 assertions', async () => {
    const result = await validate(`${HEAD}scenarios:
  - name: s
    checks:
      - entity: doc:1
        subject: user:a
        assert:
          view: true
`);
    expect(result.errors).toEqual([
      { line: 12, column: 9, message: expect.stringMatching(/^unknown key "assert" in a check \(did you mean "assertions"\?\)/) },
    ]);
    expect(result.passed).toBe(0);
  });

  it('checks the keys of scenarios, both filters and contexts, and lists every unknown key', async () => {
    const result = await validate(`${HEAD}scenarios:
  - name: s
    check: []
    entity_filters:
      - entity_type: doc
        subject: user:a
        assertion: { view: [] }
    subject_filters:
      - subject_reference: user
        entity: doc:1
        context:
          tuple: []
        assertions: { view: [] }
`);
    expect(result.errors.map((e) => [e.line, e.column, /^unknown key "(\w+)" in (an? [a-z ]+?) \(/.exec(e.message)?.slice(1)])).toEqual([
      [9, 5, ['check', 'a scenario']],
      [13, 9, ['assertion', 'an entity filter']],
      [18, 11, ['tuple', 'a context']],
    ]);
  });

  it('leaves the keys of context.data and of assertions free, and accepts tenant_id and description', async () => {
    const result = await validate(`tenant_id: anything
${HEAD}relationships:
  - doc:1#owner@user:a
scenarios:
  - name: s
    description: free text
    checks:
      - entity: doc:1
        subject: user:a
        depth: 10
        context:
          tuples: []
          attributes: []
          data: { anything: 1, at_all: { nested: true } }
        assertions:
          view: true
`);
    expect(result).toMatchObject({ errors: [], failures: [], passed: 1 });
  });

  it('reports a key that is not a plain string', async () => {
    const result = await validate(`${HEAD}? [a, b]\n: 1\n`);
    expect(result.errors).toEqual([{ line: 7, column: 3, message: expect.stringMatching(/^unknown a key that is not a plain string in the file/) }]);
  });

  it('reports a YAML indentation error at the line where it is, not at 1:1', async () => {
    const result = await validate(`${HEAD}scenarios:
  - name: s
    checks:
      - entity: doc:1
        subject: user:a
       assertions:
          view: true
`);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 12, message: expect.stringMatching(/^invalid YAML: /) });
  });

  it('reports an unclosed flow list at its line', async () => {
    const result = await validate(`${HEAD}relationships: [doc:1#owner@user:a\nscenarios: []\n`);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors.every((e) => e.line >= 7 && e.message.startsWith('invalid YAML: '))).toBe(true);
  });
});
