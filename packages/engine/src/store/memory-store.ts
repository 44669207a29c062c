import { ConflictError, InvalidRequestError, NotFoundError, TENANT_PATTERN } from '@gatehouse/core';
import type { Attribute, AttributeValue, Tuple } from '@gatehouse/core';

import type {
  AttributeFilter,
  CommitResult,
  DataChange,
  LoadedRow,
  PageOptions,
  ReadOptions,
  SchemaRecord,
  Store,
  StoreChange,
  StoreListener,
  TenantRecord,
  TupleFilter,
  WriteSet,
} from './store.js';
import { HistoryGoneError } from './history-gone-error.js';
import { compareSnapTokens, parseSnapToken, tokenNumber } from './snap-token.js';
import { E_NODE, LIVE, NAME_LIMIT, NEXT_F, REL, REL_MASK, ROW, S_NODE, S_REL, TenantData } from './tenant-data.js';
import type { AttrVersion } from './tenant-data.js';

interface TenantEntry {
  readonly record: TenantRecord;
  data: TenantData;
  readonly schemas: SchemaRecord[];
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** The tenant that always exists. @defaultValue `'t1'` */
  readonly defaultTenant?: string;
}

interface CompiledFilter {
  readonly eType: number;
  readonly eIds: ReadonlySet<string> | undefined;
  readonly rel: number;
  readonly sType: number;
  readonly sIds: ReadonlySet<string> | undefined;
  readonly sRel: number;
}

const ANY = -1;
/** Rows one page of a relationship read scans at most (a filter that matches little ends the page early). */
const READ_SCAN_ROWS = 65_536;
const NONE = -2;

/**
 * The in-memory store: the system of record of an embedded engine, and the in-memory view every engine checks
 * against. Integer ids, typed-array columns, forward and reverse indexes, MVCC by commit token, so reads at an
 * older snap token see exactly what was committed up to it.
 *
 * @example
 * ```ts
 * const engine = await Engine.create({ schema, store: new MemoryStore() });
 * ```
 */
export class MemoryStore implements Store {
  /** The tenant that always exists. */
  public readonly defaultTenant: string;
  private seq = 0;
  private readonly names = new Map<string, number>([['', 0]]);
  private readonly nameList: string[] = [''];
  private readonly tenants = new Map<string, TenantEntry>();
  /** Schema and tenant events (data events are rebuilt from the rows' tokens). */
  private readonly events: StoreChange[] = [];
  private readonly listeners = new Set<StoreListener>();
  /** Changes after this token are all kept (compact() moves it). */
  private horizon = 0;

  public constructor(options: MemoryStoreOptions = {}) {
    this.defaultTenant = options.defaultTenant ?? 't1';
    this.tenants.set(this.defaultTenant, {
      record: { id: this.defaultTenant, name: this.defaultTenant, createdAt: new Date().toISOString() },
      data: new TenantData(),
      schemas: [],
    });
  }

  /** The {@link Store.memoryView} capability: the memory store is its own in-memory view. */
  public get memoryView(): this {
    return this;
  }

  // ---- names and the synchronous view API (used by the evaluator) ----

  /** The id of a name, interning it. @internal */
  public nameId(name: string): number {
    let id = this.names.get(name);
    if (id === undefined) {
      id = this.nameList.length;
      if (id >= NAME_LIMIT) throw new InvalidRequestError(`too many distinct names (limit ${String(NAME_LIMIT)})`);
      this.names.set(name, id);
      this.nameList.push(name);
    }
    return id;
  }

  /** The id of a name, or -1 when it was never interned. @internal */
  public findName(name: string): number {
    return this.names.get(name) ?? -1;
  }

  /** The name of an id. @internal */
  public nameOf(id: number): string {
    return this.nameList[id] ?? '';
  }

  /** The in-memory data of a tenant. @internal */
  public tenantData(tenant: string): TenantData | undefined {
    return this.tenants.get(tenant)?.data;
  }

  /** The newest token as a number. @internal */
  public get head(): number {
    return this.seq;
  }

  /** Whether a tenant exists (synchronous). @internal */
  public hasTenant(tenant: string): boolean {
    return this.tenants.has(tenant);
  }

  /** A tenant's own schemas, oldest first (synchronous). @internal */
  public schemasOf(tenant: string): readonly SchemaRecord[] {
    return this.tenants.get(tenant)?.schemas ?? [];
  }

  /** Live tuples of the whole store (all tenants). @internal */
  public get liveTupleCount(): number {
    let n = 0;
    for (const t of this.tenants.values()) n += t.data.liveRows;
    return n;
  }

  // ---- Store ----

  public open(): Promise<void> {
    return Promise.resolve();
  }

  public headSnapToken(): Promise<string> {
    return Promise.resolve(String(this.seq));
  }

  public createTenant(id: string, name: string): Promise<{ tenant: TenantRecord; snapToken: string }> {
    return attempt(() => {
      if (this.tenants.has(id)) throw new ConflictError(`tenant ${JSON.stringify(id)} already exists`, { tenant: id });
      const token = ++this.seq;
      const record: TenantRecord = { id, name, createdAt: new Date().toISOString() };
      this.apply({ kind: 'tenant', tenant: id, snapToken: String(token), operation: 'create', record });
      return { tenant: record, snapToken: String(token) };
    });
  }

  public deleteTenant(id: string): Promise<{ snapToken: string }> {
    return attempt(() => {
      this.entry(id);
      const token = ++this.seq;
      this.apply({ kind: 'tenant', tenant: id, snapToken: String(token), operation: 'delete' });
      return { snapToken: String(token) };
    });
  }

  public getTenant(id: string): Promise<TenantRecord | undefined> {
    return Promise.resolve(this.tenants.get(id)?.record);
  }

  public listTenants(options: PageOptions = {}): Promise<{ tenants: TenantRecord[]; continuousToken: string }> {
    return attempt(() => {
      const all = [...this.tenants.values()].map((t) => t.record).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const after = tenantToken(options.continuousToken);
      const start = after === undefined ? 0 : all.findIndex((t) => t.id > after);
      const from = start === -1 ? all.length : start;
      const size = pageSize(options.pageSize);
      const tenants = all.slice(from, from + size);
      const more = from + size < all.length;
      return { tenants, continuousToken: more ? (tenants.at(-1)?.id ?? '') : '' };
    });
  }

  public writeSchema(tenant: string, source: string): Promise<{ schema: SchemaRecord; snapToken: string }> {
    return attempt(() => {
      this.entry(tenant);
      const token = ++this.seq;
      const schema: SchemaRecord = { tenant, version: String(token), source, createdAt: new Date().toISOString() };
      this.apply({ kind: 'schema', tenant, snapToken: String(token), schema });
      return { schema, snapToken: String(token) };
    });
  }

  public readSchema(tenant: string, version?: string): Promise<SchemaRecord | undefined> {
    return attempt(() => {
      const schemas = this.entry(tenant).schemas;
      return version === undefined || version === '' ? schemas.at(-1) : schemas.find((s) => s.version === version);
    });
  }

  public listSchemas(
    tenant: string,
    options: PageOptions = {},
  ): Promise<{ head: string; schemas: { version: string; createdAt: string }[]; continuousToken: string }> {
    return attempt(() => {
      const all = [...this.entry(tenant).schemas].reverse();
      const from = offsetToken(options.continuousToken);
      const size = pageSize(options.pageSize);
      const schemas = all.slice(from, from + size).map((s) => ({ version: s.version, createdAt: s.createdAt }));
      return {
        head: all[0]?.version ?? '',
        schemas,
        continuousToken: from + size < all.length ? String(from + size) : '',
      };
    });
  }

  public commit(write: WriteSet): Promise<CommitResult> {
    return attempt(() => this.commitSync(write));
  }

  /** {@link MemoryStore.commit}, synchronously. @internal */
  public commitSync(write: WriteSet): CommitResult {
    const entry = this.entry(write.tenant);
    const data = entry.data;
    const token = this.seq + 1;
    const changes: DataChange[] = [];
    for (const t of write.deleteTuples ?? []) {
      const r = this.findTupleRow(data, t);
      if (r !== -1) {
        data.expireRow(r, token);
        changes.push({ operation: 'delete', tuple: this.tupleOf(data, r) });
      }
    }
    if (write.tupleFilter !== undefined && !isEmptyTupleFilter(write.tupleFilter)) {
      for (const r of this.matchRows(data, this.compileTupleFilter(write.tupleFilter), token - 1)) {
        if (data.mvcc[r * 2 + 1] !== LIVE) continue;
        data.expireRow(r, token);
        changes.push({ operation: 'delete', tuple: this.tupleOf(data, r) });
      }
    }
    if (write.attributeFilter !== undefined && !isEmptyAttributeFilter(write.attributeFilter)) {
      for (const [key, v] of this.matchAttrs(data, write.attributeFilter, token - 1)) {
        v.expired = token;
        changes.push({ operation: 'delete', attribute: this.attributeOf(data, key, v.value, v.valueType) });
      }
    }
    for (const t of write.createTuples ?? []) {
      const e = data.internNode(this.nameId(t.entity.type), t.entity.id);
      const rel = this.nameId(t.relation);
      const s = data.internNode(this.nameId(t.subject.type), t.subject.id);
      const sRel = this.nameId(t.subject.relation ?? '');
      if (data.addTuple(e, rel, s, sRel, token)) changes.push({ operation: 'create', tuple: t });
    }
    for (const a of write.writeAttributes ?? []) {
      const node = data.internNode(this.nameId(a.entity.type), a.entity.id);
      const attr = this.nameId(a.attribute);
      const old = data.setAttr(node, attr, a.value, a.valueType ?? inferType(a.value), token);
      if (old !== undefined) {
        changes.push({ operation: 'delete', attribute: this.attributeOf(data, node * NAME_LIMIT + attr, old.value, old.valueType) });
      }
      changes.push({ operation: 'create', attribute: { ...a, valueType: a.valueType ?? inferType(a.value) } });
    }
    this.seq = token;
    const result: CommitResult = { snapToken: String(token), changes };
    this.emit({ kind: 'data', tenant: write.tenant, snapToken: result.snapToken, changes }, token - 1);
    return result;
  }

  public readTuples(
    tenant: string,
    filter: TupleFilter,
    options: ReadOptions = {},
  ): Promise<{ tuples: Tuple[]; continuousToken: string }> {
    return attempt(() => {
      const data = this.entry(tenant).data;
      const at = this.tokenOrHead(options.snapToken);
      const from = offsetToken(options.continuousToken);
      const size = pageSize(options.pageSize);
      const tuples: Tuple[] = [];
      let next = '';
      // One more than the page says whether another page follows; the scan starts at the page's first row and
      // reads at most READ_SCAN_ROWS rows: a filter that matches little ends the page early, with a token.
      const { rows, stoppedAt } = this.matchRowsFrom(data, this.compileTupleFilter(filter), at, from, size + 1, READ_SCAN_ROWS);
      for (const r of rows) {
        if (tuples.length === size) {
          next = String(r);
          break;
        }
        tuples.push(this.tupleOf(data, r));
      }
      if (next === '' && stoppedAt !== undefined) next = String(stoppedAt);
      return { tuples, continuousToken: next };
    });
  }

  public readAttributes(
    tenant: string,
    filter: AttributeFilter,
    options: ReadOptions = {},
  ): Promise<{ attributes: Attribute[]; continuousToken: string }> {
    return attempt(() => {
      const data = this.entry(tenant).data;
      const at = this.tokenOrHead(options.snapToken);
      const all = this.matchAttrs(data, filter, at)
        .map(([key, v]) => ({ sort: `${this.nodeKey(data, Math.floor(key / NAME_LIMIT))}$${this.nameOf(key % NAME_LIMIT)}`, key, v }))
        .sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
      const from = offsetToken(options.continuousToken);
      const size = pageSize(options.pageSize);
      const attributes = all.slice(from, from + size).map((x) => this.attributeOf(data, x.key, x.v.value, x.v.valueType));
      return { attributes, continuousToken: from + size < all.length ? String(from + size) : '' };
    });
  }

  public async *loadTenant(tenant: string, options: { snapToken?: string } = {}): AsyncIterable<LoadedRow> {
    const data = this.entry(tenant).data;
    const at = this.tokenOrHead(options.snapToken);
    const rows: LoadedRow[] = [];
    for (let r = 0; r < data.rowCount; r++) {
      if (visible(data, r, at)) rows.push({ kind: 'tuple', tuple: this.tupleOf(data, r), createdToken: String(data.mvcc[r * 2]) });
    }
    for (const [key, v] of this.matchAttrs(data, {}, at)) {
      rows.push({ kind: 'attribute', attribute: this.attributeOf(data, key, v.value, v.valueType), createdToken: String(v.created) });
    }
    yield* rows;
    await Promise.resolve();
  }

  public changesSince(snapToken: string, options: { tenant?: string; limit?: number } = {}): Promise<StoreChange[]> {
    return attempt(() => {
      const after = this.tokenOrHead(snapToken);
      if (after < this.horizon) {
        throw new HistoryGoneError(snapToken, String(this.horizon), options.tenant === undefined ? {} : { tenant: options.tenant });
      }
      const byToken = new Map<number, { tenant: string; changes: DataChange[] }>();
      const add = (token: number, tenant: string, change: DataChange): void => {
        let group = byToken.get(token);
        if (group === undefined) {
          group = { tenant, changes: [] };
          byToken.set(token, group);
        }
        group.changes.push(change);
      };
      for (const [tenant, entry] of this.tenants) {
        if (options.tenant !== undefined && options.tenant !== tenant) continue;
        const data = entry.data;
        for (let r = 0; r < data.rowCount; r++) {
          const c = data.mvcc[r * 2] ?? 0;
          const x = data.mvcc[r * 2 + 1] ?? LIVE;
          if (x !== LIVE && x > after) add(x, tenant, { operation: 'delete', tuple: this.tupleOf(data, r) });
          if (c > after) add(c, tenant, { operation: 'create', tuple: this.tupleOf(data, r) });
        }
        for (const [key, head] of data.attrs) {
          for (let v: typeof head | undefined = head; v !== undefined; v = v.prev) {
            if (v.expired !== LIVE && v.expired > after) add(v.expired, tenant, { operation: 'delete', attribute: this.attributeOf(data, key, v.value, v.valueType) });
            if (v.created > after) add(v.created, tenant, { operation: 'create', attribute: this.attributeOf(data, key, v.value, v.valueType) });
          }
        }
      }
      const out: StoreChange[] = [];
      for (const [token, group] of byToken) {
        // Within one commit, deletes come before creates (the order commit applies them in).
        group.changes.sort((a, b) => (a.operation === b.operation ? 0 : a.operation === 'delete' ? -1 : 1));
        out.push({ kind: 'data', tenant: group.tenant, snapToken: String(token), changes: group.changes });
      }
      for (const e of this.events) {
        if (tokenNumber(e.snapToken) > after && (options.tenant === undefined || options.tenant === e.tenant)) out.push(e);
      }
      out.sort((a, b) => compareSnapTokens(a.snapToken, b.snapToken));
      return options.limit === undefined ? out : out.slice(0, options.limit);
    });
  }

  public subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  public close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }

  /**
   * Drops history: tuple rows and attribute values expired at or before `keepAfter` (the head when absent) are
   * removed, so deletes and overwrites stop costing memory. Reads at tokens from `keepAfter` on stay exact; reads
   * at older tokens no longer see what was deleted since (as after Permify's garbage collection), and
   * `changesSince` an older token rejects with {@link HistoryGoneError}.
   * @returns the number of tuple rows and attribute values removed.
   */
  public compact(keepAfter?: string): { removed: number } {
    const after = this.tokenOrHead(keepAfter);
    if (after > this.horizon) this.horizon = after;
    let removed = 0;
    for (const entry of this.tenants.values()) {
      const old = entry.data;
      let expired = 0;
      for (let r = 0; r < old.rowCount; r++) if ((old.mvcc[r * 2 + 1] ?? LIVE) <= after) expired++;
      let staleValues = 0;
      for (const head of old.attrs.values()) for (let v = head.prev; v !== undefined; v = v.prev) if (v.expired <= after) staleValues++;
      if (expired === 0 && staleValues === 0 && [...old.attrs.values()].every((v) => v.expired > after)) continue;
      const next = new TenantData();
      const node = (n: number): number => next.internNode(old.typeOf(n), old.nodeIds[n] ?? '');
      for (let r = 0; r < old.rowCount; r++) {
        const x = old.mvcc[r * 2 + 1] ?? LIVE;
        if (x <= after) {
          removed++;
          continue;
        }
        const o = r * ROW;
        next.copyRow(node(old.rows[o + E_NODE] ?? 0), old.rows[o + REL] ?? 0, node(old.rows[o + S_NODE] ?? 0), (old.rows[o + S_REL] ?? 0) & REL_MASK, old.mvcc[r * 2] ?? 0, x);
      }
      for (const [key, head] of old.attrs) {
        const kept: AttrVersion[] = [];
        for (let v: AttrVersion | undefined = head; v !== undefined; v = v.prev) {
          if (v.expired > after) kept.push(v);
          else removed++;
        }
        let prev: AttrVersion | undefined;
        for (const v of kept.reverse()) prev = { value: v.value, valueType: v.valueType, created: v.created, expired: v.expired, prev };
        if (prev !== undefined) next.attrs.set(node(Math.floor(key / NAME_LIMIT)) * NAME_LIMIT + (key % NAME_LIMIT), prev);
      }
      entry.data = next;
    }
    return { removed };
  }

  // ---- mirroring a durable store ----

  /**
   * Applies a change committed elsewhere (a durable store), with that commit's token. Changes must arrive in
   * commit order; the view's head becomes the change's token. @internal
   */
  public apply(change: StoreChange): void {
    if (change.kind === 'reset') return;
    const token = tokenNumber(change.snapToken);
    const previous = Math.min(this.seq, token - 1);
    switch (change.kind) {
      case 'tenant':
        if (change.operation === 'create') {
          if (!this.tenants.has(change.tenant)) {
            this.tenants.set(change.tenant, {
              record: change.record ?? { id: change.tenant, name: change.tenant, createdAt: new Date().toISOString() },
              data: new TenantData(),
              schemas: [],
            });
          }
        } else {
          this.tenants.delete(change.tenant);
          // A deleted tenant's history goes with it.
          for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]?.tenant === change.tenant) this.events.splice(i, 1);
        }
        this.events.push(change);
        break;
      case 'schema':
        this.entry(change.tenant).schemas.push(change.schema);
        this.events.push(change);
        break;
      case 'data': {
        const data = this.entry(change.tenant).data;
        for (const c of change.changes) {
          if (c.tuple !== undefined) {
            if (c.operation === 'create') {
              this.addTupleTo(data, c.tuple, token);
            } else {
              const r = this.findTupleRow(data, c.tuple);
              if (r !== -1) data.expireRow(r, token);
            }
          } else if (c.attribute !== undefined) {
            const a = c.attribute;
            if (c.operation === 'create') this.setAttrOf(data, a, token);
            else {
              const v = data.attrAt(data.internNode(this.nameId(a.entity.type), a.entity.id), this.nameId(a.attribute), LIVE);
              if (v !== undefined) v.expired = token;
            }
          }
        }
        break;
      }
    }
    if (token > this.seq) this.seq = token;
    this.emit(change, previous);
  }

  /** Loads one row of a durable store into this view (start-up). @internal */
  public loadRow(tenant: string, row: LoadedRow): void {
    const data = this.entry(tenant).data;
    const token = tokenNumber(row.createdToken);
    if (row.kind === 'tuple') this.addTupleTo(data, row.tuple, token);
    else this.setAttrOf(data, row.attribute, token);
    if (token > this.seq) this.seq = token;
  }

  /** Adds a tuple created at `token` (a write applied to the view, or a row loaded at start-up). */
  private addTupleTo(data: TenantData, t: Tuple, token: number): void {
    data.addTuple(
      data.internNode(this.nameId(t.entity.type), t.entity.id),
      this.nameId(t.relation),
      data.internNode(this.nameId(t.subject.type), t.subject.id),
      this.nameId(t.subject.relation ?? ''),
      token,
    );
  }

  /** Sets an attribute value created at `token`. */
  private setAttrOf(data: TenantData, a: Attribute, token: number): void {
    data.setAttr(data.internNode(this.nameId(a.entity.type), a.entity.id), this.nameId(a.attribute), a.value, a.valueType ?? inferType(a.value), token);
  }

  /** Moves the head forward to a token loaded from elsewhere. @internal */
  public advanceTo(token: number): void {
    if (token > this.seq) this.seq = token;
    // A view loaded at `token` holds no history before it.
    if (token > this.horizon) this.horizon = token;
  }

  /** The oldest snap token reads are exact at: history before it was compacted away or never loaded. */
  public get oldestReadable(): number {
    return this.horizon;
  }

  // ---- helpers ----

  private emit(change: StoreChange, previous: number): void {
    const prev = String(previous);
    for (const l of [...this.listeners]) l(change, prev);
  }

  private entry(tenant: string): TenantEntry {
    const e = this.tenants.get(tenant);
    if (e === undefined) throw new NotFoundError(`tenant ${JSON.stringify(tenant)} does not exist`, { tenant });
    return e;
  }

  private tokenOrHead(token: string | undefined): number {
    return parseSnapToken(token) ?? this.seq;
  }

  private nodeKey(data: TenantData, node: number): string {
    return `${this.nameOf(data.typeOf(node))}:${data.nodeIds[node] ?? ''}`;
  }

  private findTupleRow(data: TenantData, t: Tuple): number {
    const et = this.findName(t.entity.type);
    const rel = this.findName(t.relation);
    const st = this.findName(t.subject.type);
    const sRel = this.findName(t.subject.relation ?? '');
    if (et < 0 || rel < 0 || st < 0 || sRel < 0) return -1;
    const e = data.nodeOf(et, t.entity.id);
    const s = data.nodeOf(st, t.subject.id);
    if (e < 0 || s < 0) return -1;
    return data.findLive(e, rel, s, sRel);
  }

  private tupleOf(data: TenantData, r: number): Tuple {
    const e = data.rows[r * ROW + E_NODE] ?? 0;
    const s = data.rows[r * ROW + S_NODE] ?? 0;
    const sRel = (data.rows[r * ROW + S_REL] ?? 0) & REL_MASK;
    const subject = { type: this.nameOf(data.typeOf(s)), id: data.nodeIds[s] ?? '' };
    return {
      entity: { type: this.nameOf(data.typeOf(e)), id: data.nodeIds[e] ?? '' },
      relation: this.nameOf(data.rows[r * ROW + REL] ?? 0),
      subject: sRel === 0 ? subject : { ...subject, relation: this.nameOf(sRel) },
    };
  }

  private attributeOf(data: TenantData, key: number, value: AttributeValue, valueType: string): Attribute {
    const node = Math.floor(key / NAME_LIMIT);
    return {
      entity: { type: this.nameOf(data.typeOf(node)), id: data.nodeIds[node] ?? '' },
      attribute: this.nameOf(key % NAME_LIMIT),
      value,
      valueType,
    };
  }

  private compileTupleFilter(f: TupleFilter): CompiledFilter {
    const name = (n: string | undefined): number => (n === undefined || n === '' ? ANY : this.findName(n) < 0 ? NONE : this.findName(n));
    const ids = (list: readonly string[] | undefined): ReadonlySet<string> | undefined =>
      list === undefined || list.length === 0 ? undefined : new Set(list);
    return {
      eType: name(f.entity?.type),
      eIds: ids(f.entity?.ids),
      rel: name(f.relation),
      sType: name(f.subject?.type),
      sIds: ids(f.subject?.ids),
      sRel: name(f.subject?.relation),
    };
  }

  /** Rows visible at `at` matching the filter, ascending. */
  /**
   * {@link MemoryStore.matchRows} that reads at most `scanLimit` rows on the full scan; `stoppedAt` is the row it
   * would read next when it stopped there (more rows may match from it on).
   */
  private matchRowsFrom(data: TenantData, f: CompiledFilter, at: number, from: number, limit: number, scanLimit: number): { rows: number[]; stoppedAt: number | undefined } {
    const indexed = f.eType !== ANY && f.eIds !== undefined && f.rel !== ANY;
    const end = indexed ? data.rowCount : Math.min(data.rowCount, from + scanLimit);
    const rows = indexed ? this.matchRows(data, f, at, from, limit) : this.matchRows(data, f, at, from, limit, end);
    const stoppedAt = !indexed && rows.length < limit && end < data.rowCount ? end : undefined;
    return { rows, stoppedAt };
  }

  /** Rows matching `f` at `at`, in row order, from row `from` on (to row `end` on a full scan), at most `limit`. */
  private matchRows(data: TenantData, f: CompiledFilter, at: number, from = 0, limit = Infinity, end = data.rowCount): number[] {
    const out: number[] = [];
    if (f.eType === NONE || f.rel === NONE || f.sType === NONE || f.sRel === NONE) return out;
    const test = (r: number): boolean => {
      if (!visible(data, r, at)) return false;
      const e = data.rows[r * ROW + E_NODE] ?? 0;
      const s = data.rows[r * ROW + S_NODE] ?? 0;
      if (f.rel !== ANY && data.rows[r * ROW + REL] !== f.rel) return false;
      if (f.eType !== ANY && data.typeOf(e) !== f.eType) return false;
      if (f.eIds !== undefined && !f.eIds.has(data.nodeIds[e] ?? '')) return false;
      if (f.sType !== ANY && data.typeOf(s) !== f.sType) return false;
      if (f.sIds !== undefined && !f.sIds.has(data.nodeIds[s] ?? '')) return false;
      return !(f.sRel !== ANY && ((data.rows[r * ROW + S_REL] ?? 0) & REL_MASK) !== f.sRel);
    };
    if (f.eType !== ANY && f.eIds !== undefined && f.rel !== ANY) {
      for (const id of f.eIds) {
        const e = data.nodeOf(f.eType, id);
        if (e < 0) continue;
        for (let r = data.fwd.get(e * NAME_LIMIT + f.rel); r !== -1; r = data.rows[r * ROW + NEXT_F] ?? -1) if (r >= from && test(r)) out.push(r);
      }
      return out.sort((a, b) => a - b).slice(0, limit);
    }
    for (let r = from; r < end && out.length < limit; r++) if (test(r)) out.push(r);
    return out;
  }

  private matchAttrs(data: TenantData, f: AttributeFilter, at: number): [number, { value: AttributeValue; valueType: string; expired: number; created: number }][] {
    const out: [number, { value: AttributeValue; valueType: string; expired: number; created: number }][] = [];
    const type = f.entity?.type ? this.findName(f.entity.type) : ANY;
    if (f.entity?.type && type < 0) return out;
    const ids = f.entity?.ids && f.entity.ids.length > 0 ? new Set(f.entity.ids) : undefined;
    const names = f.attributes && f.attributes.length > 0 ? new Set(f.attributes) : undefined;
    for (const key of data.attrs.keys()) {
      const node = Math.floor(key / NAME_LIMIT);
      if (type !== ANY && data.typeOf(node) !== type) continue;
      if (ids !== undefined && !ids.has(data.nodeIds[node] ?? '')) continue;
      if (names !== undefined && !names.has(this.nameOf(key % NAME_LIMIT))) continue;
      const v = data.attrAt(node, key % NAME_LIMIT, at);
      if (v !== undefined) out.push([key, v]);
    }
    return out;
  }
}

function visible(data: TenantData, r: number, at: number): boolean {
  return data.visible(r, at);
}

/** True when no field of the filter is set (Permify: an empty filter deletes nothing). */
export function isEmptyTupleFilter(f: TupleFilter): boolean {
  return !f.entity?.type && !f.entity?.ids?.length && !f.relation && !f.subject?.type && !f.subject?.ids?.length && !f.subject?.relation;
}

/** True when no field of the filter is set. */
export function isEmptyAttributeFilter(f: AttributeFilter): boolean {
  return !f.entity?.type && !f.entity?.ids?.length && !f.attributes?.length;
}

/** The schema type name of a value (`boolean`, `integer`, `double`, `string`, or an array of one). */
export function inferType(v: AttributeValue): string {
  const first: unknown = Array.isArray(v) ? v[0] : v;
  const base =
    typeof first === 'boolean' ? 'boolean' : typeof first === 'string' ? 'string' : Number.isInteger(first) ? 'integer' : 'double';
  return Array.isArray(v) ? `${base}[]` : base;
}

/**
 * The position a page of a read or a schema list resumes at, from the continuous token of the previous page.
 * @throws {@link InvalidRequestError} for a token this store did not issue (not a decimal position).
 */
function offsetToken(token: unknown): number {
  if (token === undefined || token === '') return 0;
  if (typeof token !== 'string' || !/^\d{1,16}$/.test(token)) {
    throw InvalidRequestError.badValue('continuousToken', token, 'the continuousToken of the previous page of the same read (a decimal position), or "" for the first page');
  }
  return Number(token);
}

/**
 * The last tenant id of the previous page of a tenant list.
 * @throws {@link InvalidRequestError} for a token that is not a tenant id.
 */
function tenantToken(token: unknown): string | undefined {
  if (token === undefined || token === '') return undefined;
  if (typeof token !== 'string' || !TENANT_PATTERN.test(token)) {
    throw InvalidRequestError.badValue('continuousToken', token, 'the continuousToken of the previous page of the tenant list (a tenant id), or "" for the first page');
  }
  return token;
}

function pageSize(n: number | undefined): number {
  if (n === undefined || n === 0) return 1000;
  if (!Number.isInteger(n) || n < 1) throw InvalidRequestError.badValue('pageSize', n, 'a positive integer');
  return n;
}

function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
