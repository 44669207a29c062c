import { describe, expect, it } from '@jest/globals';
import { attributeFromWire, expandToWire, tupleFilterFromWire, valueFromWire, valueToWire } from '../src/wire.js';
import { resourceTypes } from '../src/schema-info.js';
import { compareTokens } from '../src/watch-hub.js';

describe('Permify wire forms', () => {
  it('reads every Any kind and writes it back unchanged', () => {
    const cases: [string, unknown][] = [
      ['BooleanValue', true],
      ['StringValue', 'eu'],
      ['IntegerValue', 42],
      ['DoubleValue', 1.5],
      ['BooleanArrayValue', [true, false]],
      ['StringArrayValue', ['a', 'b']],
      ['IntegerArrayValue', [1, 2]],
      ['DoubleArrayValue', [0.5, 2]],
    ];
    for (const [kind, data] of cases) {
      const any = { '@type': `type.googleapis.com/base.v1.${kind}`, data };
      const { value, valueType } = valueFromWire(any, 'value');
      expect(valueToWire(value, valueType)).toEqual(any);
    }
  });

  it('rejects an Any whose data does not fit its type, or an unknown type', () => {
    expect(() => valueFromWire({ '@type': 'type.googleapis.com/base.v1.BooleanValue', data: 'yes' }, 'value')).toThrow(/BooleanValue|boolean/);
    expect(() => valueFromWire({ '@type': 'type.googleapis.com/base.v1.IntegerValue', data: 1.5 }, 'value')).toThrow(/integer/);
    expect(() => valueFromWire({ '@type': 'type.googleapis.com/google.protobuf.Struct', data: {} }, 'value')).toThrow(/@type/);
    expect(() => valueFromWire({ nested: true }, 'value')).toThrow(/Any value/);
    expect(() => valueFromWire([true, 'x'], 'value')).toThrow(/Any value/);
  });

  it('reads attributes in both forms', () => {
    const fromObject = attributeFromWire({ entity: { type: 'document', id: '1' }, attribute: 'public', value: { '@type': 'type.googleapis.com/base.v1.BooleanValue', data: true } });
    expect(fromObject).toEqual({ entity: { type: 'document', id: '1' }, attribute: 'public', value: true, valueType: 'boolean' });
    expect(attributeFromWire('document:1$public|boolean:true')).toEqual(fromObject);
  });

  it('treats empty filter fields as wildcards', () => {
    expect(tupleFilterFromWire({ entity: { type: '', ids: [] }, relation: '', subject: { type: '', ids: [], relation: '' } })).toEqual({});
    expect(tupleFilterFromWire({ entity: { type: 'document', ids: ['1'] }, subject: { type: 'user', relation: '' } })).toEqual({ entity: { type: 'document', ids: ['1'] }, subject: { type: 'user' } });
  });

  it('renders attribute leaves of an expand tree as Anys', () => {
    const tree = expandToWire({
      entity: { type: 'document', id: '1' },
      permission: 'view',
      arguments: [],
      expand: { operation: 'OPERATION_UNION', children: [{ entity: { type: 'document', id: '1' }, permission: 'public', arguments: [], leaf: { value: false } }] },
    });
    expect(tree).toEqual({
      entity: { type: 'document', id: '1' },
      permission: 'view',
      arguments: [],
      expand: { operation: 'OPERATION_UNION', children: [{ entity: { type: 'document', id: '1' }, permission: 'public', arguments: [], leaf: { value: { '@type': 'type.googleapis.com/base.v1.BooleanValue', data: false } } }] },
    });
  });

  it('lists resource types of a compiled schema: entities with permissions, except tenant', () => {
    const def = { entity_definitions: { user: { permissions: {} }, tenant: { permissions: { x: {} } }, document: { permissions: { edit: {} } }, folder: { permissions: { view: {} } } } };
    expect(resourceTypes(def)).toEqual(['document', 'folder']);
    expect(resourceTypes(null)).toEqual([]);
  });

  it('orders snap tokens as numbers', () => {
    expect(compareTokens('9', '10')).toBeLessThan(0);
    expect(compareTokens('10', '10')).toBe(0);
    expect(compareTokens('100000000000000000001', '100000000000000000000')).toBeGreaterThan(0);
  });
});

describe('jsonDepthExceeds', () => {
  it('counts nesting outside strings only', async () => {
    const { jsonDepthExceeds } = await import('../src/json-depth.js');
    expect(jsonDepthExceeds('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a":[1,{"b":[2]}]}', 3)).toBe(true);
    expect(jsonDepthExceeds('{"a":"[[[[[[[\\"{{{{{"}', 1)).toBe(false);
    expect(jsonDepthExceeds('[]', 0)).toBe(true);
  });
});
