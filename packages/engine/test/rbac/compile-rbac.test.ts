import { describe, expect, it } from '@jest/globals';

import { compileRbac } from '../../src/rbac/index.js';
import { compileSchema, SchemaCompileError, SchemaParseError } from '../../src/schema/index.js';

const RBAC = `resources:
  document:
    actions: [read, edit, delete]
    attributes:
      public: boolean
      level: integer
    conditions:
      is_public: public
      deep_enough: level >= context.data.min_level
  invoice:
    actions: [read, pay]
roles:
  guest:
    document:
      - { action: read, when: is_public }
  viewer:
    document: [read]
    invoice: [read]
  editor:
    extends: [viewer]
    document: [edit, { action: delete, when: deep_enough }]
  admin:
    extends: [editor]
    document: ["*"]
    invoice: ["*"]
`;

function failure(yaml: string): SchemaCompileError | SchemaParseError {
  try {
    compileRbac(yaml);
  } catch (error) {
    if (error instanceof SchemaCompileError || error instanceof SchemaParseError) return error;
    throw error;
  }
  throw new Error('expected a typed error');
}

describe('compileRbac', () => {
  it('turns roles into relations of entity tenant and grants into permissions over tenant roles', () => {
    const text = compileRbac(RBAC);
    const schema = compileSchema(text);
    expect([...(schema.entities.get('tenant')?.relations.keys() ?? [])]).toEqual(['guest', 'viewer', 'editor', 'admin', 'tenant']);
    expect(text).toContain('permission read = (tenant.guest and document_is_public(public, level)) or tenant.viewer or tenant.editor or tenant.admin');
    expect(text).toContain('permission edit = tenant.editor or tenant.admin');
    expect(text).toContain('permission delete = (tenant.editor and document_deep_enough(public, level)) or tenant.admin');
    expect(text).toContain('permission pay = tenant.admin');
    expect(schema.entities.get('document')?.relations.get('tenant')?.implicit).toBe(true);
  });

  it('compiles conditions to CEL rules over the resource attributes', () => {
    const schema = compileSchema(compileRbac(RBAC));
    const rule = schema.rules.get('document_deep_enough');
    expect(rule?.params.map((p) => p.name)).toEqual(['public', 'level']);
    expect(rule?.evaluate({ public: false, level: 5 }, { data: { min_level: 3 } })).toBe(true);
    expect(rule?.evaluate({ public: false, level: 1 }, { data: { min_level: 3 } })).toBe(false);
  });

  it('names the YAML line and column of an unknown action', () => {
    const e = failure('resources:\n  doc:\n    actions: [read]\nroles:\n  viewer:\n    doc: [write]\n');
    expect(e).toBeInstanceOf(SchemaCompileError);
    expect([e.line, e.column]).toEqual([6, 11]);
    expect(e.message).toBe('6:11: expected an action of "doc" (read), found "write"');
  });

  it('rejects an unknown resource, role in extends and condition', () => {
    expect(failure('resources:\n  doc: { actions: [read] }\nroles:\n  viewer:\n    page: [read]\n').message).toBe(
      '5:5: expected a resource type declared under "resources", found "page"',
    );
    expect(failure('resources:\n  doc: { actions: [read] }\nroles:\n  viewer:\n    extends: [nobody]\n    doc: [read]\n').message).toBe(
      '5:15: expected a role declared under "roles" in extends of "viewer", found "nobody"',
    );
    expect(
      failure('resources:\n  doc: { actions: [read], attributes: { p: boolean } }\nroles:\n  viewer:\n    doc: [{ action: read, when: nope }]\n').message,
    ).toBe('5:33: expected a condition declared under resources.doc.conditions, found "nope"');
  });

  it('rejects names with digits, reserved resource names and actions no role grants', () => {
    expect(failure('resources:\n  doc2: { actions: [read] }\nroles: {}\n').message).toBe('2:3: expected a resource type of letters and "_" only, found "doc2"');
    expect(failure('resources:\n  user: { actions: [read] }\nroles: {}\n').message).toBe('2:3: expected a resource type other than "user" (reserved), found "user"');
    expect(failure('resources:\n  doc: { actions: [read, edit] }\nroles:\n  viewer: { doc: [read] }\n').message).toBe(
      '2:26: expected action "edit" of resource "doc" to be granted by at least one role, found none',
    );
  });

  it('reports a condition that is not boolean CEL at the condition', () => {
    const e = failure('resources:\n  doc:\n    actions: [read]\n    attributes: { level: integer }\n    conditions:\n      bad: level + 1\nroles:\n  viewer: { doc: [{ action: read, when: bad }] }\n');
    expect(e.message).toBe('6:12: condition "bad" of resource "doc": expected rule "doc_bad" to have type bool, found type int');
  });

  it('reports invalid YAML as a parse error with its position', () => {
    const e = failure('resources:\n  doc: [read\nroles: x\n');
    expect(e).toBeInstanceOf(SchemaParseError);
    expect(e.message).toMatch(/^\d+:\d+: invalid YAML: /);
  });
});
