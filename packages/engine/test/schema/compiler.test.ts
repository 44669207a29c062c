import { describe, expect, it } from '@jest/globals';

import { compileSchema, SchemaCompileError, toPermifyDefinition } from '../../src/schema/index.js';

function compileError(text: string): SchemaCompileError {
  try {
    compileSchema(text);
  } catch (error) {
    if (error instanceof SchemaCompileError) return error;
    throw error;
  }
  throw new Error('expected a SchemaCompileError');
}

const BASE = `entity user {}
entity team {
    relation member @user
    permission everyone = member
}
entity org {
    relation admin @user
    attribute region string
}
`;

describe('compileSchema', () => {
  it('compiles the permify.md §1.6 example to the IR the evaluator walks', () => {
    const schema = compileSchema(`entity user {}
entity organization {
    relation admin @user
    relation member @user
    attribute region string
}
entity team {
    relation org @organization
    relation member @user @team#member
}
entity document {
    relation org    @organization
    relation owner  @user
    relation viewer @user @team#member @organization#member
    relation banned @user
    attribute is_public boolean
    attribute min_level integer

    permission edit        = owner or org.admin
    permission view        = (edit or viewer or is_public) not banned
    action     read_secret = view and has_level(min_level)
}
rule has_level(min_level integer) {
    context.data.level >= min_level
}`);
    const doc = schema.entities.get('document');
    expect(doc?.relations.get('viewer')?.references).toEqual([
      { type: 'user' },
      { type: 'team', relation: 'member' },
      { type: 'organization', relation: 'member' },
    ]);
    expect(doc?.permissions.get('edit')?.expr).toEqual({
      kind: 'union',
      left: { kind: 'computedUserSet', relation: 'owner' },
      right: { kind: 'tupleToUserSet', tupleSet: 'org', computed: 'admin' },
    });
    expect(doc?.permissions.get('view')?.expr).toEqual({
      kind: 'exclusion',
      left: {
        kind: 'union',
        left: { kind: 'union', left: { kind: 'computedUserSet', relation: 'edit' }, right: { kind: 'computedUserSet', relation: 'viewer' } },
        right: { kind: 'computedAttribute', attribute: 'is_public' },
      },
      right: { kind: 'computedUserSet', relation: 'banned' },
    });
    expect(doc?.permissions.get('read_secret')?.expr).toEqual({
      kind: 'intersection',
      left: { kind: 'computedUserSet', relation: 'view' },
      right: { kind: 'call', rule: 'has_level', args: ['min_level'] },
    });
    expect(doc?.members.get('is_public')).toBe('attribute');
    expect(schema.rules.get('has_level')?.params).toEqual([{ name: 'min_level', type: 'integer' }]);
  });

  it('requires at least one entity', () => {
    expect(compileError('rule r(x integer) { x > 1 }').message).toBe('1:1: expected at least one entity, found none (no entity references found in schema)');
  });

  it('rejects a relation to an undefined entity', () => {
    expect(compileError('entity doc {\n  relation owner @person\n}').message).toBe('2:19: expected an entity type after "@", found undefined entity "person"');
  });

  it('requires @T#s to name a relation, not a permission', () => {
    const e = compileError(`${BASE}entity doc {\n    relation viewer @team#everyone\n}`);
    expect(e.message).toBe('11:27: expected a relation of entity "team" after "#", found permission "everyone"');
  });

  it('rejects an undefined bare name', () => {
    const e = compileError(`${BASE}entity doc {\n    relation owner @user\n    permission edit = owner or editor\n}`);
    expect(e.message).toBe('12:32: expected a relation, permission or boolean attribute of entity "doc", found undefined name "editor"');
  });

  it('accepts only boolean attributes as bare leaves', () => {
    const e = compileError(`${BASE}entity doc {\n    attribute level integer\n    attribute tags boolean[]\n    permission p = level\n}`);
    expect(e.message).toBe('13:20: expected a boolean attribute, relation or permission, found attribute "level" of type integer');
    expect(compileError(`${BASE}entity doc {\n    attribute tags boolean[]\n    permission p = tags\n}`).message).toMatch(/found attribute "tags" of type boolean\[\]/);
  });

  it('requires the left of a walk to be a relation', () => {
    const e = compileError(`${BASE}entity doc {\n    relation owner @user\n    permission p = owner\n    permission q = p.admin\n}`);
    expect(e.message).toBe('13:20: expected a relation of entity "doc" before ".", found permission "p"');
  });

  it('requires the right of a walk to be a relation or permission of every type the relation allows', () => {
    const e = compileError(`${BASE}entity doc {\n    relation parent @org @team\n    permission p = parent.admin\n}`);
    expect(e.message).toBe('12:27: expected a relation or permission of entity "team" after "parent.", found undefined name "admin"');
    const a = compileError(`${BASE}entity doc {\n    relation parent @org\n    permission p = parent.region\n}`);
    expect(a.message).toBe('12:27: expected a relation or permission of entity "org" after "parent.", found attribute "region" of type string');
  });

  it('accepts a walk into a permission through a subject relation type', () => {
    expect(() => compileSchema(`${BASE}entity doc {\n    relation t @team#member\n    permission p = t.everyone\n}`)).not.toThrow();
  });

  it('rejects calls to undefined rules', () => {
    const e = compileError(`${BASE}entity doc {\n    attribute x integer\n    permission p = nope(x)\n}`);
    expect(e.message).toBe('12:20: expected a rule name before "(", found undefined rule "nope" (invalid rule reference)');
  });

  it('rejects zero-argument calls and wrong argument counts', () => {
    const rule = 'rule r(x integer) { x > 1 }\nrule two(x integer, y integer) { x > y }\n';
    expect(compileError(`${BASE}entity doc {\n    attribute x integer\n    permission p = r()\n}\n${rule}`).message).toBe(
      '12:20: expected 1 argument(s) to rule "r", found none (missing argument)',
    );
    expect(compileError(`${BASE}entity doc {\n    attribute x integer\n    permission p = two(x)\n}\n${rule}`).message).toBe(
      '12:20: expected 2 argument(s) to rule "two", found 1 (missing argument)',
    );
  });

  it('binds rule arguments by name to same-entity attributes of the same type', () => {
    const rule = 'rule check_balance(balance double) { balance >= context.data.amount }\n';
    expect(() => compileSchema(`${BASE}entity account {\n    attribute balance double\n    permission w = check_balance(balance)\n}\n${rule}`)).not.toThrow();
    // Same type, different name: invalid argument.
    expect(compileError(`${BASE}entity account {\n    attribute amount double\n    permission w = check_balance(amount)\n}\n${rule}`).message).toBe(
      '12:34: expected an attribute named and typed as a parameter of rule "check_balance" (balance double), found attribute "amount" of type double (invalid argument)',
    );
    // Same name, different type: invalid argument.
    expect(compileError(`${BASE}entity account {\n    attribute balance integer\n    permission w = check_balance(balance)\n}\n${rule}`).message).toMatch(
      /^12:34: .*found attribute "balance" of type integer \(invalid argument\)$/,
    );
    // Not an attribute at all.
    expect(compileError(`${BASE}entity account {\n    relation balance @user\n    permission w = check_balance(balance)\n}\n${rule}`).message).toBe(
      '12:34: expected an attribute of entity "account" as rule argument, found relation "balance"',
    );
  });

  it('rejects the same argument twice', () => {
    const rule = 'rule two(x integer, y integer) { x > y }\n';
    expect(compileError(`${BASE}entity doc {\n    attribute x integer\n    attribute y integer\n    permission p = two(x, x)\n}\n${rule}`).message).toMatch(
      /^13:27: .*attribute "x" of type integer again \(invalid argument\)$/,
    );
  });

  it('requires rule bodies to be well-typed boolean CEL, at the body position', () => {
    expect(compileError('entity user {}\nrule r(x integer) {\n  x + 1\n}').message).toBe('2:20: expected rule "r" to have type bool, found type int');
    expect(compileError("entity user {}\nrule r(x integer) {\n  x + 'a' > 1\n}").message).toMatch(/^3:3: expected a well-typed CEL expression in rule "r", found: no such overload: int \+ string/);
    expect(compileError('entity user {}\nrule r(x integer) { x >= = 1 }').message).toMatch(/^2:26: expected a CEL expression in rule "r", found a syntax error/);
    expect(compileError('entity user {}\nrule r(x integer) { y > 1 }').message).toMatch(/Unknown variable: y/);
  });

  it('keeps a rule body raw, so single- and double-quoted CEL strings both work (Permify strips double quotes)', () => {
    expect(() => compileSchema('entity user {}\nrule r(region string) { region == "eu" }')).not.toThrow();
    expect(() => compileSchema("entity user {}\nrule r(region string) { region == 'eu' }")).not.toThrow();
  });

  it('adds an implicit tenant relation when the schema has entity tenant', () => {
    const schema = compileSchema('entity user {}\nentity tenant { relation admin @user }\nentity doc {\n relation owner @user\n permission edit = owner or tenant.admin\n}\nentity own {\n relation tenant @user\n}');
    expect(schema.entities.get('doc')?.relations.get('tenant')).toEqual({ name: 'tenant', references: [{ type: 'tenant' }], implicit: true });
    expect(schema.entities.get('own')?.relations.get('tenant')?.implicit).toBeUndefined();
    expect(compileError('entity user {}\nentity doc {\n relation owner @user\n permission edit = tenant.admin\n}').message).toMatch(/undefined name "tenant"/);
  });

  it('renders Permify compiled JSON for schemas/read', () => {
    const schema = compileSchema('entity user {}\nentity doc {\n relation org @org\n relation owner @user\n attribute level integer\n permission edit = owner or org.admin\n action view = edit and ok(level)\n}\nentity org { relation admin @user }\nrule ok(level integer) { level > 1 }');
    const json = toPermifyDefinition(schema) as any;
    expect(json.references).toEqual({ user: 'REFERENCE_ENTITY', doc: 'REFERENCE_ENTITY', org: 'REFERENCE_ENTITY', ok: 'REFERENCE_RULE' });
    expect(json.entity_definitions.doc.references).toEqual({
      org: 'REFERENCE_RELATION',
      owner: 'REFERENCE_RELATION',
      level: 'REFERENCE_ATTRIBUTE',
      edit: 'REFERENCE_PERMISSION',
      view: 'REFERENCE_PERMISSION',
    });
    expect(json.entity_definitions.doc.relations.owner).toEqual({ name: 'owner', relation_references: [{ type: 'user', relation: '' }] });
    expect(json.entity_definitions.doc.attributes.level).toEqual({ name: 'level', type: 'ATTRIBUTE_TYPE_INTEGER' });
    expect(json.entity_definitions.doc.permissions.edit).toEqual({
      name: 'edit',
      child: {
        rewrite: {
          rewrite_operation: 'OPERATION_UNION',
          children: [
            { leaf: { computed_user_set: { relation: 'owner' } } },
            { leaf: { tuple_to_user_set: { tupleSet: { relation: 'org' }, computed: { relation: 'admin' } } } },
          ],
        },
      },
    });
    expect(json.entity_definitions.doc.permissions.view.child.rewrite.children[1]).toEqual({
      leaf: { call: { rule_name: 'ok', arguments: [{ computed_attribute: { name: 'level' } }] } },
    });
    expect(json.rule_definitions.ok.arguments).toEqual({ level: 'ATTRIBUTE_TYPE_INTEGER' });
  });
});

describe('compileSchema edge names', () => {
  it('rejects a rule parameter name that CEL reserves, with a typed error', () => {
    expect(compileError('entity user {}\nrule r(int integer) { int > 1 }').message).toMatch(/^2:8: expected a parameter name that is not reserved in CEL, found "int"/);
    expect(compileError('entity user {}\nrule r(context integer) { context > 1 }').message).toMatch(/^2:8: expected a parameter name other than "context"/);
  });

  it('keeps members named like Object.prototype properties in the Permify JSON', () => {
    const json = toPermifyDefinition(compileSchema('entity user {}\nentity doc { relation __proto__ @user\n relation constructor @user }')) as any;
    expect(Object.keys(json.entity_definitions.doc.relations)).toEqual(['__proto__', 'constructor']);
  });
});
