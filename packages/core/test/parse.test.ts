import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError, parseAttribute, parseResource, parseSubject, parseTuple } from '@gatehouse/core';

describe('string forms', () => {
  it('reads a bare subject id as a user', () => {
    expect(parseSubject('alice')).toEqual({ type: 'user', id: 'alice' });
  });
  it('reads a userset subject', () => {
    expect(parseSubject('team:eng#member')).toEqual({ type: 'team', id: 'eng', relation: 'member' });
  });
  it('reads a resource with an id and a type-level resource', () => {
    expect(parseResource('document:42')).toEqual({ type: 'document', id: '42' });
    expect(parseResource('document')).toEqual({ type: 'document' });
  });
  it('rejects a malformed subject with a typed error naming the input', () => {
    expect(() => parseSubject('us3r:x')).toThrow(InvalidRequestError);
    expect(() => parseSubject('')).toThrow(/invalid subject ""/);
  });
  it('parses tuples and attributes in Permify string form', () => {
    expect(parseTuple('document:1#viewer@team:eng#member')).toEqual({
      entity: { type: 'document', id: '1' },
      relation: 'viewer',
      subject: { type: 'team', id: 'eng', relation: 'member' },
    });
    expect(parseAttribute('document:1$tags|string[]:a,b').value).toEqual(['a', 'b']);
    expect(parseAttribute('account:1$balance|double:4000').value).toBe(4000);
    expect(() => parseTuple('document:1#owner')).toThrow(InvalidRequestError);
  });
});
