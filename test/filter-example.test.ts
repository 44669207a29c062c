// The filtering example (examples/filtering): one Drizzle query over PGlite lists what each user may view.
import { describe, expect, it } from '@jest/globals';

import { run } from '../examples/filtering/src/app.js';

describe('filtering example', () => {
  it('lists for each user exactly the documents the policy lets them view, counted in the same filter', async () => {
    const [alice, bob] = await run(['alice', 'bob']);
    // alice: her own d1 (her d4 is archived) and the public handbook d3 (d5 is public but archived).
    expect(alice?.rows.map((r) => r.id)).toEqual(['d1', 'd3']);
    expect(alice?.count).toBe(2);
    // bob is the tenant's admin: every document that is not archived.
    expect(bob?.rows.map((r) => r.id)).toEqual(['d1', 'd2', 'd3', 'd6']);
    expect(bob?.count).toBe(4);
    expect(bob?.plan).toMatchObject({ kind: 'conditional', condition: { field: 'status', ne: 'archived' } });
  });
});
