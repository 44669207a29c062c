import type { ExplanationNode, ExplanationState } from '@gatehouse/core';

/** Options of {@link explanationText}. */
export interface ExplanationTextOptions {
  /** ANSI colours (green allowed, red denied, dim not evaluated, yellow cut). @defaultValue false */
  readonly colour?: boolean;
}

const MARK: Record<ExplanationState, string> = { allowed: '✓', denied: '✗', not_evaluated: '·', cut: '⊘' };
const WORD: Record<ExplanationState, string> = { allowed: 'allowed', denied: 'denied', not_evaluated: 'not evaluated', cut: 'cut' };
const SGR: Record<ExplanationState, string> = { allowed: '32', denied: '31', not_evaluated: '2', cut: '33' };

/** Strips control characters from text that came from stored data, so it cannot drive the terminal. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * Renders an explanation tree as indented text, one node a line: mark, label, state, the deciding tuples and
 * the detail. The same tree the console draws as a graph.
 * @param tree - the shaped tree (see the `permissions/explain` route).
 * @param options - colour or plain.
 * @returns the lines, each ending in `\n`.
 * @example
 * ```text
 * ✓ document:1#edit  allowed
 * └─ ✓ or  allowed
 *    ├─ ✓ document:1#owner  allowed  [document:1#owner@user:alice]
 *    └─ · parent.admin  not evaluated  (an earlier operand decided)
 * ```
 */
export function explanationText(tree: ExplanationNode, options: ExplanationTextOptions = {}): string {
  const paint = (state: ExplanationState, text: string): string => (options.colour === true ? `\u001b[${SGR[state]}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const walk = (node: ExplanationNode, lead: string, branch: string): void => {
    const tuples = node.tuples === undefined ? '' : `  [${node.tuples.map(printable).join(', ')}]`;
    const detail = node.detail === undefined ? '' : `  (${printable(node.detail)})`;
    lines.push(`${lead}${branch}${paint(node.state, `${MARK[node.state]} ${printable(node.label)}  ${WORD[node.state]}`)}${tuples}${detail}`);
    const next = lead + (branch === '' ? '' : branch === '└─ ' ? '   ' : '│  ');
    const omitted = node.omitted ?? 0;
    node.children.forEach((child, i) => {
      walk(child, next, i === node.children.length - 1 && omitted === 0 ? '└─ ' : '├─ ');
    });
    if (omitted > 0) lines.push(`${next}└─ … ${String(omitted)} more, not listed`);
  };
  walk(tree, '', '');
  return `${lines.join('\n')}\n`;
}
