import type { SourcePosition } from '../schema/errors.js';

/**
 * Maps positions inside the value of a YAML block scalar (`|`, `|-`, `>`, `>-`, …) back to the file. A literal
 * block keeps every line break, so its lines map one to one; a folded block joins adjacent lines with a space
 * and turns each run of blank lines into that many line breaks less one (YAML 1.2 §8.1.3), so a line of the
 * value may come from several lines of the file. This rebuilds the value from the file's lines, remembering
 * where each character came from, and answers only when the rebuilt value is the value the YAML parser
 * produced (anything it does not model — an explicit indentation indicator, tabs, escapes — gets `undefined`).
 *
 * @param fileLines - the lines of the file.
 * @param headerLine - the 1-based line of the block indicator (`schema: >-`).
 * @param folded - `>` rather than `|`.
 * @param value - the scalar's value as parsed.
 * @returns a function from a 1-based line and column of the value to the file, or `undefined`.
 */
export function blockScalarMap(
  fileLines: readonly string[],
  headerLine: number,
  folded: boolean,
  value: string,
): ((at: SourcePosition) => SourcePosition) | undefined {
  const header = fileLines[headerLine - 1] ?? '';
  if (/[|>][+-]?\d|[|>]\d/.test(header)) return undefined; // explicit indentation indicator
  // The content lines: from the line after the header while blank or indented at least as the first one.
  let indent = -1;
  const lines: { text: string; line: number }[] = [];
  for (let i = headerLine; i < fileLines.length; i++) {
    const raw = fileLines[i] ?? '';
    const blank = raw.trim() === '';
    const lead = raw.length - raw.trimStart().length;
    if (!blank && indent === -1) indent = lead;
    if (!blank && lead < indent) break;
    if (raw.includes('\t') && !blank) return undefined;
    lines.push({ text: blank ? '' : raw.slice(indent), line: i + 1 });
  }
  if (indent === -1) return undefined;
  while (lines.length > 0 && lines.at(-1)?.text === '') lines.pop();

  let out = '';
  const from: SourcePosition[] = [];
  const put = (text: string, at: SourcePosition): void => {
    for (let j = 0; j < text.length; j++) {
      out += text[j] ?? '';
      from.push(text[j] === '\n' ? at : { line: at.line, column: at.column + j });
    }
  };
  let i = 0;
  for (; i < lines.length && lines[i]?.text === ''; i++) put('\n', { line: lines[i]?.line ?? 1, column: 1 });
  while (i < lines.length) {
    const cur = lines[i];
    if (cur === undefined) break;
    put(cur.text, { line: cur.line, column: indent + 1 });
    let next = i + 1;
    while (next < lines.length && lines[next]?.text === '') next++;
    if (next >= lines.length) break;
    const empties = next - i - 1;
    const end = { line: cur.line, column: indent + 1 + cur.text.length };
    const moreIndented = (t: string | undefined): boolean => t !== undefined && /^[ \t]/.test(t);
    if (!folded || moreIndented(cur.text) || moreIndented(lines[next]?.text)) put('\n'.repeat(empties + 1), end);
    else put(empties === 0 ? ' ' : '\n'.repeat(empties), end);
    i = next;
  }
  // What follows the last content line is chomping (line breaks only).
  if (!value.startsWith(out) || !/^\n*$/.test(value.slice(out.length))) return undefined;

  const starts = [0];
  for (let k = 0; k < value.length; k++) if (value[k] === '\n') starts.push(k + 1);
  return (at: SourcePosition): SourcePosition => {
    const offset = (starts[Math.max(0, at.line - 1)] ?? value.length) + Math.max(0, at.column - 1);
    const hit = from[offset];
    if (hit !== undefined) return hit;
    const last = from.at(-1);
    if (last === undefined) return { line: headerLine + 1, column: indent + 1 };
    return { line: last.line, column: last.column + 1 }; // at the end of the text
  };
}
