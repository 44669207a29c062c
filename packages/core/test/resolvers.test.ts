import { describe, expect, it } from '@jest/globals';
import { firstOf, fromBody, fromClaim, fromFn, fromHeader, fromPathParam, fromQuery, fromSubdomain } from '@gatehouse/core';
import type { RequestLike } from '@gatehouse/core';

const req = (over: Partial<RequestLike> = {}): RequestLike => ({ headers: {}, ...over });

describe('tenant resolvers', () => {
  it('fromHeader reads a header case-insensitively, the first value when repeated', () => {
    expect(fromHeader('X-Tenant-Id')(req({ headers: { 'x-tenant-id': 'acme' } }))).toBe('acme');
    expect(fromHeader('x-tenant-id')(req({ headers: { 'x-tenant-id': ['acme', 'evil'] } }))).toBe('acme');
    expect(fromHeader('x-tenant-id')(req())).toBeUndefined();
    expect(fromHeader('x-tenant-id')(req({ headers: { 'x-tenant-id': '' } }))).toBeUndefined();
  });

  it('fromSubdomain reads the left-most label, only under baseDomain when given', () => {
    expect(fromSubdomain()(req({ hostname: 'acme.example.com' }))).toBe('acme');
    expect(fromSubdomain()(req({ hostname: 'example.com' }))).toBeUndefined();
    expect(fromSubdomain()(req({ headers: { host: 'acme.example.com:8080' } }))).toBe('acme');
    const base = fromSubdomain({ baseDomain: 'example.com' });
    expect(base(req({ hostname: 'Acme.Example.com' }))).toBe('acme');
    expect(base(req({ hostname: 'example.com' }))).toBeUndefined();
    expect(base(req({ hostname: 'acme.evil.com' }))).toBeUndefined();
    expect(base(req({ hostname: 'x.acme.example.com' }))).toBe('acme');
  });

  it('fromPathParam, fromQuery, fromClaim and fromBody read their part of the request', () => {
    expect(fromPathParam('tenantId')(req({ params: { tenantId: 'acme' } }))).toBe('acme');
    expect(fromPathParam('tenantId')(req())).toBeUndefined();
    expect(fromQuery('tenant')(req({ query: { tenant: ['acme', 'x'] } }))).toBe('acme');
    expect(fromQuery('tenant')(req({ query: { tenant: { nested: 1 } } }))).toBeUndefined();
    expect(fromClaim('org_id')(req({ user: { org_id: 'acme' } }))).toBe('acme');
    expect(fromClaim('org.id')(req({ user: { org: { id: 42 } } }))).toBe('42');
    expect(fromClaim('org.id')(req({ user: null }))).toBeUndefined();
    expect(fromClaim('__proto__.x')(req({ user: {} }))).toBeUndefined();
    expect(fromBody('document.id')(req({ body: { document: { id: 'd1' } } }))).toBe('d1');
  });

  it('fromFn wraps a function and treats its exceptions as absent', () => {
    expect(fromFn(() => 'acme')(req())).toBe('acme');
    expect(fromFn(() => { throw new Error('x'); })(req())).toBeUndefined();
  });

  it('firstOf returns the first value found', () => {
    const resolve = firstOf(fromHeader('x-tenant-id'), fromSubdomain(), fromClaim('org_id'));
    expect(resolve(req({ user: { org_id: 'claim' } }))).toBe('claim');
    expect(resolve(req({ hostname: 'sub.example.com', user: { org_id: 'claim' } }))).toBe('sub');
    expect(resolve(req({ headers: { 'x-tenant-id': 'hdr' }, hostname: 'sub.example.com' }))).toBe('hdr');
    expect(resolve(req())).toBeUndefined();
  });
});
