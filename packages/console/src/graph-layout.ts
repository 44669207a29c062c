import type { ExplanationNode, ExplanationState } from '@gatehouse/core';

/** A node placed on the canvas. */
export interface PlacedNode {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly label: string;
  readonly state: ExplanationState;
  /** The second line: the deciding tuples or the detail. */
  readonly note: string;
  readonly node: ExplanationNode | undefined;
  /** On the path that decided the root (the chain of nodes sharing its outcome, first such child each time). */
  readonly onPath: boolean;
}

export interface PlacedEdge {
  readonly from: PlacedNode;
  readonly to: PlacedNode;
}

export interface Layout {
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

/** Children drawn per node; the rest are summed up in one "… n more" node. */
export const MAX_CHILDREN = 24;
const CHAR = 7.8;
const PAD = 14;
const NODE_H = 46;
const GAP_X = 18;
const GAP_Y = 46;
const MAX_TEXT = 64;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

export function noteOf(node: ExplanationNode): string {
  if (node.tuples !== undefined && node.tuples.length > 0) {
    // A hop that led nowhere: say which tuple led here and why it did not grant.
    return node.state === 'denied' && node.detail !== undefined ? `${node.tuples.join(', ')}: ${node.detail}` : node.tuples.join(', ');
  }
  if (node.state === 'not_evaluated') return 'not evaluated';
  return node.detail ?? node.state;
}

interface Box {
  readonly label: string;
  readonly note: string;
  readonly state: ExplanationState;
  readonly node: ExplanationNode | undefined;
  readonly onPath: boolean;
  readonly children: Box[];
  readonly ownWidth: number;
  span: number;
}

/**
 * The children that decided a node's outcome: for an allow through `or` (or a relation, or a hop) the first allowed
 * one; for a denial through `and` the first denied one; for `not` the operand that decided it; otherwise every
 * evaluated child (a denied `or` needed all its operands denied).
 */
export function decisiveChildren(node: ExplanationNode): Set<number> {
  const out = new Set<number>();
  const first = (state: ExplanationState): void => {
    const i = node.children.findIndex((c) => c.state === state);
    if (i >= 0) out.add(i);
  };
  const evaluated = (): void => {
    node.children.forEach((c, i) => {
      if (c.state !== 'not_evaluated') out.add(i);
    });
  };
  if (node.kind === 'exclusion') {
    const [left, right] = node.children;
    if (node.state === 'allowed') evaluated();
    else if (left?.state === 'denied' || left?.state === 'cut') out.add(0);
    else if (right !== undefined) out.add(1);
  } else if (node.state === 'allowed' && node.kind !== 'intersection') first('allowed');
  else if (node.state === 'denied' && node.kind === 'intersection') first('denied');
  else evaluated();
  return out;
}

function boxOf(node: ExplanationNode, onPath: boolean): Box {
  const label = clip(node.label);
  const note = clip(noteOf(node));
  const shown = node.children.slice(0, MAX_CHILDREN);
  const decisive = onPath ? decisiveChildren(node) : new Set<number>();
  const children = shown.map((c, i) => boxOf(c, decisive.has(i)));
  const more = node.children.length - shown.length + (node.omitted ?? 0);
  if (more > 0) {
    children.push({ label: `… ${String(more)} more`, note: 'not drawn', state: 'not_evaluated', node: undefined, onPath: false, children: [], ownWidth: 120, span: 0 });
  }
  const ownWidth = Math.max(label.length, note.length) * CHAR + 2 * PAD;
  return { label, note, state: node.state, node, onPath, children, ownWidth, span: 0 };
}

function measure(b: Box): number {
  const kids = b.children.reduce((sum, c) => sum + measure(c), 0) + GAP_X * Math.max(b.children.length - 1, 0);
  b.span = Math.max(b.ownWidth, kids);
  return b.span;
}

/**
 * Lays the explanation out as a top-down tree: each subtree gets the width of its widest level, a parent is centred
 * over its children. Pure: the same tree gives the same layout.
 */
export function layoutExplanation(tree: ExplanationNode): Layout {
  const root = boxOf(tree, true);
  measure(root);
  const nodes: PlacedNode[] = [];
  const edges: PlacedEdge[] = [];
  let depth = 0;
  const place = (b: Box, left: number, level: number, parent: PlacedNode | undefined): void => {
    depth = Math.max(depth, level);
    const placed: PlacedNode = {
      id: nodes.length,
      x: left + (b.span - b.ownWidth) / 2,
      y: level * (NODE_H + GAP_Y),
      width: b.ownWidth,
      height: NODE_H,
      label: b.label,
      state: b.state,
      note: b.note,
      node: b.node,
      onPath: b.onPath,
    };
    nodes.push(placed);
    if (parent !== undefined) edges.push({ from: parent, to: placed });
    const kids = b.children.reduce((sum, c) => sum + c.span, 0) + GAP_X * Math.max(b.children.length - 1, 0);
    let x = left + (b.span - kids) / 2;
    for (const c of b.children) {
      place(c, x, level + 1, placed);
      x += c.span + GAP_X;
    }
  };
  place(root, 0, 0, undefined);
  return { nodes, edges, width: root.span, height: (depth + 1) * NODE_H + depth * GAP_Y };
}

function describe(n: PlacedNode): string {
  return n.node?.tuples === undefined ? n.label : `${n.label} [${n.node.tuples.join(', ')}]`;
}

/**
 * What decided the root, as text. One chain: `deciding path: document:1#view → or → document:1#viewer
 * [document:1#viewer@user:alice]`; several branches (a denied `or`): `decided by: a; b; c` (the branches' ends).
 */
export function decidingPath(layout: Layout): string {
  const onPath = layout.nodes.filter((n) => n.onPath);
  const children = new Map<number, number>();
  for (const e of layout.edges) if (e.from.onPath && e.to.onPath) children.set(e.from.id, (children.get(e.from.id) ?? 0) + 1);
  if ([...children.values()].every((k) => k <= 1)) return `deciding path: ${onPath.map(describe).join(' → ')}`;
  const ends = onPath.filter((n) => !children.has(n.id));
  return `decided by: ${ends.map(describe).join('; ')}`;
}
