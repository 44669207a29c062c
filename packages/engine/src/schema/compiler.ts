import type { EntityNode, ExprNode, MemberNode, RuleNode } from './ast.js';
import { compileRule } from './cel-rule.js';
import { SchemaCompileError } from './errors.js';
import type {
  AttributeDefinition,
  CompiledSchema,
  EntityDefinition,
  MemberKind,
  PermissionDefinition,
  PermissionExpr,
  RelationDefinition,
  RuleDefinition,
} from './ir.js';
import { parseSchema } from './parser.js';

/** The name of the entity that stands for the request's tenant (docs/architecture.md#tenancy). */
export const TENANT_ENTITY = 'tenant';

type Members = ReadonlyMap<string, MemberNode>;

function membersOf(entity: EntityNode): Map<string, MemberNode> {
  return new Map(entity.members.map((m) => [m.name.name, m]));
}

function describeMember(member: MemberNode): string {
  if (member.kind === 'attribute') return `attribute "${member.name.name}" of type ${member.type}`;
  return `${member.kind} "${member.name.name}"`;
}

/**
 * Parses and compiles schema text: every static check of permify.md §1.3, then each rule body compiled once
 * as CEL. When the schema declares `entity tenant`, every other entity without a member named `tenant` gets
 * an implicit relation `tenant @tenant` (docs/architecture.md#tenancy), marked `implicit` in the result.
 *
 * @param text - The schema source.
 * @returns The compiled schema the evaluator walks.
 * @throws {@link SchemaParseError} when the text is not well formed.
 * @throws {@link SchemaCompileError} when a reference, type or rule call is wrong.
 * @example
 * ```ts
 * const schema = compileSchema('entity user {}\nentity doc { relation owner @user\n permission edit = owner }');
 * schema.entities.get('doc')?.permissions.get('edit')?.expr; // { kind: 'computedUserSet', relation: 'owner' }
 * ```
 */
export function compileSchema(text: string): CompiledSchema {
  const ast = parseSchema(text);
  const entityNodes = new Map<string, EntityNode>();
  const ruleNodes = new Map<string, RuleNode>();
  for (const s of ast.statements) {
    if (s.kind === 'entity') entityNodes.set(s.name.name, s);
    else ruleNodes.set(s.name.name, s);
  }
  if (entityNodes.size === 0) {
    throw SchemaCompileError.expected('at least one entity', 'none (no entity references found in schema)', { line: 1, column: 1 });
  }
  const members = new Map<string, Map<string, MemberNode>>();
  for (const [name, node] of entityNodes) members.set(name, membersOf(node));
  const hasTenant = entityNodes.has(TENANT_ENTITY);
  const implicitTenant = (entity: string): boolean => hasTenant && !(members.get(entity)?.has(TENANT_ENTITY) ?? true);

  for (const node of entityNodes.values()) checkRelationTypes(node, entityNodes, members);

  const rules = new Map<string, RuleDefinition>();
  for (const [name, node] of ruleNodes) rules.set(name, compileRule(node));

  const ctx: CheckContext = { members, ruleNodes, implicitTenant };
  const entities = new Map<string, EntityDefinition>();
  for (const [name, node] of entityNodes) entities.set(name, compileEntity(node, ctx));
  return { entities, rules, source: text };
}

interface CheckContext {
  readonly members: ReadonlyMap<string, Members>;
  readonly ruleNodes: ReadonlyMap<string, RuleNode>;
  readonly implicitTenant: (entity: string) => boolean;
}

function checkRelationTypes(node: EntityNode, entities: ReadonlyMap<string, EntityNode>, members: ReadonlyMap<string, Members>): void {
  for (const member of node.members) {
    if (member.kind !== 'relation') continue;
    for (const ref of member.types) {
      if (!entities.has(ref.type.name)) {
        throw SchemaCompileError.expected('an entity type after "@"', `undefined entity "${ref.type.name}"`, ref.type.position);
      }
      if (ref.relation === undefined) continue;
      const target = members.get(ref.type.name)?.get(ref.relation.name);
      if (target?.kind !== 'relation') {
        throw SchemaCompileError.expected(
          `a relation of entity "${ref.type.name}" after "#"`,
          target === undefined ? `undefined name "${ref.relation.name}"` : describeMember(target),
          ref.relation.position,
        );
      }
    }
  }
}

function compileEntity(node: EntityNode, ctx: CheckContext): EntityDefinition {
  const relations = new Map<string, RelationDefinition>();
  const attributes = new Map<string, AttributeDefinition>();
  const permissions = new Map<string, PermissionDefinition>();
  const kinds = new Map<string, MemberKind>();
  for (const member of node.members) {
    const name = member.name.name;
    kinds.set(name, member.kind);
    switch (member.kind) {
      case 'relation':
        relations.set(name, {
          name,
          references: member.types.map((t) => (t.relation === undefined ? { type: t.type.name } : { type: t.type.name, relation: t.relation.name })),
        });
        break;
      case 'attribute':
        attributes.set(name, { name, type: member.type });
        break;
      case 'permission':
        permissions.set(name, { name, expr: compileExpr(member.expr, node, ctx) });
        break;
    }
  }
  if (ctx.implicitTenant(node.name.name)) {
    relations.set(TENANT_ENTITY, { name: TENANT_ENTITY, references: [{ type: TENANT_ENTITY }], implicit: true });
    kinds.set(TENANT_ENTITY, 'relation');
  }
  return { name: node.name.name, relations, attributes, permissions, members: kinds };
}

/** A relation of `entity`, including the implicit `tenant` relation. */
function relationTypes(entity: string, name: string, ctx: CheckContext): readonly string[] | undefined {
  const member = ctx.members.get(entity)?.get(name);
  if (member?.kind === 'relation') return member.types.map((t) => t.type.name);
  if (member === undefined && name === TENANT_ENTITY && ctx.implicitTenant(entity)) return [TENANT_ENTITY];
  return undefined;
}

function compileExpr(expr: ExprNode, entity: EntityNode, ctx: CheckContext): PermissionExpr {
  const own = ctx.members.get(entity.name.name);
  switch (expr.kind) {
    case 'binary': {
      const kind = expr.op === 'or' ? 'union' : expr.op === 'and' ? 'intersection' : 'exclusion';
      return { kind, left: compileExpr(expr.left, entity, ctx), right: compileExpr(expr.right, entity, ctx) };
    }
    case 'name': {
      const member = own?.get(expr.name);
      if (member === undefined) {
        if (relationTypes(entity.name.name, expr.name, ctx) !== undefined) return { kind: 'computedUserSet', relation: expr.name };
        throw SchemaCompileError.expected(
          `a relation, permission or boolean attribute of entity "${entity.name.name}"`,
          `undefined name "${expr.name}"`,
          expr.position,
        );
      }
      if (member.kind === 'attribute') {
        if (member.type !== 'boolean') {
          throw SchemaCompileError.expected('a boolean attribute, relation or permission', describeMember(member), expr.position);
        }
        return { kind: 'computedAttribute', attribute: expr.name };
      }
      return { kind: 'computedUserSet', relation: expr.name };
    }
    case 'walk':
      return compileWalk(expr, entity, ctx);
    case 'call':
      return compileCall(expr, entity, ctx);
  }
}

function compileWalk(expr: Extract<ExprNode, { kind: 'walk' }>, entity: EntityNode, ctx: CheckContext): PermissionExpr {
  const { tupleSet, computed } = expr;
  const types = relationTypes(entity.name.name, tupleSet.name, ctx);
  if (types === undefined) {
    const member = ctx.members.get(entity.name.name)?.get(tupleSet.name);
    throw SchemaCompileError.expected(
      `a relation of entity "${entity.name.name}" before "."`,
      member === undefined ? `undefined name "${tupleSet.name}"` : describeMember(member),
      tupleSet.position,
    );
  }
  for (const type of new Set(types)) {
    const target = ctx.members.get(type)?.get(computed.name);
    const ok = target === undefined ? relationTypes(type, computed.name, ctx) !== undefined : target.kind !== 'attribute';
    if (!ok) {
      throw SchemaCompileError.expected(
        `a relation or permission of entity "${type}" after "${tupleSet.name}."`,
        target === undefined ? `undefined name "${computed.name}"` : describeMember(target),
        computed.position,
      );
    }
  }
  return { kind: 'tupleToUserSet', tupleSet: tupleSet.name, computed: computed.name };
}

function compileCall(expr: Extract<ExprNode, { kind: 'call' }>, entity: EntityNode, ctx: CheckContext): PermissionExpr {
  const rule = ctx.ruleNodes.get(expr.rule.name);
  if (rule === undefined) {
    throw SchemaCompileError.expected('a rule name before "("', `undefined rule "${expr.rule.name}" (invalid rule reference)`, expr.rule.position);
  }
  if (expr.args.length === 0) {
    throw SchemaCompileError.expected(`${rule.params.length} argument(s) to rule "${rule.name.name}"`, 'none (missing argument)', expr.rule.position);
  }
  if (expr.args.length !== rule.params.length) {
    throw SchemaCompileError.expected(
      `${rule.params.length} argument(s) to rule "${rule.name.name}"`,
      `${expr.args.length} (missing argument)`,
      expr.rule.position,
    );
  }
  const bound = new Set<string>();
  for (const arg of expr.args) {
    const member = ctx.members.get(entity.name.name)?.get(arg.name);
    if (member?.kind !== 'attribute') {
      throw SchemaCompileError.expected(
        `an attribute of entity "${entity.name.name}" as rule argument`,
        member === undefined ? `undefined name "${arg.name}"` : describeMember(member),
        arg.position,
      );
    }
    const param = rule.params.find((p) => p.name.name === arg.name);
    if (param?.type !== member.type || bound.has(arg.name)) {
      const params = rule.params.map((p) => `${p.name.name} ${p.type}`).join(', ');
      throw SchemaCompileError.expected(
        `an attribute named and typed as a parameter of rule "${rule.name.name}" (${params})`,
        `${describeMember(member)}${bound.has(arg.name) ? ' again' : ''} (invalid argument)`,
        arg.position,
      );
    }
    bound.add(arg.name);
  }
  return { kind: 'call', rule: rule.name.name, args: expr.args.map((a) => a.name) };
}
