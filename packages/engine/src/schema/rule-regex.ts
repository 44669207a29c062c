import { RE2JS } from 're2js';

/**
 * Regular expressions of CEL `matches()` in rules, evaluated as Permify does (Go's RE2): in time linear in the
 * input, with RE2 syntax only — no backreferences, no lookaround, counted repetition at most 1000. A pattern
 * such as `(a+)+$`, which freezes a backtracking engine (JavaScript's `RegExp`) on `aaaa…b`, is an ordinary
 * RE2 pattern here and answers at once. Compiled patterns are cached; pattern and input lengths are bounded.
 */

/** The longest pattern accepted, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 4096;
/** The longest string `matches()` searches, in UTF-16 code units; a longer one is an evaluation error. */
export const MAX_INPUT_LENGTH = 65_536;
/** How many compiled patterns the process keeps (least recently used goes first). */
const CACHE_SIZE = 512;

/** A pattern that is not RE2 syntax, or too long. */
export class RegexRejection extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'RegexRejection';
  }
}

const cache = new Map<string, RE2JS>();

/**
 * Compiles a pattern with RE2 semantics, from the cache when it was seen before.
 * @throws {@link RegexRejection} when the pattern is longer than {@link MAX_PATTERN_LENGTH} or not RE2 syntax.
 */
export function compileRegex(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new RegexRejection(`expected a regular expression of at most ${String(MAX_PATTERN_LENGTH)} characters, found ${String(pattern.length)}`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RegexRejection(`expected an RE2 regular expression (no backreferences or lookaround), found ${JSON.stringify(pattern)}: ${why}`);
  }
  cache.set(pattern, re);
  if (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return re;
}

/**
 * CEL `string.matches(string)`: whether the pattern matches anywhere in the input (unanchored, as Go's
 * `regexp.MatchString`).
 * @throws {@link RegexRejection} for a rejected pattern, an input longer than {@link MAX_INPUT_LENGTH}, or
 * operands that are not strings.
 */
export function regexMatches(input: unknown, pattern: unknown): boolean {
  if (typeof input !== 'string' || typeof pattern !== 'string') {
    throw new RegexRejection(`expected string.matches(string), found ${typeof input}.matches(${typeof pattern})`);
  }
  const re = compileRegex(pattern);
  if (input.length > MAX_INPUT_LENGTH) {
    throw new RegexRejection(`expected a string of at most ${String(MAX_INPUT_LENGTH)} characters for matches(), found ${String(input.length)}`);
  }
  return re.matcher(input).find();
}
