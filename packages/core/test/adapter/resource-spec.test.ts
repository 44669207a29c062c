import { describe, expect, it } from '@jest/globals';
import { fromBody, fromPathParam, InvalidRequestError } from '@gatehouse/core';
import { compileResource, describeResource, resolveResource } from '@gatehouse/core/adapter';
import type { RequestLike } from '@gatehouse/core';

const req = (parts: Partial<RequestLike> = {}): RequestLike => ({ headers: {}, ...parts });

describe('compileResource', () => {
  it('resolves constant, type-level, resolver and function specs per request', async () => {
    const withId = req({ params: { id: '42' }, body: { doc: { id: '7' } } });
    expect(compileResource('document:1').resolve(withId)).toBe('document:1');
    expect(compileResource('document').resolve(withId)).toBe('document');
    expect(compileResource({ type: 'document' }).resolve(withId)).toBe('document');
    expect(compileResource({ type: 'document', id: '9' }).resolve(withId)).toBe('document:9');
    expect(compileResource({ type: 'document', id: fromPathParam('id') }).resolve(withId)).toBe('document:42');
    expect(compileResource({ type: 'document', id: fromBody('doc.id') }).resolve(withId)).toBe('document:7');
    expect(await compileResource(async () => ({ type: 'folder', id: 'x' })).resolve(withId)).toEqual({ type: 'folder', id: 'x' });
  });

  it('reads the first value of an Express 5 wildcard parameter (string[])', () => {
    const wildcard = req({ params: { id: ['a', 'b'] } });
    expect(compileResource({ type: 'document', id: fromPathParam('id') }).resolve(wildcard)).toBe('document:a');
  });

  it('rejects a malformed spec when the route is defined, naming where it is', () => {
    expect(() => compileResource('document:bad id', 'authorize() resource')).toThrow(InvalidRequestError);
    expect(() => compileResource({ type: 'bad-type' }, 'authorize() resource')).toThrow(/authorize\(\) resource type/);
    expect(() => compileResource({ type: 'document', id: 42 as unknown as string })).toThrow(/resource id/);
    expect(() => compileResource(null as unknown as string)).toThrow(InvalidRequestError);
  });

  it('rejects a request that does not name the resource with InvalidRequestError', () => {
    const compiled = compileResource({ type: 'document', id: fromPathParam('id') });
    expect(() => compiled.resolve(req())).toThrow(/missing document id/);
    expect(() => resolveResource('document', fromPathParam('id'), req({ params: { id: '' } }))).toThrow(InvalidRequestError);
  });
});

describe('describeResource', () => {
  it('names a resource in its string form', () => {
    expect(describeResource('document:1')).toBe('document:1');
    expect(describeResource({ type: 'document', id: '1' })).toBe('document:1');
    expect(describeResource({ type: 'document' })).toBe('document');
  });
});
