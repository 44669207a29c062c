import { createHash, randomBytes } from 'node:crypto';

/** Bytes of randomness in an invitation token (256 bits). */
export const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new invitation token: 256 random bits, base64url (43 characters). @internal */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The stored form of a token: hex SHA-256. @internal */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when the string has the shape of a token this package issues. @internal */
export function looksLikeToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}
