import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';

import type { SourcePosition } from '../schema/errors.js';

/** A YAML node with the line counter of its document: where things are, for error messages. */
export class YamlSource {
  public constructor(private readonly lines: LineCounter) {}

  /** The 1-based position of a node (its first character). */
  public position(node: Node | null | undefined, fallback?: SourcePosition): SourcePosition {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback ?? { line: 1, column: 1 };
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

/** A key of a YAML map with its value node (null for `key:` with nothing after it). */
export interface Entry {
  readonly key: string;
  readonly keyNode: Node;
  readonly value: Node | null;
}

/** The entries of a map node whose keys are scalars, in order. */
export function entries(map: YAMLMap): Entry[] {
  const out: Entry[] = [];
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    if (!isScalar(keyNode)) continue;
    out.push({ key: String(keyNode.value), keyNode, value: (pair.value as Node | null) ?? null });
  }
  return out;
}

/** The entry for `key`, when the map has one. */
export function entry(map: YAMLMap, key: string): Entry | undefined {
  return entries(map).find((e) => e.key === key);
}

/** True for a missing value or an explicit YAML null (`key:` or `key: ~`). */
export function isNull(node: Node | null | undefined): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** How a node is named in an error message: `a map`, `a list`, `nothing`, `"text"`, `42`. */
export function describeNode(node: Node | null | undefined): string {
  if (isNull(node)) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return scalarText(node.value);
  return 'an unknown node';
}

/** A scalar value as text (strings quoted). */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return 'nothing';
  return 'a value';
}

export { isMap, isScalar, isSeq };
