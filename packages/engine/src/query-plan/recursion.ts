import type { SchemaPlan } from '../eval/plan.js';
import { TENANT_ENTITY } from '../eval/plan.js';

const cache = new WeakMap<SchemaPlan, Map<string, { readonly reaching: ReadonlySet<string>; readonly recursive: boolean }>>();

/**
 * How an entity type sits in the schema's graph of hops (userset subjects and tuple-to-userset targets, the
 * implicit tenant included):
 * - `reaching`: the types from which an evaluation can hop, in any number of steps, to an entity of `type`;
 * - `recursive`: whether evaluating some member of `type` can hop to another entity of `type` (then a branch's
 *   value for a row may depend on that row itself, and plans evaluate entity by entity).
 */
export function reachesType(plan: SchemaPlan, type: string): { readonly reaching: ReadonlySet<string>; readonly recursive: boolean } {
  let byType = cache.get(plan);
  if (byType === undefined) {
    byType = new Map();
    cache.set(plan, byType);
  }
  const hit = byType.get(type);
  if (hit !== undefined) return hit;
  // Edges T → U: T has a relation whose subjects may be of type U, or T has the implicit tenant relation.
  const into = new Map<string, Set<string>>();
  const edge = (from: string, to: string): void => {
    let s = into.get(to);
    if (s === undefined) {
      s = new Set();
      into.set(to, s);
    }
    s.add(from);
  };
  for (const e of plan.entities.values()) {
    for (const m of e.members.values()) {
      if (m.kind !== 'relation') continue;
      if (m.implicit) edge(e.name, TENANT_ENTITY);
      else for (const r of m.def.references) edge(e.name, r.type);
    }
    if (e.implicitTenant) edge(e.name, TENANT_ENTITY);
  }
  const reaching = new Set<string>();
  const queue = [type];
  while (queue.length > 0) {
    const t = queue.pop() ?? '';
    for (const from of into.get(t) ?? []) {
      if (reaching.has(from)) continue;
      reaching.add(from);
      queue.push(from);
    }
  }
  const result = { reaching, recursive: reaching.has(type) };
  byType.set(type, result);
  return result;
}
