import { describe, expect, it } from '@jest/globals';

import { validate } from '../../src/validation/index.js';

const FILE = `schema: |-
  entity user {}
  entity doc {
      relation owner @user
      permission view = owner
  }
relationships:
  - doc:1#owner@user:a
scenarios:
  - name: s
    checks:
      - entity: doc:1
        subject: user:a
        assertions:
          view: true
          owner: false
    entity_filters:
      - entity_type: doc
        subject: user:a
        assertions:
          view: ["1"]
`;

describe('validate with outcomes', () => {
  it('lists every assertion, passed or not, in file order, only when asked', async () => {
    const result = await validate(FILE, { outcomes: true });
    expect(result.outcomes).toEqual([
      { scenario: 's', kind: 'check', query: 'user:a view doc:1', expected: true, actual: true, passed: true },
      { scenario: 's', kind: 'check', query: 'user:a owner doc:1', expected: false, actual: true, passed: false },
      { scenario: 's', kind: 'entity_filter', query: 'user:a view doc', expected: ['1'], actual: ['1'], passed: true },
    ]);
    expect({ passed: result.passed, failed: result.failed }).toEqual({ passed: 2, failed: 1 });
    expect((await validate(FILE)).outcomes).toBeUndefined();
  });
});
