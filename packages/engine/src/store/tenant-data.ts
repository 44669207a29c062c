import type { AttributeValue } from '@gatehouse/core';

import { IntMap } from './int-map.js';

/** Names (types, relations, attributes) are interned store-wide into ids below this bound. */
export const NAME_LIMIT = 65536;
/** The token of a row that has not been expired. */
export const LIVE = Number.POSITIVE_INFINITY;
/** Int32 slots per tuple row. */
export const ROW = 7;
export const E_NODE = 0;
export const S_NODE = 1;
export const REL = 2;
export const S_REL = 3;
export const NEXT_F = 4;
export const NEXT_R = 5;
/** Next row of the same entity (any relation): the chain of an entity with few tuples. */
export const NEXT_N = 6;
/** An entity with at most this many rows is read through its own chain (one cache line), not the forward index. */
export const SMALL_NODE = 16;
/** Set in a row's subject-relation slot once the row is expired: a check at the head skips it without MVCC reads. */
export const EXPIRED = 0x40000000;
/** Masks the subject relation out of its slot. */
export const REL_MASK = 0xffff;

/** One version of an attribute value; `prev` is the version it replaced. */
export interface AttrVersion {
  readonly value: AttributeValue;
  readonly valueType: string;
  readonly created: number;
  expired: number;
  readonly prev: AttrVersion | undefined;
}

/** The nodes of one type sorted by id, covering the nodes created before `upTo`. */
interface SortedIndex {
  readonly nodes: readonly number[];
  readonly upTo: number;
}

/**
 * The data of one tenant in memory. Entities and subjects are interned into *nodes* (`type:id` → int); tuples are
 * rows of typed-array columns with MVCC tokens (`created`, `expired`); two hash indexes chain the rows of one
 * `entity#relation` (forward) and of one `subject[#relation]` (reverse). Rows are never moved, so a read at an
 * older token walks the same chains and filters by token.
 * @internal
 */
export class TenantData {
  /**
   * `type:id` → node: open addressing over [hash, node] int pairs, verified against `nodeIds` (one cache miss for
   * the slot and one for the id, fewer than a `Map` with string keys at a million entries).
   */
  private idSlots = new Int32Array(2 * 64).fill(-1);
  private idMask = 63;
  /** Per node, side by side (one cache line): its type id, its newest row as entity (-1: none), its row count as entity. */
  public nodeInfo = new Int32Array(64 * 3);
  public readonly nodeIds: string[] = [];

  public rowCount = 0;
  public liveRows = 0;
  /**
   * Rows of {@link ROW} int32s: entity node, subject node, relation, subject relation, next row of the same
   * `entity#relation`, next row of the same subject (-1 ends a chain). One row is one cache line at most.
   */
  public rows = new Int32Array(64 * ROW);
  /** Per row: the token that created it and the token that expired it ({@link LIVE} while live). */
  public mvcc = new Float64Array(64 * 2);
  /** `eNode * NAME_LIMIT + rel` → newest row of that chain. */
  public readonly fwd = new IntMap();
  /** `sNode * NAME_LIMIT + sRel` → newest row of that chain. */
  public readonly rev = new IntMap();
  /** `node * NAME_LIMIT + attribute` → newest version. */
  public readonly attrs = new Map<number, AttrVersion>();
  /** Lookup paging's per-type id order ({@link TenantData.sortedNodesOfType}); built on first use. */
  private sortedByType: Map<number, SortedIndex> | undefined;

  /** The node of `type:id`, or -1. */
  public nodeOf(typeId: number, id: string): number {
    const h = hashId(typeId, id);
    const slots = this.idSlots;
    const mask = this.idMask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const node = slots[i * 2 + 1] ?? -1;
      if (node === -1) return -1;
      if (slots[i * 2] === h && this.nodeInfo[node * 3] === typeId && this.nodeIds[node] === id) return node;
    }
  }

  public internNode(typeId: number, id: string): number {
    let node = this.nodeOf(typeId, id);
    if (node === -1) {
      node = this.nodeIds.length;
      if ((node + 1) * 3 > this.nodeInfo.length) this.nodeInfo = growInt32(this.nodeInfo);
      this.nodeInfo[node * 3] = typeId;
      this.nodeInfo[node * 3 + 1] = -1;
      this.nodeInfo[node * 3 + 2] = 0;
      this.nodeIds.push(id);
      if ((node + 1) * 2 > this.idMask + 1) this.growIds();
      this.placeId(hashId(typeId, id), node);
    }
    return node;
  }

  /** Every node of a type (in creation order). */
  public *nodesOfType(typeId: number): IterableIterator<number> {
    const info = this.nodeInfo;
    for (let n = 0; n < this.nodeIds.length; n++) if (info[n * 3] === typeId) yield n;
  }

  /**
   * The nodes of a type sorted by id (UTF-16 code unit order, as lookups page), built on first use and extended
   * by merging the nodes created since (nodes are never removed), so a lookup page finds its place by binary
   * search instead of scanning the tenant.
   */
  public sortedNodesOfType(typeId: number): readonly number[] {
    const byType = (this.sortedByType ??= new Map<number, SortedIndex>());
    const index = byType.get(typeId);
    const total = this.nodeIds.length;
    if (index?.upTo === total) return index.nodes;
    const info = this.nodeInfo;
    const ids = this.nodeIds;
    const added: number[] = [];
    for (let n = index?.upTo ?? 0; n < total; n++) if (info[n * 3] === typeId) added.push(n);
    const byId = (a: number, b: number): number => {
      const x = ids[a] ?? '';
      const y = ids[b] ?? '';
      return x < y ? -1 : x > y ? 1 : 0;
    };
    added.sort(byId);
    let nodes = added;
    if (index !== undefined && index.nodes.length > 0 && added.length > 0) {
      const old = index.nodes;
      nodes = new Array<number>(old.length + added.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < old.length && j < added.length) nodes[k++] = byId(old[i] ?? 0, added[j] ?? 0) <= 0 ? (old[i++] ?? 0) : (added[j++] ?? 0);
      while (i < old.length) nodes[k++] = old[i++] ?? 0;
      while (j < added.length) nodes[k++] = added[j++] ?? 0;
    } else if (index !== undefined && added.length === 0) {
      nodes = index.nodes as number[];
    }
    byType.set(typeId, { nodes, upTo: total });
    return nodes;
  }

  /** The position in `sorted` (nodes sorted by id) of the first node whose id is greater than `after`. */
  public positionAfter(sorted: readonly number[], after: string): number {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.nodeIds[sorted[mid] ?? 0] ?? '') <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The type id of a node. */
  public typeOf(node: number): number {
    return this.nodeInfo[node * 3] ?? -1;
  }

  private placeId(h: number, node: number): void {
    const slots = this.idSlots;
    let i = h & this.idMask;
    while ((slots[i * 2 + 1] ?? -1) !== -1) i = (i + 1) & this.idMask;
    slots[i * 2] = h;
    slots[i * 2 + 1] = node;
  }

  private growIds(): void {
    const size = (this.idMask + 1) * 2;
    this.idSlots = new Int32Array(size * 2).fill(-1);
    this.idMask = size - 1;
    for (let n = 0; n < this.nodeIds.length - 1; n++) this.placeId(hashId(this.typeOf(n), this.nodeIds[n] ?? ''), n);
  }

  /** The newest row of `node#rel` (any token), or -1. */
  public first(node: number, rel: number): number {
    if ((this.nodeInfo[node * 3 + 2] ?? 0) > SMALL_NODE) return this.fwd.get(node * NAME_LIMIT + rel);
    const rows = this.rows;
    let r = this.nodeInfo[node * 3 + 1] ?? -1;
    while (r !== -1 && rows[r * ROW + REL] !== rel) r = rows[r * ROW + NEXT_N] ?? -1;
    return r;
  }

  /** The next row of the same `entity#relation` after row `r`, or -1. */
  public next(r: number): number {
    const rows = this.rows;
    const o = r * ROW;
    const node = rows[o + E_NODE] ?? 0;
    if ((this.nodeInfo[node * 3 + 2] ?? 0) > SMALL_NODE) return rows[o + NEXT_F] ?? -1;
    const rel = rows[o + REL];
    let n = rows[o + NEXT_N] ?? -1;
    while (n !== -1 && rows[n * ROW + REL] !== rel) n = rows[n * ROW + NEXT_N] ?? -1;
    return n;
  }

  /** The live row equal to the tuple, or -1. */
  public findLive(eNode: number, rel: number, sNode: number, sRel: number): number {
    const rows = this.rows;
    for (let r = this.fwd.get(eNode * NAME_LIMIT + rel); r !== -1; r = rows[r * ROW + NEXT_F] ?? -1) {
      const o = r * ROW;
      if (rows[o + S_NODE] === sNode && rows[o + S_REL] === sRel && this.mvcc[r * 2 + 1] === LIVE) return r;
    }
    return -1;
  }

  /** Appends a row as it was (compaction): no duplicate check, its own tokens. */
  public copyRow(eNode: number, rel: number, sNode: number, sRel: number, created: number, expired: number): void {
    const r = this.rowCount;
    this.addTuple(eNode, rel, sNode, sRel, created, true);
    if (expired !== LIVE) this.expireRow(r, expired);
  }

  /** Adds a tuple created at `token`; false when it is live already. */
  public addTuple(eNode: number, rel: number, sNode: number, sRel: number, token: number, unchecked = false): boolean {
    if (!unchecked && this.findLive(eNode, rel, sNode, sRel) !== -1) return false;
    const r = this.rowCount;
    if ((r + 1) * ROW > this.rows.length) this.growRows();
    const o = r * ROW;
    const rows = this.rows;
    rows[o + E_NODE] = eNode;
    rows[o + S_NODE] = sNode;
    rows[o + REL] = rel;
    rows[o + S_REL] = sRel;
    this.mvcc[r * 2] = token;
    this.mvcc[r * 2 + 1] = LIVE;
    const fk = eNode * NAME_LIMIT + rel;
    rows[o + NEXT_F] = this.fwd.get(fk);
    this.fwd.set(fk, r);
    const rk = sNode * NAME_LIMIT + sRel;
    rows[o + NEXT_R] = this.rev.get(rk);
    this.rev.set(rk, r);
    rows[o + NEXT_N] = this.nodeInfo[eNode * 3 + 1] ?? -1;
    this.nodeInfo[eNode * 3 + 1] = r;
    this.nodeInfo[eNode * 3 + 2] = (this.nodeInfo[eNode * 3 + 2] ?? 0) + 1;
    this.rowCount = r + 1;
    this.liveRows++;
    return true;
  }

  /** Expires row `r` at `token`. */
  public expireRow(r: number, token: number): void {
    this.mvcc[r * 2 + 1] = token;
    this.rows[r * ROW + S_REL] = (this.rows[r * ROW + S_REL] ?? 0) | EXPIRED;
    this.liveRows--;
  }

  /** The attribute version visible at `at`, or undefined. */
  public attrAt(node: number, attr: number, at: number): AttrVersion | undefined {
    let v = this.attrs.get(node * NAME_LIMIT + attr);
    while (v !== undefined && v.created > at) v = v.prev;
    return (v?.expired ?? 0) > at ? v : undefined;
  }

  /** Writes a value at `token`; returns the live version it replaced, if any. */
  public setAttr(node: number, attr: number, value: AttributeValue, valueType: string, token: number): AttrVersion | undefined {
    const key = node * NAME_LIMIT + attr;
    const head = this.attrs.get(key);
    const old = head?.expired === LIVE ? head : undefined;
    if (old !== undefined) old.expired = token;
    this.attrs.set(key, { value, valueType, created: token, expired: LIVE, prev: head });
    return old;
  }

  /** Bytes held by typed arrays (the external part of the footprint). */
  public get arrayBytes(): number {
    return this.nodeInfo.byteLength + this.idSlots.byteLength + this.rows.byteLength + this.mvcc.byteLength + this.fwd.byteLength + this.rev.byteLength;
  }

  /** Whether row `r` is visible at token `at`. */
  public visible(r: number, at: number): boolean {
    return (this.mvcc[r * 2] ?? LIVE) <= at && (this.mvcc[r * 2 + 1] ?? 0) > at;
  }

  private growRows(): void {
    this.rows = growInt32(this.rows);
    this.mvcc = growFloat64(this.mvcc);
  }
}

/** FNV-1a of the type id and the id's UTF-16 code units. */
function hashId(typeId: number, id: string): number {
  let h = Math.imul(0x811c9dc5 ^ typeId, 0x01000193);
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

function growInt32(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
function growFloat64(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
