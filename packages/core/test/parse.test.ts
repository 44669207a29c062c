import { describe, expect, it } from '@jest/globals';
import { Gatehouse, InvalidRequestError, parseAttribute, parseResource, parseSubject, parseTuple } from '@gatehouse/core';

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

describe('InvalidRequestError messages', () => {
  it('show the offending object as compact JSON, truncated, rather than a placeholder', () => {
    expect(() => parseSubject({ type: 'user' } as never)).toThrow(/^invalid subject \{"type":"user"\}/);
    expect(() => new Gatehouse({ pdp: { check: 1 } as never })).toThrow(/^invalid options\.pdp \{"check":1\}: expected a Pdp/);
    expect(() => parseResource(['document', 1] as never)).toThrow(/^invalid resource \["document",1\]/);
    const long = { type: 'user', id: 'x'.repeat(500) };
    const message = (() => { try { parseSubject(long); return ''; } catch (err) { return (err as Error).message; } })();
    expect(message).toMatch(/^invalid subject \{"type":"user","id":"x+…: expected/);
    expect(message.length).toBeLessThan(300);
  });

  it('name the class of an instance and survive values JSON cannot show', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => parseSubject(cyclic as never)).toThrow(/^invalid subject \{"a":1,"self":"\[circular\]"\}/);
    expect(() => new Gatehouse({ pdp: new Map() as never })).toThrow(/^invalid options\.pdp an instance of Map: expected a Pdp/);
    expect(() => new Gatehouse({ pdp: { n: 10n } as never })).toThrow(/^invalid options\.pdp \{"n":"10"\}/);
  });
});
