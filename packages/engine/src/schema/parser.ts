import type { EntityNode, ExprNode, MemberNode, NameNode, RelationTypeNode, RuleNode, RuleParamNode, SchemaAst } from './ast.js';
import { SchemaParseError, type SourcePosition } from './errors.js';
import type { AttributeType } from './ir.js';
import { describeToken, Lexer, type Token, type TokenKind } from './lexer.js';

/** Deeper permission expressions are rejected, so no later recursive walk can overflow the stack. */
export const MAX_EXPRESSION_DEPTH = 1000;

const BASE_TYPES = new Set(['boolean', 'string', 'integer', 'double']);

function at(token: Token): SourcePosition {
  return { line: token.line, column: token.column };
}

function heightOf(node: ExprNode, heights: WeakMap<ExprNode, number>): number {
  return heights.get(node) ?? 1;
}

/**
 * Parses schema text into its syntax tree (permify.md §1.2). Statements other than `entity` and `rule` at the
 * top level are skipped, as Permify does. Duplicate names are parse errors: entities and rules share one
 * namespace, and the relations, attributes and permissions of an entity share another.
 *
 * @param text - The schema source.
 * @returns The syntax tree.
 * @throws {@link SchemaParseError} with the line and column of the first problem.
 * @example
 * ```ts
 * const ast = parseSchema('entity user {}\nentity doc { relation owner @user\n permission edit = owner }');
 * ast.statements.length; // 2
 * ```
 */
export function parseSchema(text: string): SchemaAst {
  return new Parser(text).parse();
}

class Parser {
  private readonly lexer: Lexer;
  private cur: Token;
  private readonly heights = new WeakMap<ExprNode, number>();

  public constructor(text: string) {
    this.lexer = new Lexer(text);
    this.cur = this.lexer.next();
  }

  public parse(): SchemaAst {
    const statements: (EntityNode | RuleNode)[] = [];
    const globals = new Map<string, string>();
    while (this.kind() !== 'eof') {
      if (this.kind() === 'entity' || this.kind() === 'rule') {
        const statement = this.kind() === 'entity' ? this.entity() : this.rule();
        const name = statement.name;
        const previous = globals.get(name.name);
        if (previous !== undefined) {
          throw new SchemaParseError(
            `expected a new entity or rule name, found "${name.name}" which is already declared as ${previous === 'entity' ? 'an entity' : 'a rule'} (duplication found for ${name.name})`,
            name.position,
          );
        }
        globals.set(name.name, statement.kind);
        statements.push(statement);
      } else {
        this.advance();
      }
    }
    return { statements };
  }

  /** A method, not a field read, so narrowing does not survive `advance()`. */
  private kind(): TokenKind {
    return this.cur.kind;
  }

  private advance(): void {
    this.cur = this.lexer.next();
  }

  private fail(expected: string): never {
    throw SchemaParseError.expected(expected, describeToken(this.cur), at(this.cur));
  }

  private expect(kind: TokenKind, expected: string): Token {
    if (this.kind() !== kind) this.fail(expected);
    const token = this.cur;
    this.advance();
    return token;
  }

  private name(expected: string): NameNode {
    const token = this.expect('ident', expected);
    return { name: token.text, position: at(token) };
  }

  private entity(): EntityNode {
    this.advance();
    const name = this.name('an entity name (letters and "_" only)');
    this.expect('{', '"{" after the entity name');
    const members: MemberNode[] = [];
    const seen = new Set<string>();
    for (;;) {
      const kind = this.kind();
      if (kind === 'newline') {
        this.advance();
        continue;
      }
      if (kind === '}') {
        this.advance();
        return { kind: 'entity', name, members };
      }
      let member: MemberNode;
      if (kind === 'relation') member = this.relation();
      else if (kind === 'attribute') member = this.attribute();
      else if (kind === 'permission') member = this.permission();
      else this.fail('"relation", "attribute", "permission", "action" or "}"');
      if (seen.has(member.name.name)) {
        throw new SchemaParseError(
          `expected a new member name in entity "${name.name}", found "${member.name.name}" which is already declared (duplication found for ${name.name}#${member.name.name})`,
          member.name.position,
        );
      }
      seen.add(member.name.name);
      members.push(member);
    }
  }

  private relation(): MemberNode {
    this.advance();
    const name = this.name('a relation name (letters and "_" only)');
    if (this.kind() !== '@') this.fail('"@" and a subject type');
    const types: RelationTypeNode[] = [];
    while (this.kind() === '@') {
      const position = at(this.cur);
      this.advance();
      const type = this.name('an entity type after "@"');
      if (this.kind() === '#') {
        this.advance();
        const relation = this.name('a relation name after "#"');
        types.push({ type, relation, position });
      } else {
        types.push({ type, position });
      }
    }
    return { kind: 'relation', name, types };
  }

  private attributeType(): { type: AttributeType; position: SourcePosition } {
    const token = this.cur;
    if (token.kind !== 'ident' || !BASE_TYPES.has(token.text)) {
      this.fail('an attribute type (boolean, string, integer or double)');
    }
    this.advance();
    if (this.kind() === '[') {
      this.advance();
      this.expect(']', '"]" to close the array type');
      return { type: `${token.text}[]` as AttributeType, position: at(token) };
    }
    return { type: token.text as AttributeType, position: at(token) };
  }

  private attribute(): MemberNode {
    this.advance();
    const name = this.name('an attribute name (letters and "_" only)');
    const { type, position } = this.attributeType();
    return { kind: 'attribute', name, type, typePosition: position };
  }

  private permission(): MemberNode {
    const keyword = this.cur.text === 'action' ? 'action' : 'permission';
    this.advance();
    const name = this.name(`a ${keyword} name (letters and "_" only)`);
    this.expect('=', `"=" after the ${keyword} name`);
    this.skipOneNewline();
    return { kind: 'permission', name, keyword, expr: this.expression(0) };
  }

  private skipOneNewline(): void {
    if (this.kind() === 'newline') this.advance();
  }

  /** `term { op [NEWLINE] term }`: one precedence level, left-associative. */
  private expression(nesting: number): ExprNode {
    let left = this.term(nesting);
    while (this.kind() === 'and' || this.kind() === 'or' || this.kind() === 'not') {
      const op = this.cur.kind as 'and' | 'or' | 'not';
      const position = at(this.cur);
      this.advance();
      this.skipOneNewline();
      const right = this.term(nesting);
      const height = Math.max(heightOf(left, this.heights), heightOf(right, this.heights)) + 1;
      if (height > MAX_EXPRESSION_DEPTH) {
        throw SchemaParseError.expected(
          `an expression of at most ${MAX_EXPRESSION_DEPTH} nested operations`,
          'a deeper one',
          position,
        );
      }
      left = { kind: 'binary', op, left, right, position };
      this.heights.set(left, height);
    }
    return left;
  }

  private term(nesting: number): ExprNode {
    const token = this.cur;
    if (token.kind === '(') {
      if (nesting >= MAX_EXPRESSION_DEPTH) {
        this.fail(`at most ${MAX_EXPRESSION_DEPTH} nested parentheses`);
      }
      this.advance();
      this.skipOneNewline();
      const inner = this.expression(nesting + 1);
      this.expect(')', '"and", "or", "not" or ")"');
      return inner;
    }
    if (token.kind === 'not') {
      this.fail('a relation, permission, attribute, rule call or "(" ("not" is binary only: write "a not b")');
    }
    if (token.kind !== 'ident') this.fail('a relation, permission, attribute, rule call or "("');
    this.advance();
    const first: NameNode = { name: token.text, position: at(token) };
    if (this.kind() === '(') return this.call(first);
    if (this.kind() !== '.') return { kind: 'name', name: token.text, position: first.position };
    this.advance();
    const computed = this.name('a relation or permission name after "."');
    if (this.kind() === '.') {
      this.fail('a single-step walk such as "parent.admin" (not supported relation walk)');
    }
    return { kind: 'walk', tupleSet: first, computed, position: first.position };
  }

  private call(rule: NameNode): ExprNode {
    this.advance();
    const args: NameNode[] = [];
    if (this.kind() !== ')') {
      for (;;) {
        args.push(this.name('an attribute name as a rule argument'));
        if (this.kind() === '.') this.fail('"," or ")" after a rule argument (not supported walk)');
        if (this.kind() !== ',') break;
        this.advance();
      }
    }
    this.expect(')', '"," or ")" in the rule call');
    return { kind: 'call', rule, args, position: rule.position };
  }

  private rule(): RuleNode {
    this.advance();
    const name = this.name('a rule name (letters and "_" only)');
    this.expect('(', '"(" after the rule name');
    const params: RuleParamNode[] = [];
    const seen = new Set<string>();
    if (this.kind() !== ')') {
      for (;;) {
        const param = this.name('a parameter name');
        if (seen.has(param.name)) {
          throw new SchemaParseError(
            `expected a new parameter name, found "${param.name}" which is already declared (duplication found for ${name.name}#${param.name})`,
            param.position,
          );
        }
        seen.add(param.name);
        const { type } = this.attributeType();
        params.push({ name: param, type });
        if (this.kind() !== ',') break;
        this.advance();
      }
    }
    this.expect(')', '"," or ")" in the parameter list');
    if (this.kind() !== '{') this.fail('"{" to open the rule body');
    const open = this.cur;
    const raw = this.lexer.rawUntil(open.end, '}');
    if (raw === undefined) {
      throw SchemaParseError.expected('"}" to close the rule body', 'end of input', at(open));
    }
    this.advance();
    return { kind: 'rule', name, params, body: raw.text, bodyPosition: this.lexer.position(open.end) };
  }
}
