import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fromHeader, Gatehouse, InvalidRequestError } from '@gatehouse/core';
import type { CheckRequest } from '@gatehouse/core';
import { adapterConfig, bindRequest, RequestGate, resolveRequestSubject } from '@gatehouse/core/adapter';

import { TablePdp } from '../fixtures/table-pdp.js';

describe('resolveRequestSubject: a string from a request is an opaque id, never parsed', () => {
  it('gives "<subjectType>:<id>" for an id, whatever ":" it holds', () => {
    expect(resolveRequestSubject('alice', {})).toBe('user:alice');
    expect(resolveRequestSubject('document:1', {})).toBe('user:document:1');
    expect(resolveRequestSubject('tenant:acme', {})).toBe('user:tenant:acme');
    expect(resolveRequestSubject('ci-bot', { subjectType: 'service' })).toBe('service:ci-bot');
  });

  it('refuses an id that is not one (400 invalid_subject): a "#", the wildcard, spaces, too long, not a string', () => {
    for (const bad of ['tenant:acme#admin', 'document:1#owner', '*', 'al ice', 'x'.repeat(129), 'user:alice#...', 42, true, [], () => 'alice']) {
      expect(resolveRequestSubject(bad, {})).toMatchObject({ status: 400, body: { statusCode: 400, reason: 'invalid_subject' } });
    }
  });

  it('answers 401 for no subject', () => {
    for (const none of [undefined, null, '']) {
      expect(resolveRequestSubject(none, {})).toMatchObject({ status: 401, body: { reason: 'unauthenticated' } });
    }
  });

  it('takes a Subject object to name another type, a userset only with allowSubjectRelations', () => {
    expect(resolveRequestSubject({ type: 'service', id: 'ci' }, {})).toBe('service:ci');
    expect(resolveRequestSubject({ type: 'user', id: 'a', attributes: { level: 3 } }, {})).toEqual({ type: 'user', id: 'a', attributes: { level: 3 } });
    const userset = { type: 'team', id: 'eng', relation: 'member' };
    expect(resolveRequestSubject(userset, {})).toMatchObject({ status: 400, body: { reason: 'invalid_subject' } });
    expect(resolveRequestSubject(userset, { allowSubjectRelations: true })).toEqual(userset);
    expect(resolveRequestSubject({ type: 'team', id: 'eng', relation: 'not a name' }, { allowSubjectRelations: true })).toMatchObject({ status: 400 });
    expect(resolveRequestSubject({ type: 'user:x', id: 'a' }, {})).toMatchObject({ status: 400, body: { reason: 'invalid_subject' } });
    expect(resolveRequestSubject({ type: 'user', id: 'a#b' }, {})).toMatchObject({ status: 400, body: { reason: 'invalid_subject' } });
  });
});

describe('bindRequest', () => {
  const pdp = new TablePdp();
  const config = adapterConfig({ pdp, tenant: fromHeader('x-tenant-id'), subject: (req) => req.headers['x-user'] as string | undefined }, 'test');
  const req = (headers: Record<string, string>) => ({ headers });

  it('binds subject and tenant; 401 before the tenant is looked at; 400 without a tenant by default', () => {
    const bound = bindRequest(config, req({ 'x-user': 'alice', 'x-tenant-id': 'acme' }));
    expect(bound).toBeInstanceOf(RequestGate);
    expect((bound as RequestGate).tenant).toBe('acme');
    expect((bound as RequestGate).subject).toEqual({ type: 'user', id: 'alice' });
    expect(bindRequest(config, req({}))).toMatchObject({ status: 401 });
    expect(bindRequest(config, req({ 'x-user': 'alice' }))).toMatchObject({ status: 400, body: { reason: 'missing_tenant' } });
    expect(bindRequest(config, req({ 'x-user': 'a#b', 'x-tenant-id': 'acme' }))).toMatchObject({ status: 400, body: { reason: 'invalid_subject' } });
  });

  it('asks the PDP about user:<s> for any string s the resolver returns, or refuses the request', async () => {
    const seen: CheckRequest[] = [];
    const recording = new TablePdp();
    recording.inspect = (request) => seen.push(request);
    const client = new Gatehouse({ pdp: recording, cache: false });
    let returned = '';
    const cfg = adapterConfig({ client, subject: () => returned }, 'test');
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.stringMatching(/^[a-z]{1,6}:[a-z0-9]{1,6}(#[a-z.]{1,8})?$/)), async (s) => {
        returned = s;
        seen.length = 0;
        const bound = bindRequest(cfg, { headers: {} });
        if (!(bound instanceof RequestGate)) {
          expect([400, 401]).toContain(bound.status);
          return;
        }
        await bound.check('view', 'document:1');
        expect(seen).toHaveLength(1);
        expect(seen[0]?.subject).toEqual({ type: 'user', id: s });
      }),
      { numRuns: 500 },
    );
  });
});

describe('adapterConfig', () => {
  const pdp = new TablePdp();
  const subject = (): string => 'alice';

  it('defaults: missingTenant reject, subjectType user, no usersets, respond, outages hidden', () => {
    const config = adapterConfig({ pdp, tenant: fromHeader('x-tenant-id'), subject }, 'test');
    expect(config.tenantPolicy).toEqual({ defaultTenant: 't1', missingTenant: 'reject' });
    expect(config.subjectPolicy).toEqual({ subjectType: 'user', allowSubjectRelations: false });
    expect(config).toMatchObject({ onDeny: 'respond', surfaceOutages: false, ownsClient: true });
    expect(Object.isFrozen(config)).toBe(false);
  });

  it('throws InvalidRequestError for every malformed or unknown option', () => {
    const client = new Gatehouse({ pdp });
    const bad: unknown[] = [
      null,
      { subject },
      { pdp, client, subject },
      { pdp: {}, subject },
      { client: {}, subject },
      { pdp, subject: 'alice' },
      { pdp, subject, tenant: 42 },
      { pdp, subject, tenant: 'no such tenant!' },
      { pdp, subject, defaultTenant: '' },
      { pdp, subject, missingTenant: 'ignore' },
      { pdp, subject, onDeny: 'throw' },
      { pdp, subject, surfaceOutages: 'yes' },
      { pdp, subject, allowSubjectRelations: 1 },
      { pdp, subject, subjectType: 'user:x' },
      { client, subject, cache: false },
      { pdp, subject, missingTenants: 'default' },
    ];
    for (const options of bad) {
      expect(() => adapterConfig(options as never, 'test')).toThrow(InvalidRequestError);
    }
  });
});
