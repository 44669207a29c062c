import { NAME_LIMIT, NEXT_F, NEXT_R, ROW } from '../store/tenant-data.js';
import type { Evaluation } from './evaluation.js';
import type { EntityPlan } from './plan.js';

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

/** Sorts ids and cuts one page after `continuousToken` (the last id of the previous page). */
export function page(ids: string[], pageSize: number | undefined, continuousToken: string | undefined): { ids: string[]; continuousToken: string } {
  ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const from = continuousToken ? ids.findIndex((id) => id > continuousToken) : 0;
  const start = from === -1 ? ids.length : from;
  const size = pageSize === undefined || pageSize === 0 ? 1000 : pageSize;
  const slice = ids.slice(start, start + size);
  return { ids: slice, continuousToken: start + size < ids.length ? (slice.at(-1) ?? '') : '' };
}
