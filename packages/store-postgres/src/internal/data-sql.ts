import type { Attribute, Tuple } from '@gatehouse/core';
import type { DataChange, LoadedRow, SchemaRecord, StoreChange, TenantRecord, WriteSet } from '@gatehouse/engine';
import type { PoolClient, QueryArrayResult } from 'pg';

import { LIVE } from './migrations.js';
import {
  ATTRIBUTE_COLUMNS,
  TUPLE_COLUMNS,
  attributeFilterSql,
  attributeOf,
  inferType,
  isEmptyAttributeFilter,
  isEmptyTupleFilter,
  tupleFilterSql,
  tupleKey,
  tupleOf,
} from './rows.js';
import type { AttributeRow, TupleRow } from './rows.js';
import { catalogQuery, tenantQuery } from './tenant-sql.js';
import type { Queryable } from './tenant-sql.js';

const byId = (a: { id: string }, b: { id: string }): number => Number(BigInt(a.id) - BigInt(b.id));

function columns(tuples: readonly Tuple[]): string[][] {
  const cols: string[][] = [[], [], [], [], [], []];
  for (const t of tuples) {
    cols[0]?.push(t.entity.type);
    cols[1]?.push(t.entity.id);
    cols[2]?.push(t.relation);
    cols[3]?.push(t.subject.type);
    cols[4]?.push(t.subject.id);
    cols[5]?.push(t.subject.relation ?? '');
  }
  return cols;
}

/**
 * Applies a write set inside a write transaction, in MemoryStore's order: tuple deletes (explicit, then
 * by filter), attribute deletes by filter, tuple creates, attribute writes (each an expire of the live
 * value and an insert). Returns the row changes in that order. @internal
 */
export async function applyWriteSet(client: PoolClient, token: string, write: WriteSet): Promise<DataChange[]> {
  const tenant = write.tenant;
  const changes: DataChange[] = [];
  if (write.deleteTuples !== undefined && write.deleteTuples.length > 0) {
    const res = await tenantQuery<TupleRow>(
      client,
      tenant,
      `UPDATE relation_tuples r SET expired_tx_id = $2
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
              AS d(et, ei, rel, st, si, sr)
        WHERE r.tenant_id = $1 AND r.expired_tx_id = ${LIVE} AND r.entity_type = d.et AND r.entity_id = d.ei
          AND r.relation = d.rel AND r.subject_type = d.st AND r.subject_id = d.si AND r.subject_relation = d.sr
        RETURNING ${prefixed('r', TUPLE_COLUMNS)}`,
      [token, ...columns(write.deleteTuples)],
    );
    const byKey = new Map(res.rows.map((r) => [tupleKey(tupleOf(r)), r]));
    for (const t of write.deleteTuples) {
      const row = byKey.get(tupleKey(t));
      if (row === undefined) continue;
      byKey.delete(tupleKey(t));
      changes.push({ operation: 'delete', tuple: tupleOf(row) });
    }
  }
  if (write.tupleFilter !== undefined && !isEmptyTupleFilter(write.tupleFilter)) {
    const f = tupleFilterSql(write.tupleFilter, 3);
    const res = await tenantQuery<TupleRow>(
      client,
      tenant,
      `UPDATE relation_tuples SET expired_tx_id = $2
        WHERE tenant_id = $1 AND expired_tx_id = ${LIVE}${f.sql} RETURNING ${TUPLE_COLUMNS}`,
      [token, ...f.values],
    );
    for (const r of res.rows.sort(byId)) changes.push({ operation: 'delete', tuple: tupleOf(r) });
  }
  if (write.attributeFilter !== undefined && !isEmptyAttributeFilter(write.attributeFilter)) {
    const f = attributeFilterSql(write.attributeFilter, 3);
    const res = await tenantQuery<AttributeRow>(
      client,
      tenant,
      `UPDATE attributes SET expired_tx_id = $2
        WHERE tenant_id = $1 AND expired_tx_id = ${LIVE}${f.sql} RETURNING ${ATTRIBUTE_COLUMNS}`,
      [token, ...f.values],
    );
    for (const r of res.rows.sort(byId)) changes.push({ operation: 'delete', attribute: attributeOf(r) });
  }
  if (write.createTuples !== undefined && write.createTuples.length > 0) {
    const unique = new Map<string, Tuple>();
    for (const t of write.createTuples) if (!unique.has(tupleKey(t))) unique.set(tupleKey(t), t);
    const res = await tenantQuery<TupleRow>(
      client,
      tenant,
      `INSERT INTO relation_tuples (tenant_id, created_tx_id, entity_type, entity_id, relation, subject_type,
              subject_id, subject_relation)
       SELECT $1::text, $2::bigint, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       ON CONFLICT DO NOTHING RETURNING ${TUPLE_COLUMNS}`,
      [token, ...columns([...unique.values()])],
    );
    const created = new Set(res.rows.map((r) => tupleKey(tupleOf(r))));
    for (const [key, t] of unique) if (created.has(key)) changes.push({ operation: 'create', tuple: t });
  }
  if (write.writeAttributes !== undefined && write.writeAttributes.length > 0) {
    changes.push(...(await writeAttributes(client, tenant, token, write.writeAttributes)));
  }
  return changes;
}

async function writeAttributes(
  client: PoolClient,
  tenant: string,
  token: string,
  input: readonly Attribute[],
): Promise<DataChange[]> {
  // One version per (entity, attribute) and commit: the last write of a key in the set wins.
  const last = new Map<string, Attribute>();
  const key = (a: { entity: { type: string; id: string }; attribute: string }): string =>
    JSON.stringify([a.entity.type, a.entity.id, a.attribute]);
  for (const a of input) {
    last.delete(key(a));
    last.set(key(a), { ...a, valueType: a.valueType ?? inferType(a.value) });
  }
  const list = [...last.values()];
  const types = list.map((a) => a.entity.type);
  const ids = list.map((a) => a.entity.id);
  const names = list.map((a) => a.attribute);
  const old = await tenantQuery<AttributeRow>(
    client,
    tenant,
    `UPDATE attributes a SET expired_tx_id = $2
       FROM unnest($3::text[], $4::text[], $5::text[]) AS d(et, ei, an)
      WHERE a.tenant_id = $1 AND a.expired_tx_id = ${LIVE} AND a.entity_type = d.et AND a.entity_id = d.ei
        AND a.attribute = d.an
      RETURNING ${prefixed('a', ATTRIBUTE_COLUMNS)}`,
    [token, types, ids, names],
  );
  await tenantQuery(
    client,
    tenant,
    `INSERT INTO attributes (tenant_id, created_tx_id, entity_type, entity_id, attribute, value, value_type)
     SELECT $1::text, $2::bigint, et, ei, an, v::jsonb, vt FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS d(et, ei, an, v, vt)`,
    [token, types, ids, names, list.map((a) => JSON.stringify(a.value)), list.map((a) => a.valueType ?? '')],
  );
  const replaced = new Map(old.rows.map((r) => [key(attributeOf(r)), r]));
  const changes: DataChange[] = [];
  for (const a of list) {
    const prev = replaced.get(key(a));
    if (prev !== undefined) changes.push({ operation: 'delete', attribute: attributeOf(prev) });
    changes.push({ operation: 'create', attribute: a });
  }
  return changes;
}

function prefixed(alias: string, cols: string): string {
  return cols
    .split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');
}

/** Visibility at a token, or live rows at head. @internal */
export function visibleAt(token: string | undefined, param: number): { sql: string; values: unknown[] } {
  if (token === undefined) return { sql: ` AND expired_tx_id = ${LIVE}`, values: [] };
  return { sql: ` AND created_tx_id <= $${String(param)} AND expired_tx_id > $${String(param)}`, values: [token] };
}

/**
 * Streams the live rows of a tenant at a token through a server-side cursor, in batches, inside one
 * REPEATABLE READ transaction (the head token and the rows come from one snapshot). Rows come as arrays
 * of the few columns a view needs, and the next batch is fetched while the current one is consumed. @internal
 */
export async function* streamTenant(
  client: PoolClient,
  tenant: string,
  token: string | undefined,
  batch: number,
): AsyncGenerator<LoadedRow> {
  const at = token ?? (await catalogQuery<{ token: string }>(client, 'head')).rows[0]?.token ?? '0';
  await tenantQuery(
    client,
    tenant,
    `DECLARE gatehouse_load NO SCROLL CURSOR FOR
       SELECT entity_type, entity_id, relation, subject_type, subject_id, subject_relation, created_tx_id::text
         FROM relation_tuples
        WHERE tenant_id = $1 AND created_tx_id <= $2 AND expired_tx_id > $2 ORDER BY relation_tuples.id`,
    [at],
  );
  const fetchBatch = (): Promise<QueryArrayResult<string[]>> => {
    const p = client.query<string[]>({ text: `FETCH ${String(batch)} FROM gatehouse_load`, rowMode: 'array' });
    // If the consumer stops early, the prefetched batch is abandoned; its failure must not go unhandled.
    p.catch(() => undefined);
    return p;
  };
  let next = fetchBatch();
  for (;;) {
    const res = await next;
    const more = res.rows.length === batch;
    if (more) next = fetchBatch();
    for (const [et = '', ei = '', rel = '', st = '', si = '', sr = '', created = '0'] of res.rows) {
      const subject = sr === '' ? { type: st, id: si } : { type: st, id: si, relation: sr };
      yield { kind: 'tuple', tuple: { entity: { type: et, id: ei }, relation: rel, subject }, createdToken: created };
    }
    if (!more) break;
  }
  await client.query('CLOSE gatehouse_load');
  const attrs = await tenantQuery<AttributeRow>(
    client,
    tenant,
    `SELECT ${ATTRIBUTE_COLUMNS} FROM attributes
      WHERE tenant_id = $1 AND created_tx_id <= $2 AND expired_tx_id > $2 ORDER BY attributes.id`,
    [at],
  );
  for (const r of attrs.rows) yield { kind: 'attribute', attribute: attributeOf(r), createdToken: r.created_tx_id };
}

interface FeedRow {
  readonly token: string;
  readonly tenant_id: string;
  readonly kind: string;
}

/**
 * Every change after `after`, in commit order, read in one REPEATABLE READ snapshot by the caller. The
 * transaction list spans tenants (ids and tenant names only); every row read is per tenant. @internal
 */
export async function readChanges(
  db: Queryable,
  after: string,
  limit: number,
  tenant: string | undefined,
): Promise<StoreChange[]> {
  const feed =
    tenant === undefined
      ? await catalogQuery<FeedRow>(db, 'feed', [after, limit])
      : await tenantQuery<FeedRow>(
          db,
          tenant,
          'SELECT id::text AS token, tenant_id, kind FROM transactions WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
          [after, limit],
        );
  const byTenant = new Map<string, FeedRow[]>();
  for (const row of feed.rows) {
    const list = byTenant.get(row.tenant_id) ?? [];
    list.push(row);
    byTenant.set(row.tenant_id, list);
  }
  const out = new Map<string, StoreChange>();
  for (const [t, rows] of byTenant) {
    for (const change of await changesOfTenant(db, t, rows)) out.set(change.snapToken, change);
  }
  return feed.rows.flatMap((r) => {
    const c = out.get(r.token);
    return c === undefined ? [] : [c];
  });
}

async function changesOfTenant(db: Queryable, tenant: string, rows: FeedRow[]): Promise<StoreChange[]> {
  const tokens = (kind: string): string[] => rows.filter((r) => r.kind === kind).map((r) => r.token);
  const out: StoreChange[] = [];
  const data = tokens('data');
  if (data.length > 0) {
    const groups = new Map<string, { deletes: DataChange[]; creates: DataChange[] }>(
      data.map((t) => [t, { deletes: [], creates: [] }]),
    );
    const tq = async <R extends TupleRow | AttributeRow>(table: string, cols: string, column: string): Promise<R[]> =>
      (
        await tenantQuery<R>(
          db,
          tenant,
          `SELECT ${cols} FROM ${table} WHERE tenant_id = $1 AND ${column} = ANY($2::bigint[]) ORDER BY ${table}.id`,
          [data],
        )
      ).rows;
    for (const r of await tq<TupleRow>('relation_tuples', TUPLE_COLUMNS, 'expired_tx_id')) {
      groups.get(r.expired_tx_id)?.deletes.push({ operation: 'delete', tuple: tupleOf(r) });
    }
    for (const r of await tq<AttributeRow>('attributes', ATTRIBUTE_COLUMNS, 'expired_tx_id')) {
      groups.get(r.expired_tx_id)?.deletes.push({ operation: 'delete', attribute: attributeOf(r) });
    }
    for (const r of await tq<TupleRow>('relation_tuples', TUPLE_COLUMNS, 'created_tx_id')) {
      groups.get(r.created_tx_id)?.creates.push({ operation: 'create', tuple: tupleOf(r) });
    }
    for (const r of await tq<AttributeRow>('attributes', ATTRIBUTE_COLUMNS, 'created_tx_id')) {
      groups.get(r.created_tx_id)?.creates.push({ operation: 'create', attribute: attributeOf(r) });
    }
    for (const [snapToken, g] of groups) {
      out.push({ kind: 'data', tenant, snapToken, changes: [...g.deletes, ...g.creates] });
    }
  }
  const schema = tokens('schema');
  if (schema.length > 0) {
    const res = await tenantQuery<{ version: string; source: string; created_at: Date }>(
      db,
      tenant,
      'SELECT version::text, source, created_at FROM schema_definitions WHERE tenant_id = $1 AND version = ANY($2::bigint[])',
      [schema],
    );
    for (const r of res.rows) {
      const record: SchemaRecord = { tenant, version: r.version, source: r.source, createdAt: r.created_at.toISOString() };
      out.push({ kind: 'schema', tenant, snapToken: r.version, schema: record });
    }
  }
  const created = tokens('tenant_create');
  if (created.length > 0) {
    const res = await tenantQuery<{ id: string; name: string; created_at: Date; created_tx_id: string }>(
      db,
      tenant,
      'SELECT id, name, created_at, created_tx_id::text FROM tenants WHERE tenants.id = $1',
    );
    const row = res.rows[0];
    for (const snapToken of created) {
      const record: TenantRecord | undefined =
        row?.created_tx_id === snapToken ? { id: row.id, name: row.name, createdAt: row.created_at.toISOString() } : undefined;
      out.push({ kind: 'tenant', tenant, snapToken, operation: 'create', ...(record === undefined ? {} : { record }) });
    }
  }
  for (const snapToken of tokens('tenant_delete')) {
    out.push({ kind: 'tenant', tenant, snapToken, operation: 'delete' });
  }
  return out;
}
