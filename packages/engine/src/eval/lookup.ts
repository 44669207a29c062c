import { E_NODE, NAME_LIMIT, NEXT_F, NEXT_R, REL, ROW, S_NODE } from '../store/tenant-data.js';
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
  const meter = ev.meter;
  const visible = (head: number, next: number): boolean => {
    for (let r = head; r !== -1; r = data.rows[r * ROW + next] ?? -1) {
      meter.spend(1);
      if (data.visible(r, at)) return true;
    }
    return false;
  };
  meter.spend(1);
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
 * only. Bounded by `limit` nodes visited. `through(typeId)`, when given, says whether a path to the type can pass
 * through an entity of `typeId`: the walk does not go on from the others (they are still answered when of the type).
 */
export function reachableFrom(
  ev: Evaluation,
  start: number,
  startRel: number,
  typeId: number,
  limit = 1_000_000,
  through?: (typeId: number) => boolean,
  direct?: Map<number, Set<number>>,
): number[] {
  return reachableWithin(ev, start, startRel, typeId, limit, through, direct).nodes;
}

/**
 * {@link reachableFrom}, saying whether the walk completed: `complete` is false when it stopped at `limit` nodes
 * visited (then `nodes` is only part of the answer). Each tuple row read costs a step of the evaluation's meter.
 * `direct`, when given, receives the entities of the type that hold a visible tuple naming the start itself
 * (`entity#rel@start#startRel`), by relation: those on which `rel` holds for the start without a userset or a
 * contextual tuple.
 */
export function reachableWithin(
  ev: Evaluation,
  start: number,
  startRel: number,
  typeId: number,
  limit: number,
  through?: (typeId: number) => boolean,
  direct?: Map<number, Set<number>>,
): { nodes: number[]; complete: boolean } {
  const data = ev.data;
  const meter = ev.meter;
  const out: number[] = [];
  if (start < 0) return { nodes: out, complete: true };
  const seen = new Set<number>([start]);
  const queue: number[] = [];
  let head = 0;
  const visitChain = (first: number, record: Map<number, Set<number>> | undefined): void => {
    for (let r = first; r !== -1; r = data.rows[r * ROW + NEXT_R] ?? -1) {
      meter.spend(1);
      if (!data.visible(r, ev.at)) continue;
      const e = data.rows[r * ROW + E_NODE] ?? 0;
      const t = data.typeOf(e);
      if (record !== undefined && t === typeId) {
        const rel = data.rows[r * ROW + REL] ?? 0;
        let set = record.get(rel);
        if (set === undefined) record.set(rel, (set = new Set()));
        set.add(e);
      }
      if (seen.has(e)) continue;
      seen.add(e);
      if (through === undefined || through(t)) queue.push(e);
      if (t === typeId) out.push(e);
    }
  };
  visitChain(data.rev.get(start * L + startRel), direct);
  while (head < queue.length && seen.size < limit) {
    const node = queue[head++] ?? 0;
    const entity = ev.entityOf(node);
    visitChain(data.rev.get(node * L), undefined);
    if (entity !== undefined) for (const m of entity.members.values()) if (m.kind !== 'attribute') visitChain(data.rev.get(node * L + m.id), undefined);
  }
  return { nodes: out, complete: head >= queue.length };
}

/**
 * Candidate nodes in id order after `after`: the stored ones of `sorted` (sorted by id) from `from` on, merged
 * with `extra` (nodes only the request names, any order). Stops when the caller stops pulling, so a page reads
 * only as far as it needs.
 */
export function* inIdOrder(ev: Evaluation, sorted: readonly number[], from: number, extra: readonly number[], after: string | undefined): Generator<number> {
  const ids = ev.data.nodeIds;
  const more = extra.filter((n) => after === undefined || ev.idOf(n) > after).sort((a, b) => compareIds(ev.idOf(a), ev.idOf(b)));
  let j = 0;
  for (let i = from; i < sorted.length; i++) {
    const node = sorted[i] ?? 0;
    const id = ids[node] ?? '';
    while (j < more.length && ev.idOf(more[j] ?? 0) < id) yield more[j++] ?? 0;
    yield node;
  }
  while (j < more.length) yield more[j++] ?? 0;
}

/** The order of ids in lookup answers and pages (UTF-16 code units). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Nodes of `typeId` reachable forwards from `start` through stored tuples (any relation, to any subject), at the
 * evaluation's snapshot: a superset of the subjects a tuple-only permission of `start` can grant. Stops after
 * `limit` nodes visited (`complete` false); each tuple row read costs a step of the evaluation's meter.
 */
export function forwardWithin(ev: Evaluation, start: number, typeId: number, limit: number): { nodes: number[]; complete: boolean } {
  const data = ev.data;
  const meter = ev.meter;
  const out: number[] = [];
  if (start < 0) return { nodes: out, complete: true };
  const seen = new Set<number>([start]);
  const queue: number[] = [start];
  let head = 0;
  while (head < queue.length && seen.size < limit) {
    const node = queue[head++] ?? 0;
    const entity = ev.entityOf(node);
    if (entity === undefined) continue;
    for (const m of entity.members.values()) {
      if (m.kind !== 'relation') continue;
      for (let r = data.first(node, m.id); r !== -1; r = data.next(r)) {
        meter.spend(1);
        if (!data.visible(r, ev.at)) continue;
        const s = data.rows[r * ROW + S_NODE] ?? 0;
        if (seen.has(s)) continue;
        seen.add(s);
        queue.push(s);
        if (data.typeOf(s) === typeId) out.push(s);
      }
    }
  }
  return { nodes: out, complete: head >= queue.length };
}
