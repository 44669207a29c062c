import { ID_PATTERN, InvalidRequestError } from '@gatehouse/core';

import { E_NODE, NAME_LIMIT, NEXT_F, NEXT_R, ROW } from '../store/tenant-data.js';
import type { Evaluation } from './evaluation.js';
import type { EntityPlan, ExprPlan } from './plan.js';

const L = NAME_LIMIT;

/**
 * Whether a stored node has any fact visible at the evaluation's snapshot: a tuple as entity or as subject, or
 * an attribute (only such entities can be found by a lookup, as in Permify).
 */
export function hasFacts(ev: Evaluation, node: number, entity: EntityPlan | undefined, subjectRelations: readonly number[]): boolean {
  const data = ev.data;
  const at = ev.at;
  const visible = (head: number, next: number): boolean => {
    for (let r = head; r !== -1; r = data.rows[r * ROW + next] ?? -1) if (data.visible(r, at)) return true;
    return false;
  };
  if (visible(data.rev.get(node * L), NEXT_R)) return true;
  for (const rel of subjectRelations) if (visible(data.rev.get(node * L + rel), NEXT_R)) return true;
  if (entity !== undefined) {
    for (const m of entity.members.values()) {
      if (m.kind === 'relation' && visible(data.fwd.get(node * L + m.id), NEXT_F)) return true;
      if (m.kind === 'attribute' && data.attrAt(node, m.id, at) !== undefined) return true;
    }
  }
  return false;
}

/** Candidate nodes of a type: stored nodes with visible facts, then nodes only the request's context names. */
export function candidates(ev: Evaluation, type: string, typeId: number, extra: readonly number[]): number[] {
  const entity = ev.plan.entities.get(type);
  const subjectRelations: number[] = [];
  if (entity !== undefined) for (const m of entity.members.values()) if (m.kind !== 'attribute') subjectRelations.push(m.id);
  const out: number[] = [];
  if (typeId >= 0) {
    for (const node of ev.data.nodesOfType(typeId)) if (hasFacts(ev, node, entity, subjectRelations)) out.push(node);
  }
  for (const n of extra) if (n < 0 && ev.typeName(n) === type && !out.includes(n)) out.push(n);
  return out;
}

/** The prefix of the page tokens lookups issue; the rest is the base64url of the last id of the page. */
const PAGE_TOKEN_PREFIX = 'l1.';

/** The continuous token that resumes a lookup after `lastId`. */
export function encodePageToken(lastId: string): string {
  return PAGE_TOKEN_PREFIX + Buffer.from(lastId, 'utf8').toString('base64url');
}

/**
 * The last id of the previous page, from a lookup's continuous token (`undefined` for the first page).
 * @throws {@link InvalidRequestError} for a token that a lookup of this engine did not issue.
 */
export function decodePageToken(token: unknown): string | undefined {
  if (token === undefined || token === '') return undefined;
  const bad = (): InvalidRequestError =>
    InvalidRequestError.badValue('continuousToken', token, 'the continuousToken of a previous page of the same lookup (or "" for the first page)');
  if (typeof token !== 'string' || !token.startsWith(PAGE_TOKEN_PREFIX)) throw bad();
  const body = token.slice(PAGE_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw bad();
  const id = Buffer.from(body, 'base64url').toString('utf8');
  if (!ID_PATTERN.test(id) || encodePageToken(id) !== token) throw bad();
  return id;
}

/** Sorts ids and cuts one page after `after` (the last id of the previous page, decoded by {@link decodePageToken}). */
export function page(ids: string[], pageSize: number | undefined, after: string | undefined): { ids: string[]; continuousToken: string } {
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 0)) throw InvalidRequestError.badValue('pageSize', pageSize, 'a positive integer');
  ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const from = after === undefined ? 0 : ids.findIndex((id) => id > after);
  const start = from === -1 ? ids.length : from;
  const size = pageSize === undefined || pageSize === 0 ? 1000 : pageSize;
  const slice = ids.slice(start, start + size);
  const last = slice.at(-1);
  return { ids: slice, continuousToken: start + size < ids.length && last !== undefined ? encodePageToken(last) : '' };
}

const opaqueCache = new WeakMap<object, Map<string, boolean>>();

/**
 * Whether `member` of `entity` can be granted by something other than a chain of tuples ending at the subject: a
 * boolean attribute, a rule, or the implicit tenant relation (reachable through any hop). Lookups then have to
 * consider every entity of the type; otherwise the entities reachable backwards from the subject suffice.
 */
export function grantsWithoutTuples(ev: Evaluation, entity: EntityPlan, member: string): boolean {
  let cache = opaqueCache.get(ev.plan);
  if (cache === undefined) {
    cache = new Map();
    opaqueCache.set(ev.plan, cache);
  }
  const key = `${entity.name}#${member}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const seen = new Set<string>();
  const visit = (ent: EntityPlan, name: string): boolean => {
    const k = `${ent.name}#${name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    const m = ent.members.get(name);
    if (m === undefined) return false;
    switch (m.kind) {
      case 'attribute':
        return true;
      case 'relation':
        if (m.implicit) return true;
        return m.def.references.some((r) => {
          const target = r.relation === undefined ? undefined : ev.plan.entities.get(r.type);
          return target !== undefined && r.relation !== undefined && visit(target, r.relation);
        });
      case 'permission':
        return expr(ent, m.expr);
    }
  };
  const expr = (ent: EntityPlan, x: ExprPlan): boolean => {
    switch (x.kind) {
      case 'union':
      case 'intersection':
        return expr(ent, x.left) || expr(ent, x.right);
      case 'exclusion':
        return expr(ent, x.left);
      case 'computedUserSet':
      case 'computedAttribute':
        return visit(ent, x.name);
      case 'call':
        return true;
      case 'tupleToUserSet': {
        if (x.implicitTenant) return true;
        const rel = ent.members.get(x.tupleSet);
        if (rel?.kind !== 'relation') return false;
        return rel.def.references.some((r) => {
          const target = ev.plan.entities.get(r.type);
          return target !== undefined && visit(target, x.computed);
        });
      }
    }
  };
  const result = visit(entity, member);
  cache.set(key, result);
  return result;
}

/**
 * Entities reachable backwards from the subject through stored tuples (any relation, any subject relation), of
 * the given type, at the evaluation's snapshot: the candidates of a lookup whose permission is granted by tuples
 * only. Bounded by `limit` nodes visited.
 */
export function reachableFrom(ev: Evaluation, start: number, startRel: number, typeId: number, limit = 1_000_000): number[] {
  const data = ev.data;
  const out: number[] = [];
  if (start < 0) return out;
  const seen = new Set<number>([start]);
  const queue: number[] = [];
  const visitChain = (head: number): void => {
    for (let r = head; r !== -1; r = data.rows[r * ROW + NEXT_R] ?? -1) {
      if (!data.visible(r, ev.at)) continue;
      const e = data.rows[r * ROW + E_NODE] ?? 0;
      if (seen.has(e)) continue;
      seen.add(e);
      queue.push(e);
      if (data.typeOf(e) === typeId) out.push(e);
    }
  };
  visitChain(data.rev.get(start * L + startRel));
  while (queue.length > 0 && seen.size < limit) {
    const node = queue.shift() ?? 0;
    const entity = ev.entityOf(node);
    visitChain(data.rev.get(node * L));
    if (entity !== undefined) for (const m of entity.members.values()) if (m.kind !== 'attribute') visitChain(data.rev.get(node * L + m.id));
  }
  return out;
}
