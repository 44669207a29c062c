import type { Condition, FieldCondition } from '@gatehouse/core';

/** A set of stored (or contextual) nodes of the planned type: `{ field: 'id', in: ids }` once rendered. */
export interface NodeSet {
  readonly nodes: ReadonlySet<number>;
}

/**
 * What the planner builds: constants, field conditions on the resource's own columns, node sets, and `and` /
 * `or` / `not` over them, simplified as it goes (constants folded, nesting flattened).
 */
export type Formula =
  | boolean
  | { readonly and: readonly Formula[] }
  | { readonly or: readonly Formula[] }
  | { readonly not: Formula }
  | FieldCondition
  | NodeSet;

function isNodeSet(f: Formula): f is NodeSet {
  return typeof f === 'object' && 'nodes' in f;
}

export function nodeSet(nodes: ReadonlySet<number>): Formula {
  return nodes.size === 0 ? false : { nodes };
}

export function and(items: readonly Formula[]): Formula {
  const out: Formula[] = [];
  for (const f of items) {
    if (f === false) return false;
    if (f === true) continue;
    if (typeof f === 'object' && 'and' in f) out.push(...f.and);
    else out.push(f);
  }
  const [only] = out;
  return only === undefined ? true : out.length === 1 ? only : { and: out };
}

export function or(items: readonly Formula[]): Formula {
  const out: Formula[] = [];
  for (const f of items) {
    if (f === true) return true;
    if (f === false) continue;
    if (typeof f === 'object' && 'or' in f) out.push(...f.or);
    else out.push(f);
  }
  const [only] = out;
  return only === undefined ? false : out.length === 1 ? only : { or: out };
}

export function not(f: Formula): Formula {
  if (typeof f === 'boolean') return !f;
  if ('not' in f) return f.not;
  return { not: f };
}

/** A stable text of a formula without node sets (used to group entities with the same residual condition). */
export function formulaKey(f: Formula): string {
  return JSON.stringify(f, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<number>)].sort((a, b) => a - b) : v));
}

/**
 * The formula as the public {@link Condition}, node sets rendered as sorted ids (`idOf`), or a boolean when it is
 * constant.
 */
export function render(f: Formula, idOf: (node: number) => string): Condition | boolean {
  if (typeof f === 'boolean') return f;
  if (isNodeSet(f)) {
    // The default sort of strings is by UTF-16 code units, as lookups order ids (and faster than a comparator).
    const ids = new Array<string>(f.nodes.size);
    let i = 0;
    for (const n of f.nodes) ids[i++] = idOf(n);
    ids.sort();
    return { field: 'id', in: ids };
  }
  if ('and' in f) return { and: f.and.map((x) => render(x, idOf) as Condition) };
  if ('or' in f) return { or: f.or.map((x) => render(x, idOf) as Condition) };
  if ('not' in f) return { not: render(f.not, idOf) as Condition };
  return f;
}
