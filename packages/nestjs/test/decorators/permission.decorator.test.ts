import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '@gatehouse/core';
import { AnyPermission, fromParam, Permission, PERMISSIONS_METADATA, ANY_PERMISSION_METADATA } from '@gatehouse/nestjs';
import type { Requirement } from '@gatehouse/nestjs';

const idFromParam = fromParam('id');

describe('@Permission()', () => {
  it('stores a type-level requirement on a handler', () => {
    class Docs {
      @Permission('create', 'document')
      public create(): void {}
    }
    const stored = Reflect.getMetadata(PERMISSIONS_METADATA, Docs.prototype.create) as Requirement[];
    expect(stored).toEqual([{ action: 'create', resourceType: 'document', id: undefined, resource: 'document' }]);
  });

  it('stores the id resolver of an instance-level requirement', () => {
    class Docs {
      @Permission('edit', 'document', { id: idFromParam })
      public update(): void {}
    }
    const [stored] = Reflect.getMetadata(PERMISSIONS_METADATA, Docs.prototype.update) as Requirement[];
    expect(stored?.id).toBe(idFromParam);
    expect(stored?.resource).toBeUndefined();
  });

  it('turns a fixed id into a fixed resource', () => {
    class Settings {
      @Permission('manage', 'settings', { id: 'main' })
      public update(): void {}
    }
    const [stored] = Reflect.getMetadata(PERMISSIONS_METADATA, Settings.prototype.update) as Requirement[];
    expect(stored?.resource).toBe('settings:main');
  });

  it('keeps several decorators on one handler in source order', () => {
    class Docs {
      @Permission('edit', 'document', { id: idFromParam })
      @Permission('delete', 'document', { id: idFromParam })
      public remove(): void {}
    }
    const stored = Reflect.getMetadata(PERMISSIONS_METADATA, Docs.prototype.remove) as Requirement[];
    expect(stored.map((r) => r.action)).toEqual(['edit', 'delete']);
  });

  it('stores a controller-level requirement on the class', () => {
    @Permission('read', 'document')
    class Docs {
      public list(): void {}
    }
    expect(Reflect.getMetadata(PERMISSIONS_METADATA, Docs)).toHaveLength(1);
    expect(Reflect.getMetadata(PERMISSIONS_METADATA, Docs.prototype.list)).toBeUndefined();
  });

  it('throws at definition time for an action that is not a name', () => {
    expect(() => Permission('ed it', 'document')).toThrow(/@Permission\(\): expected action .* got "ed it"/);
    expect(() => Permission('', 'document')).toThrow(InvalidRequestError);
  });

  it('throws at definition time for a malformed resource type', () => {
    expect(() => Permission('edit', 'document:1')).toThrow(/expected resourceType .* got "document:1"/);
  });

  it('throws at definition time for an id that is neither a resolver nor an id', () => {
    expect(() => Permission('edit', 'document', { id: 'a b' })).toThrow(/options\.id/);
    expect(() => Permission('edit', 'document', { id: 42 as unknown as string })).toThrow(/options\.id/);
    expect(() => Permission('edit', 'document', 'id' as unknown as object)).toThrow(/expected options to be an object/);
  });

  it('shows the offending argument itself, as compact JSON, rather than "an object"', () => {
    expect(() => Permission('edit', 'document', { id: { from: 'param' } as unknown as string }))
      .toThrow(/expected options\.id to be a resolver .*, got \{"from":"param"\}$/);
    expect(() => Permission('edit', 'document', ['id'] as unknown as object)).toThrow(/got \["id"\]$/);
    expect(() => Permission('edit', 'document', { id: ['x'.repeat(200)] as unknown as string })).toThrow(/got \["x+…$/);
  });
});

describe('@AnyPermission()', () => {
  it('stores one group of alternatives per decorator', () => {
    class Docs {
      @AnyPermission([
        { action: 'delete', resourceType: 'document', id: idFromParam },
        { action: 'admin', resourceType: 'tenant' },
      ])
      public remove(): void {}
    }
    const groups = Reflect.getMetadata(ANY_PERMISSION_METADATA, Docs.prototype.remove) as Requirement[][];
    expect(groups).toHaveLength(1);
    expect(groups[0]?.map((r) => `${r.action}/${r.resourceType}`)).toEqual(['delete/document', 'admin/tenant']);
  });

  it('throws at definition time for an empty list', () => {
    expect(() => AnyPermission([])).toThrow(/non-empty array/);
  });

  it('names the malformed item', () => {
    expect(() => AnyPermission([{ action: 'read', resourceType: 'document' }, { action: 'x-y', resourceType: 'document' }])).toThrow(
      /@AnyPermission\(\) item 1: expected action/,
    );
  });
});
