import { describe, expect, it } from '@jest/globals';

import { GatehouseError } from '@gatehouse/core';

import type { ExprNode } from '../../src/schema/ast.js';
import { parseSchema, SchemaParseError } from '../../src/schema/index.js';

/** Renders an expression with explicit parentheses so precedence and associativity are visible. */
function show(e: ExprNode): string {
  switch (e.kind) {
    case 'binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'name':
      return e.name;
    case 'walk':
      return `${e.tupleSet.name}.${e.computed.name}`;
    case 'call':
      return `${e.rule.name}(${e.args.map((a) => a.name).join(',')})`;
  }
}

function permission(body: string, members = 'relation a @user\nrelation b @user\nrelation c @user\n'): string {
  const ast = parseSchema(`entity user {}\nentity doc {\n${members}permission p = ${body}\n}`);
  const doc = ast.statements[1];
  if (doc?.kind !== 'entity') throw new Error('no entity');
  const p = doc.members.find((m) => m.name.name === 'p');
  if (p?.kind !== 'permission') throw new Error('no permission');
  return show(p.expr);
}

function parseError(text: string): SchemaParseError {
  try {
    parseSchema(text);
  } catch (error) {
    if (error instanceof SchemaParseError) return error;
    throw error;
  }
  throw new Error('expected a SchemaParseError');
}

describe('parseSchema', () => {
  it('reads and, or and not at one precedence level, left to right', () => {
    expect(permission('a or b and c')).toBe('((a or b) and c)');
    expect(permission('a and b or c')).toBe('((a and b) or c)');
    expect(permission('a not b not c')).toBe('((a not b) not c)');
    expect(permission('a or (b and c)')).toBe('(a or (b and c))');
  });

  it('parses tuple-to-userset walks and rule calls as terms', () => {
    expect(permission('parent.admin or check(x, y)')).toBe('(parent.admin or check(x,y))');
  });

  it('treats action as the same keyword as permission', () => {
    const ast = parseSchema('entity user {}\nentity doc { relation owner @user\naction edit = owner }');
    const doc = ast.statements[1];
    expect(doc?.kind === 'entity' && doc.members[1]?.kind).toBe('permission');
  });

  it('treats ";" as a newline between statements', () => {
    const ast = parseSchema('entity user {}; entity doc { relation owner @user; permission edit = owner; }');
    expect(ast.statements.map((s) => s.name.name)).toEqual(['user', 'doc']);
  });

  it('needs no separator between member statements', () => {
    const ast = parseSchema('entity user {}\nentity doc { relation a @user relation b @user permission p = a or b }');
    const doc = ast.statements[1];
    expect(doc?.kind === 'entity' && doc.members.map((m) => m.name.name)).toEqual(['a', 'b', 'p']);
  });

  it('allows one newline after =, (, and, or and not', () => {
    expect(permission('\na or\nb and\n(\nc not\na)')).toBe('((a or b) and (c not a))');
  });

  it('rejects a newline before an operator, naming where', () => {
    const e = parseError('entity user {}\nentity doc {\nrelation a @user\nrelation b @user\npermission p = a\n  or b\n}');
    expect(e.line).toBe(6);
    expect(e.column).toBe(3);
    expect(e.message).toBe('6:3: expected "relation", "attribute", "permission", "action" or "}", found keyword "or"');
  });

  it('rejects a blank line (two newlines) after an operator', () => {
    const e = parseError('entity user {}\nentity doc {\nrelation a @user\npermission p = a or\n\na\n}');
    expect(e.message).toBe('5:1: expected a relation, permission, attribute, rule call or "(", found newline');
  });

  it('rejects a CRLF right after an operator (it lexes as two newlines)', () => {
    expect(() => parseSchema('entity user {}\r\nentity doc {\r\nrelation a @user\r\npermission p = a or\r\na\r\n}')).toThrow(SchemaParseError);
    expect(() => parseSchema('entity user {}\r\n\r\nentity doc {\r\nrelation a @user\r\npermission p = a\r\n}')).not.toThrow();
  });

  it('rejects a newline before ")" inside parentheses', () => {
    const e = parseError('entity user {}\nentity doc {\nrelation a @user\npermission p = (a\n)\n}');
    expect(e.message).toBe('4:18: expected "and", "or", "not" or ")", found newline');
  });

  it('rejects prefix not', () => {
    const e = parseError('entity user {}\nentity doc {\nrelation banned @user\npermission p = not banned\n}');
    expect(e.message).toMatch(/^4:16: expected a relation, permission, attribute, rule call or "\(" \("not" is binary only/);
  });

  it('rejects a walk longer than one step', () => {
    const e = parseError('entity user {}\nentity doc {\nrelation a @user\npermission p = a.b.c\n}');
    expect(e.message).toBe('4:19: expected a single-step walk such as "parent.admin" (not supported relation walk), found "."');
  });

  it('rejects a dotted rule argument', () => {
    const e = parseError('entity user {}\nentity doc {\nrelation a @user\npermission p = f(a.b)\n}');
    expect(e.message).toBe('4:19: expected "," or ")" after a rule argument (not supported walk), found "."');
  });

  it('does not accept digits in names (admin2 lexes as admin then 2)', () => {
    const e = parseError('entity user {}\nentity doc {\nrelation admin2 @user\n}');
    expect(e.message).toBe('3:15: expected "@" and a subject type, found number 2');
  });

  it('rejects keywords and booleans as names', () => {
    expect(parseError('entity relation {}').message).toBe('1:8: expected an entity name (letters and "_" only), found keyword "relation"');
    expect(parseError('entity true {}').message).toBe('1:8: expected an entity name (letters and "_" only), found "true"');
  });

  it('skips junk at the top level', () => {
    const ast = parseSchema('hello 42 "x" } permission p = a\nentity user {}\n@#$');
    expect(ast.statements.map((s) => s.name.name)).toEqual(['user']);
  });

  it('drops // and /* */ comments', () => {
    const ast = parseSchema('// top\nentity user {} /* block\n comment */ entity doc { // trailing\n relation a @user }');
    expect(ast.statements).toHaveLength(2);
  });

  it('keeps a rule body as raw text', () => {
    const ast = parseSchema("entity user {}\nrule r(x integer, tags string[]) {\n  x > 1 && 'eu' in tags\n}");
    const r = ast.statements[1];
    expect(r?.kind === 'rule' && r.body).toBe("\n  x > 1 && 'eu' in tags\n");
    expect(r?.kind === 'rule' && r.params.map((p) => `${p.name.name}:${p.type}`)).toEqual(['x:integer', 'tags:string[]']);
  });

  it('reports a rule body without a closing brace', () => {
    expect(parseError('entity user {}\nrule r(x integer) {\n x > 1').message).toBe('2:19: expected "}" to close the rule body, found end of input');
  });

  it('rejects unknown attribute types', () => {
    expect(parseError('entity doc {\nattribute x number\n}').message).toBe(
      '2:13: expected an attribute type (boolean, string, integer or double), found identifier "number"',
    );
  });

  it('reports duplicate entities, rules and members as parse errors', () => {
    expect(parseError('entity user {}\nentity user {}').message).toMatch(/^2:8: expected a new entity or rule name, found "user"/);
    expect(parseError('entity user {}\nrule user(x integer) { x > 1 }').message).toMatch(/^2:6: .*duplication found for user/);
    expect(parseError('entity doc {\nrelation a @doc\nattribute a boolean\n}').message).toMatch(/^3:11: .*duplication found for doc#a/);
  });

  it('rejects an unterminated entity body', () => {
    expect(parseError('entity doc {\nrelation a @doc').message).toBe('2:16: expected "relation", "attribute", "permission", "action" or "}", found end of input');
  });

  it('throws typed errors with the schema parse code', () => {
    const e = parseError('entity {');
    expect(e).toBeInstanceOf(GatehouseError);
    expect(e.code).toBe('GH_ERR_SCHEMA_PARSE');
  });

  it('rejects expressions nested deeper than its limit instead of overflowing the stack', () => {
    const deep = `${'('.repeat(5000)}a${')'.repeat(5000)}`;
    expect(() => parseSchema(`entity doc { relation a @doc\npermission p = ${deep} }`)).toThrow(SchemaParseError);
    const long = Array.from({ length: 5000 }, () => 'a').join(' or ');
    expect(() => parseSchema(`entity doc { relation a @doc\npermission p = ${long} }`)).toThrow(SchemaParseError);
  });
});
