/**
 * The one definition of the snap-token format. A snap token is a decimal integer string (at most 16 digits) that
 * increases in commit order across the whole store; `''` (or absent) means "the head". Every place that reads a
 * token from a caller, a store or a feed checks it here.
 */
import { InvalidRequestError } from '@gatehouse/core';

/** The syntax of a snap token: 1 to 16 decimal digits. */
export const SNAP_TOKEN_PATTERN = /^\d{1,16}$/;

/** Whether `value` is a snap token (not `''`). */
export function isSnapToken(value: unknown): value is string {
  return typeof value === 'string' && SNAP_TOKEN_PATTERN.test(value);
}

/**
 * The commit number of a snap token given by a caller; `undefined` for `''` or absent (the head).
 * @param what - what the token is called in the error (`snap token`, `continuousToken`, …).
 * @param expected - what the error says was expected.
 * @throws {@link InvalidRequestError} for anything that is not a snap token.
 */
export function parseSnapToken(token: unknown, what = 'snap token', expected = 'a decimal integer string'): number | undefined {
  if (token === undefined || token === '') return undefined;
  if (!isSnapToken(token)) throw InvalidRequestError.badValue(what, token, expected);
  return Number(token);
}

/** The snap token of a commit number. */
export function formatSnapToken(commit: number): string {
  return String(commit);
}

/** The commit number of a token the engine or a store issued itself (already known to be well formed). */
export function tokenNumber(token: string): number {
  return Number(token);
}

/** Orders two issued snap tokens by commit (for `Array.prototype.sort`). */
export function compareSnapTokens(a: string, b: string): number {
  return Number(a) - Number(b);
}
