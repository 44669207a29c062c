import { ID_PATTERN, InvalidRequestError, NAME_PATTERN, TENANT_PATTERN } from '@gatehouse/core';

/** A user id: Permify's id pattern, without the `*` wildcard. @internal */
export function userId(value: unknown, what = 'user_id'): string {
  if (typeof value !== 'string' || value === '*' || !ID_PATTERN.test(value)) {
    throw InvalidRequestError.badValue(what, value, 'a user id of 1-128 letters, digits or "_-@.:+"');
  }
  return value;
}

/** A role (relation) name. @internal */
export function roleName(value: unknown, what = 'role'): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) throw InvalidRequestError.badValue(what, value, 'a role name of letters and "_"');
  return value;
}

/** A tenant id. @internal */
export function tenantId(value: unknown): string {
  if (typeof value !== 'string' || !TENANT_PATTERN.test(value)) throw InvalidRequestError.badTenant(value);
  return value;
}

const EMAIL = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;
/** Control characters (C0, DEL, C1) and bidirectional overrides: never part of an address, name or filter. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** An email address (a plausibility check; Gatehouse sends no email). @internal */
export function email(value: unknown): string {
  if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value) || CONTROL.test(value)) throw InvalidRequestError.badValue('email', value, 'an email address');
  return value;
}

/** A display name: 1-200 characters, no control characters. @internal */
export function displayName(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200 || CONTROL.test(value)) {
    throw InvalidRequestError.badValue('name', value, 'a display name of 1-200 characters without control characters');
  }
  return value;
}

/** An RFC 3339 timestamp. @internal */
export function timestamp(value: unknown, what: string): Date {
  const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : undefined;
  if (d === undefined || Number.isNaN(d.getTime())) throw InvalidRequestError.badValue(what, value, 'an RFC 3339 timestamp such as 2026-01-31T12:00:00Z');
  return d;
}

/** A short free-text filter value (audit actor/target/action, member query). @internal */
export function shortText(value: unknown, what: string, max = 300): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || CONTROL.test(value)) {
    throw InvalidRequestError.badValue(what, value, `a string of 1-${String(max)} characters without control characters`);
  }
  return value;
}
