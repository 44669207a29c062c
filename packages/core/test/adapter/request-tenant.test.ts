import { describe, expect, it } from '@jest/globals';
import { fromHeader } from '@gatehouse/core';
import { resolveRequestTenant } from '@gatehouse/core/adapter';

const byHeader = fromHeader('x-tenant-id');
const req = (tenant?: string) => ({ headers: tenant === undefined ? {} : { 'x-tenant-id': tenant } });

describe('resolveRequestTenant', () => {
  it("gives the request's tenant, or the default one when it names none", () => {
    expect(resolveRequestTenant(byHeader, req('acme'), { defaultTenant: 't1' })).toBe('acme');
    expect(resolveRequestTenant(byHeader, req(), { defaultTenant: 't1', missingTenant: 'default' })).toBe('t1');
    expect(resolveRequestTenant(undefined, req('acme'), { defaultTenant: 't1' })).toBe('t1');
    expect(resolveRequestTenant(byHeader, req(''), { defaultTenant: 't1', missingTenant: 'default' })).toBe('t1');
  });

  it('answers 400 missing_tenant by default (and with missingTenant reject), and 400 invalid_tenant for a malformed id', () => {
    expect(resolveRequestTenant(byHeader, req(''), { defaultTenant: 't1' })).toMatchObject({ status: 400, body: { reason: 'missing_tenant' } });
    expect(resolveRequestTenant(byHeader, req(), { defaultTenant: 't1', missingTenant: 'reject' })).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: expect.stringContaining('no tenant'), reason: 'missing_tenant' },
    });
    expect(resolveRequestTenant(byHeader, req('no such tenant!'), { defaultTenant: 't1' })).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: expect.stringContaining('invalid tenant id'), reason: 'invalid_tenant' },
    });
    expect(resolveRequestTenant(() => 42 as unknown as string, req(), { defaultTenant: 't1' })).toMatchObject({ status: 400 });
  });
});
