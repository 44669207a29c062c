import type { Node, YAMLMap } from 'yaml';

import type { SourcePosition } from '../schema/errors.js';
import { isMap, isScalar, isSeq, type YamlSource } from './yaml-source.js';

/** A key the validation format does not know, with where it is. */
export interface UnknownKey {
  readonly message: string;
  readonly position: SourcePosition;
}

/** The keys each map of a validation file may hold (permify.md §3.1); `context.data` is free-form. */
const KEYS = {
  file: ['schema', 'relationships', 'attributes', 'scenarios', 'tenant_id'],
  scenario: ['name', 'description', 'checks', 'entity_filters', 'subject_filters'],
  check: ['entity', 'subject', 'depth', 'context', 'assertions'],
  'entity filter': ['entity_type', 'subject', 'depth', 'context', 'assertions'],
  'subject filter': ['subject_reference', 'entity', 'depth', 'context', 'assertions'],
  context: ['tuples', 'attributes', 'data'],
} as const;

type Where = keyof typeof KEYS;

/** Edit distance of two short keys (for "did you mean"). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The known key a misspelt one most likely meant: a prefix either way, or at most 3 edits away. */
function closest(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  const prefix = k.length < 3 ? undefined : known.find((c) => c.startsWith(k) || k.startsWith(c));
  if (prefix !== undefined) return prefix;
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of known) {
    const d = distance(k, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function check(map: YAMLMap, where: Where, src: YamlSource, out: UnknownKey[]): void {
  const known: readonly string[] = KEYS[where];
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
    if (key !== undefined && known.includes(key)) continue;
    const guess = key === undefined ? undefined : closest(key, known);
    const name = key === undefined ? 'a key that is not a plain string' : `key ${JSON.stringify(key)}`;
    out.push({
      message: `unknown ${name} in ${where === 'file' ? 'the file' : `${where === 'entity filter' ? 'an' : 'a'} ${where}`}${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; expected one of: ${known.join(', ')}`,
      position: src.position(keyNode, src.position(map)),
    });
  }
}

function value(map: YAMLMap, key: string): Node | null {
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    if (isScalar(keyNode) && String(keyNode.value) === key) return (pair.value as Node | null) ?? null;
  }
  return null;
}

/** The map items of the list under `key` (other items are reported by the runner). */
function mapsUnder(map: YAMLMap, key: string): YAMLMap[] {
  const list = value(map, key);
  if (!isSeq(list)) return [];
  return (list.items as Node[]).filter((item): item is YAMLMap => isMap(item));
}

/**
 * Every key of a validation file that its format does not define, in document order: a misspelt key
 * (`assert:`, `relationship:`) would otherwise be skipped silently and its assertions or data never run.
 * Permify's decoder ignores unknown keys; Gatehouse reports them as errors of the file (exit status 2).
 */
export function unknownKeys(root: YAMLMap, src: YamlSource): UnknownKey[] {
  const out: UnknownKey[] = [];
  check(root, 'file', src, out);
  for (const scenario of mapsUnder(root, 'scenarios')) {
    check(scenario, 'scenario', src, out);
    for (const [key, where] of [['checks', 'check'], ['entity_filters', 'entity filter'], ['subject_filters', 'subject filter']] as const) {
      for (const item of mapsUnder(scenario, key)) {
        check(item, where, src, out);
        const context = value(item, 'context');
        if (isMap(context)) check(context, 'context', src, out);
      }
    }
  }
  return out;
}
