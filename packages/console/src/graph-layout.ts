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
const CHAR = 7.2;
const PAD = 14;
const NODE_H = 46;
const GAP_X = 18;
const GAP_Y = 46;
const MAX_TEXT = 64;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

export function noteOf(node: ExplanationNode): string {
  if (node.tuples !== undefined && node.tuples.length > 0) return node.tuples.join(', ');
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

function boxOf(node: ExplanationNode, onPath: boolean): Box {
  const label = clip(node.label);
  const note = clip(noteOf(node));
  const shown = node.children.slice(0, MAX_CHILDREN);
  // The decisive child: the first whose outcome is the parent's (for `not`, the operand that decided it).
  const decisive = onPath ? shown.findIndex((c) => c.state === node.state || (node.kind === 'exclusion' && c.state !== 'not_evaluated')) : -1;
  const children = shown.map((c, i) => boxOf(c, i === decisive));
  if (node.children.length > MAX_CHILDREN) {
    const more = node.children.length - MAX_CHILDREN;
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

/** The path that decided the root, as text: `document:1#view → or → document:1#viewer [document:1#viewer@user:alice]`. */
export function decidingPath(layout: Layout): string {
  return layout.nodes
    .filter((n) => n.onPath)
    .map((n) => (n.node?.tuples === undefined ? n.label : `${n.label} [${n.node.tuples.join(', ')}]`))
    .join(' → ');
}
