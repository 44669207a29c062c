import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '@gatehouse/core';
import type { QueryPlan } from '@gatehouse/core';
import { boolean, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';

import { accessibleWhere } from '../src/index.js';

const documents = pgTable('documents', {
  id: text('id').primaryKey(),
  isPublic: boolean('is_public'),
  amount: integer('amount'),
  status: text('status'),
  tags: text('tags').array(),
});
const mapping = { id: documents.id, fields: { public: documents.isPublic, amount: documents.amount, status: documents.status, tags: documents.tags } };
const dialect = new PgDialect();
const render = (s: SQL): { sql: string; params: unknown[] } => dialect.sqlToQuery(s);

describe('accessibleWhere (Drizzle)', () => {
  it('is true for always and false for never', () => {
    expect(render(accessibleWhere({ kind: 'always' }, mapping)).sql).toBe('true');
    expect(render(accessibleWhere({ kind: 'never' }, mapping)).sql).toBe('false');
  });

  it('binds an id set as ONE array parameter on PostgreSQL', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `d${String(i)}`);
    const q = render(accessibleWhere({ kind: 'conditional', condition: { field: 'id', in: ids } }, mapping));
    expect(q.sql).toBe('"documents"."id" = any($1)');
    expect(q.params).toEqual([ids]);
  });

  it('pushes not down to the comparisons and reads NULL as the zero value', () => {
    const plan: QueryPlan = { kind: 'conditional', condition: { not: { or: [{ field: 'public', eq: true }, { field: 'amount', lt: 10 }] } } };
    const q = render(accessibleWhere(plan, mapping));
    // not(public) holds for NULL (false); not(amount < 10) is amount >= 10, which NULL (0) fails.
    expect(q.sql).toBe('(("documents"."is_public" <> $1 or "documents"."is_public" is null) and "documents"."amount" >= $2)');
    expect(q.params).toEqual([true, 10]);
  });

  it('never puts a value into the SQL text', () => {
    const hostile = "x'; drop table documents; --";
    const q = render(accessibleWhere({ kind: 'conditional', condition: { and: [{ field: 'status', eq: hostile }, { field: 'tags', contains: hostile }, { field: 'status', in: [hostile] }] } }, mapping));
    expect(q.sql).not.toContain('drop');
    expect(q.params).toEqual([hostile, hostile, [hostile]]);
  });

  it('refuses a plan naming an attribute the mapping does not map (never a wider filter)', () => {
    const plan: QueryPlan = { kind: 'conditional', condition: { or: [{ field: 'id', in: ['1'] }, { field: 'secret', eq: true }] } };
    expect(() => accessibleWhere(plan, { id: documents.id })).toThrow(InvalidRequestError);
    expect(() => accessibleWhere(plan, { id: documents.id })).toThrow(/"secret" unmapped/);
  });

  it('refuses a malformed plan', () => {
    const bad = [
      { kind: 'sometimes' },
      { kind: 'conditional' },
      { kind: 'conditional', condition: { field: 'status', like: '%' } },
      { kind: 'conditional', condition: { field: 'status; drop table x', eq: 'a' } },
      { kind: 'conditional', condition: { or: [] } },
      { kind: 'conditional', condition: { field: 'id', in: ['ok', 'not an id!'] } },
      { kind: 'conditional', condition: { field: 'amount', lt: 'ten' } },
    ];
    for (const plan of bad) expect(() => accessibleWhere(plan as unknown as QueryPlan, mapping)).toThrow(InvalidRequestError);
  });

  it('binds one parameter per value for other dialects (arrays: "list")', () => {
    const q = render(accessibleWhere({ kind: 'conditional', condition: { not: { field: 'id', in: ['a', 'b'] } } }, { ...mapping, arrays: 'list' }));
    expect(q.sql).toBe('"documents"."id" not in ($1, $2)');
  });
});
