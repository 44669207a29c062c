/**
 * Normalises the Permit PDP's inputs the way the permitio SDK may send them (strings or objects, extra
 * fields, the tenant `"default"`) into Gatehouse requests. permit.md §3; tenancy: docs/architecture.md#tenancy.
 */
import { InvalidRequestError, parseResource, parseSubject } from '@gatehouse/core';
import type { Resource, Subject } from '@gatehouse/core';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function attributesOf(v: unknown, where: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw InvalidRequestError.badValue(where, v, 'an object');
  return Object.keys(v).length === 0 ? undefined : v;
}

/** The Permit user (`"u1"` or `{key, attributes, …}`) as a `user:<key>` subject carrying its attributes. */
export function permitUser(u: unknown): Subject {
  if (typeof u === 'string') return parseSubject({ type: 'user', id: u });
  if (!isRecord(u) || typeof u.key !== 'string') throw InvalidRequestError.badValue('user', u, 'a user key or { key, attributes? }');
  const attributes = attributesOf(u.attributes, 'user.attributes');
  const subject = parseSubject({ type: 'user', id: u.key });
  return attributes === undefined ? subject : { ...subject, attributes };
}

/** The user key of a Permit user, for echoing back. */
export function permitUserKey(u: unknown): string {
  return typeof u === 'string' ? u : isRecord(u) && typeof u.key === 'string' ? u.key : '';
}

/** Maps Permit's tenant key to ours: empty or `default` is the server's default tenant. */
export function fromPermitTenant(key: unknown, defaultTenant: string): string {
  if (key === undefined || key === null || key === '' || key === 'default') return defaultTenant;
  if (typeof key !== 'string') throw InvalidRequestError.badValue('resource.tenant', key, 'a tenant key');
  return key;
}

/** Our tenant id as Permit shows it: the default tenant is `default`. */
export function toPermitTenant(tenant: string, defaultTenant: string): string {
  return tenant === defaultTenant ? 'default' : tenant;
}

/** A Permit resource (`"document"`, `"document:d1"`, or `{type, key?, tenant?, attributes?}`). */
export function permitResource(r: unknown): { resource: Resource; tenantKey: unknown } {
  if (typeof r === 'string') {
    if (r.split(':').length > 2) throw InvalidRequestError.badValue('resource', r, '"type" or "type:key"');
    return { resource: parseResource(r), tenantKey: undefined };
  }
  if (!isRecord(r) || typeof r.type !== 'string') throw InvalidRequestError.badValue('resource', r, 'a resource string or { type, key?, tenant? }');
  const attributes = attributesOf(r.attributes, 'resource.attributes');
  const key = r.key === undefined || r.key === null || r.key === '' ? undefined : r.key;
  if (key !== undefined && typeof key !== 'string') throw InvalidRequestError.badValue('resource.key', key, 'a string');
  const base = parseResource(key === undefined ? { type: r.type } : { type: r.type, id: key });
  return { resource: attributes === undefined ? base : { ...base, attributes }, tenantKey: r.tenant };
}

/** The action: a permission name. */
export function permitAction(a: unknown): string {
  if (typeof a !== 'string' || !/^[a-zA-Z_]{1,64}$/.test(a)) throw InvalidRequestError.badValue('action', a, 'a permission name of letters and "_"');
  return a;
}

/** Permit's free-form `context` becomes the rules' `context.data`. */
export function permitContext(c: unknown): { data: Record<string, unknown> } | undefined {
  if (c === undefined || c === null) return undefined;
  if (!isRecord(c)) throw InvalidRequestError.badValue('context', c, 'an object');
  return Object.keys(c).length === 0 ? undefined : { data: c };
}

/** The authorization header value carried in the body of the SDK's broken all-tenants call. */
export function bodyAuthorization(body: unknown): string | undefined {
  if (!isRecord(body) || !isRecord(body.headers)) return undefined;
  for (const [k, v] of Object.entries(body.headers)) if (k.toLowerCase() === 'authorization' && typeof v === 'string') return v;
  return undefined;
}

/** The check of an all-tenants body, in either shape: `{user, action, resource, context}` or `{headers, params}`. */
export function allTenantsQuery(body: unknown): { user: unknown; action: unknown; resource: unknown; context: unknown } {
  if (!isRecord(body)) throw InvalidRequestError.badValue('body', body, 'an object');
  const q = isRecord(body.params) && body.user === undefined ? body.params : body;
  return { user: q.user, action: q.action, resource: q.resource, context: q.context };
}
