import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '@gatehouse/core';
import type { QueryPlan } from '@gatehouse/core';

import { accessibleWhere } from '../src/index.js';

const mapping = { id: 'id', fields: { public: 'isPublic', amount: 'amount', status: 'status', tags: 'tags' } };

describe('accessibleWhere (Prisma)', () => {
  it('is {} for always and an empty id list for never', () => {
    expect(accessibleWhere({ kind: 'always' }, mapping)).toEqual({});
    expect(accessibleWhere({ kind: 'never' }, mapping)).toEqual({ id: { in: [] } });
  });

  it('maps attributes to model fields and pushes not down, reading null as the zero value', () => {
    const plan: QueryPlan = {
      kind: 'conditional',
      condition: { or: [{ field: 'id', in: ['1', '2'] }, { and: [{ field: 'public', eq: true }, { not: { field: 'status', eq: 'archived' } }] }] },
    };
    expect(accessibleWhere(plan, mapping)).toEqual({
      OR: [
        { id: { in: ['1', '2'] } },
        { AND: [{ isPublic: { equals: true } }, { OR: [{ status: { not: 'archived' } }, { status: null }] }] },
      ],
    });
    expect(accessibleWhere({ kind: 'conditional', condition: { not: { or: [{ field: 'amount', gt: 5 }, { field: 'id', in: ['1'] }] } } }, mapping)).toEqual({
      AND: [{ OR: [{ amount: { lte: 5 } }, { amount: null }] }, { id: { notIn: ['1'] } }],
    });
  });

  it('converts ids with parseId and refuses ids it cannot convert', () => {
    const plan: QueryPlan = { kind: 'conditional', condition: { field: 'id', in: ['7', '8'] } };
    expect(accessibleWhere(plan, { id: 'id', parseId: Number })).toEqual({ id: { in: [7, 8] } });
    expect(() => accessibleWhere({ kind: 'conditional', condition: { field: 'id', in: ['x'] } }, { id: 'id', parseId: Number })).toThrow(InvalidRequestError);
  });

  it('refuses a plan naming an attribute the mapping does not map (never a wider filter)', () => {
    const plan: QueryPlan = { kind: 'conditional', condition: { or: [{ field: 'id', in: ['1'] }, { field: 'secret', eq: true }] } };
    expect(() => accessibleWhere(plan, { id: 'id' })).toThrow(/"secret" unmapped/);
    expect(() => accessibleWhere(plan, { id: 'id', fields: { toString: 'x' } })).toThrow(InvalidRequestError);
  });

  it('refuses a malformed plan', () => {
    expect(() => accessibleWhere({ kind: 'conditional', condition: { field: 'status', startsWith: 'a' } } as unknown as QueryPlan, mapping)).toThrow(InvalidRequestError);
    expect(() => accessibleWhere({ kind: 'conditional', condition: { not: { and: [] } } } as unknown as QueryPlan, mapping)).toThrow(InvalidRequestError);
  });
});
