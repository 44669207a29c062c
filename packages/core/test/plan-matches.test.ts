import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { comparisonOf, InvalidRequestError, missingMatches, negateOperator, planMatches, planPredicate } from '@gatehouse/core';
import type { Condition, ConditionValue, LeafOperator, QueryPlan } from '@gatehouse/core';

const mapping = { id: 'id', fields: { public: 'isPublic', status: 'status', size: 'size', tags: 'tags' } };
const when = (condition: Condition): QueryPlan => ({ kind: 'conditional', condition });
const matches = (condition: Condition, row: Record<string, unknown>): boolean => planMatches(when(condition), row, mapping);

describe('planMatches: a query plan tested against an in-memory row', () => {
  const row = { id: 'd1', isPublic: true, status: 'draft', size: 10, tags: ['a', 'b'] };

  it('matches every row for `always` and none for `never`, whatever the row holds', () => {
    expect(planMatches({ kind: 'always' }, {}, { id: 'id' })).toBe(true);
    expect(planMatches({ kind: 'never' }, row, mapping)).toBe(false);
  });

  it('tests the id set of a plan', () => {
    expect(matches({ field: 'id', in: ['d0', 'd1'] }, row)).toBe(true);
    expect(matches({ field: 'id', in: ['d2'] }, row)).toBe(false);
    expect(matches({ field: 'id', in: [] }, row)).toBe(false);
    expect(planMatches(when({ field: 'id', in: ['7'] }), { id: 7 }, { id: 'id' })).toBe(true);
  });

  it.each<[string, Condition, boolean]>([
    ['eq true', { field: 'public', eq: true }, true],
    ['eq false', { field: 'public', eq: false }, false],
    ['ne', { field: 'status', ne: 'archived' }, true],
    ['ne same', { field: 'status', ne: 'draft' }, false],
    ['lt', { field: 'size', lt: 10 }, false],
    ['le', { field: 'size', le: 10 }, true],
    ['gt', { field: 'size', gt: 9.5 }, true],
    ['ge', { field: 'size', ge: 11 }, false],
    ['in', { field: 'status', in: ['draft', 'review'] }, true],
    ['in, absent', { field: 'status', in: ['review'] }, false],
    ['contains', { field: 'tags', contains: 'b' }, true],
    ['contains, absent', { field: 'tags', contains: 'c' }, false],
  ])('compares a field: %s', (_name, condition, expected) => {
    expect(matches(condition, row)).toBe(expected);
  });

  it('combines with and, or and not', () => {
    const owned = { field: 'id', in: ['d9'] } as const;
    const isPublic = { field: 'public', eq: true } as const;
    const archived = { field: 'status', eq: 'archived' } as const;
    expect(matches({ or: [owned, isPublic] }, row)).toBe(true);
    expect(matches({ and: [owned, isPublic] }, row)).toBe(false);
    expect(matches({ and: [{ or: [owned, isPublic] }, { not: archived }] }, row)).toBe(true);
    expect(matches({ and: [{ or: [owned, isPublic] }, { not: archived }] }, { ...row, status: 'archived' })).toBe(false);
    expect(matches({ not: { not: isPublic } }, row)).toBe(true);
  });

  it('reads a missing value (undefined or null) as the zero value of its type, as a check does', () => {
    const bare = { id: 'd1', status: null };
    expect(matches({ field: 'public', eq: false }, bare)).toBe(true);
    expect(matches({ field: 'public', eq: true }, bare)).toBe(false);
    expect(matches({ field: 'status', eq: '' }, bare)).toBe(true);
    expect(matches({ field: 'size', lt: 1 }, bare)).toBe(true);
    expect(matches({ field: 'size', in: [0, 5] }, bare)).toBe(true);
    expect(matches({ field: 'tags', contains: 'a' }, bare)).toBe(false);
    expect(matches({ not: { field: 'tags', contains: 'a' } }, bare)).toBe(true);
  });

  it('refuses an attribute the mapping does not map, even when no row is tested (never a wider filter)', () => {
    const plan = when({ or: [{ field: 'id', in: ['d1'] }, { field: 'secret', eq: true }] });
    expect(() => planPredicate(plan, mapping)).toThrow(InvalidRequestError);
    expect(() => planPredicate(plan, mapping)).toThrow(/"secret" unmapped/);
    // a property inherited from Object.prototype is not a mapping
    expect(() => planPredicate(when({ field: 'constructor', eq: true }), { id: 'id', fields: {} })).toThrow(InvalidRequestError);
  });

  it('refuses a malformed plan or mapping with a typed error', () => {
    expect(() => planPredicate({ kind: 'maybe' } as unknown as QueryPlan, mapping)).toThrow(InvalidRequestError);
    expect(() => planPredicate(when({ field: 'public' } as unknown as Condition), mapping)).toThrow(InvalidRequestError);
    expect(() => planPredicate({ kind: 'always' }, { id: '' })).toThrow(InvalidRequestError);
  });

  it('refuses a row whose value has another type than the plan compares, rather than guessing', () => {
    expect(() => matches({ field: 'public', eq: true }, { id: 'd1', isPublic: 'yes' })).toThrow(InvalidRequestError);
    expect(() => matches({ field: 'size', gt: 1 }, { id: 'd1', size: '10' })).toThrow(InvalidRequestError);
    expect(() => matches({ field: 'tags', contains: 'a' }, { id: 'd1', tags: 'a' })).toThrow(InvalidRequestError);
    expect(() => matches({ field: 'id', in: ['d1'] }, { id: { toString: () => 'd1' } })).toThrow(InvalidRequestError);
  });

  it('reads only the row\'s own properties, never its prototype', () => {
    const inherited = Object.create({ isPublic: true }) as Record<string, unknown>;
    inherited.id = 'd1';
    expect(matches({ field: 'public', eq: true }, inherited)).toBe(false);
  });

  it('filters many rows with one predicate', () => {
    const visible = planPredicate(when({ or: [{ field: 'id', in: ['a'] }, { field: 'public', eq: true }] }), mapping);
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c', isPublic: true }];
    expect(rows.filter(visible).map((r) => r.id)).toEqual(['a', 'c']);
  });
});

/**
 * The SQL adapters' reading of a condition: `not` pushed down to the comparisons (negateOperator), and a NULL column
 * matching exactly when missingMatches says so. planMatches must agree with it on every row.
 */
function asTheAdaptersDo(c: Condition, row: Record<string, unknown>, positive = true): boolean {
  if ('and' in c || 'or' in c) {
    const parts = ('and' in c ? c.and : c.or).map((x) => asTheAdaptersDo(x, row, positive));
    return ('and' in c) === positive ? parts.every(Boolean) : parts.some(Boolean);
  }
  if ('not' in c) return asTheAdaptersDo(c.not, row, !positive);
  const { op, value } = comparisonOf(c);
  const leaf: LeafOperator = positive ? op : negateOperator(op);
  const column = mapping.fields[c.field as keyof typeof mapping.fields];
  const v = row[column];
  if (v === undefined || v === null) return missingMatches(leaf, value);
  const x = v as ConditionValue;
  const k = value as ConditionValue;
  switch (leaf) {
    case 'eq': return x === k;
    case 'ne': return x !== k;
    case 'lt': return x < k;
    case 'le': return x <= k;
    case 'gt': return x > k;
    case 'ge': return x >= k;
    case 'in': return (value as readonly ConditionValue[]).includes(x);
    case 'notIn': return !(value as readonly ConditionValue[]).includes(x);
    case 'contains': return (v as readonly unknown[]).includes(k);
    case 'notContains': return !(v as readonly unknown[]).includes(k);
  }
}

describe('planMatches agrees with the SQL adapters\' semantics', () => {
  const size = fc.integer({ min: -2, max: 2 });
  const status = fc.constantFrom('', 'draft', 'archived');
  const leaf: fc.Arbitrary<Condition> = fc.oneof(
    fc.boolean().map((b) => ({ field: 'public', eq: b })),
    fc.boolean().map((b) => ({ field: 'public', ne: b })),
    status.map((x) => ({ field: 'status', eq: x })),
    status.map((x) => ({ field: 'status', ne: x })),
    fc.uniqueArray(status, { minLength: 1 }).map((xs) => ({ field: 'status', in: xs })),
    size.map((n) => ({ field: 'size', lt: n })),
    size.map((n) => ({ field: 'size', le: n })),
    size.map((n) => ({ field: 'size', gt: n })),
    size.map((n) => ({ field: 'size', ge: n })),
    fc.uniqueArray(size, { minLength: 1 }).map((xs) => ({ field: 'size', in: xs })),
    status.map((x) => ({ field: 'tags', contains: x })),
  );
  const condition = fc.letrec<{ c: Condition }>((tie) => ({
    c: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('c'), { minLength: 2, maxLength: 3 }).map((xs) => ({ and: xs })),
      fc.array(tie('c'), { minLength: 2, maxLength: 3 }).map((xs) => ({ or: xs })),
      tie('c').map((x) => ({ not: x })),
    ),
  })).c;
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const row = fc.record({
    id: fc.constant('d1'),
    isPublic: fc.option(fc.boolean()),
    status: maybe(status),
    size: fc.option(size),
    tags: maybe(fc.array(status, { maxLength: 2 })),
  });

  it('on random conditions and rows with missing values', () => {
    fc.assert(
      fc.property(condition, row, (c, r) => {
        expect(planMatches({ kind: 'conditional', condition: c }, r, mapping)).toBe(asTheAdaptersDo(c, r));
      }),
      { numRuns: 500 },
    );
  });
});
