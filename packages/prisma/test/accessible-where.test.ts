import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '@gatehouse/core';
import type { QueryPlan } from '@gatehouse/core';

import { accessibleWhere, PrismaIdList } from '../src/index.js';

/** The where input as Prisma's JSON protocol sees it (an id set's `toJSON()` is its array of ids). */
const json = (where: unknown): unknown => JSON.parse(JSON.stringify(where));

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
    expect(json(accessibleWhere(plan, mapping))).toEqual({
      OR: [
        { id: { in: ['1', '2'] } },
        { AND: [{ isPublic: { equals: true } }, { OR: [{ status: { not: 'archived' } }, { status: null }] }] },
      ],
    });
    expect(json(accessibleWhere({ kind: 'conditional', condition: { not: { or: [{ field: 'amount', gt: 5 }, { field: 'id', in: ['1'] }] } } }, mapping))).toEqual({
      AND: [{ OR: [{ amount: { lte: 5 } }, { amount: null }] }, { id: { notIn: ['1'] } }],
    });
  });

  it('converts ids with parseId and refuses ids it cannot convert', () => {
    const plan: QueryPlan = { kind: 'conditional', condition: { field: 'id', in: ['7', '8'] } };
    expect(json(accessibleWhere(plan, { id: 'id', parseId: Number }))).toEqual({ id: { in: [7, 8] } });
    expect(() => accessibleWhere({ kind: 'conditional', condition: { field: 'id', in: ['x'] } }, { id: 'id', parseId: Number })).toThrow(InvalidRequestError);
  });

  it('hands an id set to Prisma as a list it serializes in one step, iterable like the array it stands for', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => String(i * 50));
    const where = accessibleWhere<{ id: { in: PrismaIdList } }>({ kind: 'conditional', condition: { field: 'id', in: ids } }, { id: 'id', parseId: Number });
    const list = where.id.in;
    expect(list).toBeInstanceOf(PrismaIdList);
    expect(list.length).toBe(2000);
    expect([...list]).toEqual(ids.map(Number));
    expect(list.toJSON()).toEqual(ids.map(Number));
    expect(Object.isFrozen(list.toJSON())).toBe(true); // the same where may serve findMany and count
    // A list an app builds keeps its own frozen copy: changing the array afterwards changes nothing.
    const mine = [1, 2];
    const own = new PrismaIdList(mine);
    mine.push(3);
    expect([...own]).toEqual([1, 2]);
    expect(Object.isFrozen(own.toJSON())).toBe(true);
    // BigInt ids are left to Prisma's own encoding, as a plain array.
    const big = accessibleWhere<{ id: { notIn: unknown } }>({ kind: 'conditional', condition: { not: { field: 'id', in: ['9007199254740993'] } } }, { id: 'id', parseId: BigInt });
    expect(big.id.notIn).toEqual([9007199254740993n]);
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
