/**
 * The schema lexer (permify.md §1.1): identifiers are ASCII letters and `_` only (digits lex as integers),
 * `action` is the same token as `permission`, and `\n`, `\r` and `;` all lex as NEWLINE. Comments are
 * dropped. It never throws: anything it cannot read becomes an `illegal` token for the parser to reject.
 */

export type TokenKind =
  | 'ident'
  | 'integer'
  | 'string'
  | 'boolean'
  | 'newline'
  | 'entity'
  | 'relation'
  | 'permission'
  | 'attribute'
  | 'rule'
  | 'and'
  | 'or'
  | 'not'
  | 'in'
  | '{'
  | '}'
  | '('
  | ')'
  | '['
  | ']'
  | '@'
  | '#'
  | '.'
  | ','
  | '='
  | ':'
  | 'operator'
  | 'illegal'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The text as written (for strings: the content, escapes processed). */
  readonly text: string;
  /** Offset of the first character in the source. */
  readonly offset: number;
  /** Offset just past the last character. */
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

const KEYWORDS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  ['entity', 'entity'],
  ['relation', 'relation'],
  ['permission', 'permission'],
  ['action', 'permission'],
  ['attribute', 'attribute'],
  ['rule', 'rule'],
  ['and', 'and'],
  ['or', 'or'],
  ['not', 'not'],
  ['in', 'in'],
  ['true', 'boolean'],
  ['false', 'boolean'],
]);

const SYMBOLS = new Set(['{', '}', '(', ')', '[', ']', '@', '#', '.', ',', '=', ':']);
const OPERATORS = new Set(['>', '<', '!', '+', '-', '*', '/', '%', '^', '&', "'", '?', '|']);

function isLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Maps offsets to 1-based line and column. `\n`, `\r` and `\r\n` each end a line. */
export class LineIndex {
  private readonly starts: number[] = [0];

  public constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  public position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}

/** A pull lexer: `next()` returns one token at a time; `rawUntil` reads a rule body verbatim. */
export class Lexer {
  private pos = 0;
  private readonly lines: LineIndex;

  public constructor(private readonly src: string) {
    this.lines = new LineIndex(src);
  }

  /** The position of an offset, 1-based. */
  public position(offset: number): { line: number; column: number } {
    return this.lines.position(offset);
  }

  /** Continues lexing from `offset` (used after a raw rule body). */
  public seek(offset: number): void {
    this.pos = offset;
  }

  /**
   * The raw text from `offset` up to (not including) the next `close` character, or undefined when there is
   * none. The lexer continues after that character.
   */
  public rawUntil(offset: number, close: string): { text: string; closeOffset: number } | undefined {
    const at = this.src.indexOf(close, offset);
    if (at === -1) return undefined;
    this.pos = at + 1;
    return { text: this.src.slice(offset, at), closeOffset: at };
  }

  public next(): Token {
    const src = this.src;
    for (;;) {
      const c = src.charAt(this.pos);
      if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
        this.pos++;
      } else if (c === '/' && src.charAt(this.pos + 1) === '/') {
        while (this.pos < src.length && src.charAt(this.pos) !== '\n' && src.charAt(this.pos) !== '\r') this.pos++;
      } else if (c === '/' && src.charAt(this.pos + 1) === '*') {
        const close = src.indexOf('*/', this.pos + 2);
        this.pos = close === -1 ? src.length : close + 2;
      } else {
        break;
      }
    }
    const start = this.pos;
    if (start >= src.length) return this.token('eof', '', start, start);
    const c = src.charAt(start);
    if (c === '\n' || c === '\r' || c === ';') {
      this.pos++;
      return this.token('newline', c, start, this.pos);
    }
    if (isLetter(c)) {
      let end = start + 1;
      while (end < src.length && isLetter(src.charAt(end))) end++;
      this.pos = end;
      const text = src.slice(start, end);
      return this.token(KEYWORDS.get(text) ?? 'ident', text, start, end);
    }
    if (isDigit(c)) {
      let end = start + 1;
      while (end < src.length && isDigit(src.charAt(end))) end++;
      this.pos = end;
      return this.token('integer', src.slice(start, end), start, end);
    }
    if (c === '"') return this.string(start);
    this.pos++;
    if (SYMBOLS.has(c)) return this.token(c as TokenKind, c, start, this.pos);
    if (OPERATORS.has(c)) return this.token('operator', c, start, this.pos);
    // A whole code point, so an astral character is reported as itself.
    const cp = src.codePointAt(start) ?? 0;
    if (cp > 0xffff) this.pos++;
    return this.token('illegal', String.fromCodePoint(cp), start, this.pos);
  }

  private string(start: number): Token {
    const src = this.src;
    let i = start + 1;
    let out = '';
    while (i < src.length) {
      const c = src.charAt(i);
      if (c === '"') {
        this.pos = i + 1;
        return this.token('string', out, start, this.pos);
      }
      if (c === '\n' || c === '\r') break;
      if (c === '\\' && i + 1 < src.length) {
        const e = src.charAt(i + 1);
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    this.pos = i;
    return this.token('illegal', src.slice(start, i), start, i);
  }

  private token(kind: TokenKind, text: string, offset: number, end: number): Token {
    const { line, column } = this.lines.position(offset);
    return { kind, text, offset, end, line, column };
  }
}

/** How a token is named in an error message: `identifier "foo"`, `newline`, `"{"`, `end of input`. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'ident':
      return `identifier "${token.text}"`;
    case 'integer':
      return `number ${token.text}`;
    case 'string':
      return `string ${JSON.stringify(token.text)}`;
    case 'boolean':
      return `"${token.text}"`;
    case 'newline':
      return token.text === ';' ? '";"' : 'newline';
    case 'eof':
      return 'end of input';
    case 'illegal':
      return `unexpected character ${JSON.stringify(token.text)}`;
    case 'entity':
    case 'relation':
    case 'permission':
    case 'attribute':
    case 'rule':
    case 'and':
    case 'or':
    case 'not':
    case 'in':
      return `keyword "${token.text}"`;
    case '{':
    case '}':
    case '(':
    case ')':
    case '[':
    case ']':
    case '@':
    case '#':
    case '.':
    case ',':
    case '=':
    case ':':
    case 'operator':
      return `"${token.text}"`;
  }
}
