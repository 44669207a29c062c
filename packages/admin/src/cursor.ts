import { InvalidRequestError } from '@gatehouse/core';

/** The kinds of list a continuation token belongs to; a token of one kind is refused by another. */
export type CursorKind = 'members' | 'invitations' | 'audit';

const MAX_TOKEN = 1024;

/**
 * Encodes where the next page starts as an opaque token (base64url of a small JSON object naming the list and
 * the tenant).
 * @internal
 */
export function encodeCursor(kind: CursorKind, tenant: string, after: string): string {
  return Buffer.from(JSON.stringify({ k: kind, t: tenant, a: after }), 'utf8').toString('base64url');
}

/**
 * Decodes a continuation token, or `undefined` for none (`''`).
 * @throws InvalidRequestError when the token is malformed, or belongs to another list or tenant.
 * @internal
 */
export function decodeCursor(kind: CursorKind, tenant: string, token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  const bad = (): InvalidRequestError =>
    InvalidRequestError.badValue('continuous_token', token, `the continuous_token of a previous ${kind} page of this tenant`);
  if (token.length > MAX_TOKEN || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null) throw bad();
  const { k, t, a } = parsed as Record<string, unknown>;
  if (k !== kind || t !== tenant || typeof a !== 'string' || a === '') throw bad();
  if (kind === 'audit' && !/^\d{1,30}$/.test(a)) throw bad();
  return a;
}

/** `page_size` → a limit: default 50, 1…1000. @internal */
export function pageLimit(size: number | undefined): number {
  if (size === undefined || size === 0) return 50;
  if (!Number.isInteger(size) || size < 1 || size > 1000) throw InvalidRequestError.badValue('page_size', size, 'an integer from 1 to 1000 (0 for the default, 50)');
  return size;
}
