import type { ExplanationKind, ExplanationNode, ExplanationState } from '@gatehouse/core';
import type { CompiledSchema, ExplainNode, PermissionExpr } from '@gatehouse/engine';

/**
 * Turns the engine's explain tree into the {@link ExplanationNode} tree the console draws and
 * `gatehouse check --explain` prints. The engine's tree holds only what was evaluated; the schema fills in the
 * operands a short-circuit skipped (`not_evaluated`), so a reader sees the whole expression of each permission.
 */

const OPERATOR = { union: 'or', intersection: 'and', exclusion: 'not' } as const;

/** Children listed per node; the rest are counted in `omitted`. */
export const MAX_EXPLANATION_CHILDREN = 100;
/** Nodes in one tree; past it, subtrees are left out (counted in their parent's `omitted`). */
export const MAX_EXPLANATION_NODES = 5000;

function typeOf(entity: string): string {
  const colon = entity.indexOf(':');
  return colon === -1 ? entity : entity.slice(0, colon);
}

function stateOf(node: ExplainNode): ExplanationState {
  if (node.kind === 'cycle' || node.kind === 'depth') return 'cut';
  return node.allowed ? 'allowed' : 'denied';
}

/** The schema-language text of an expression (`owner or parent.admin`); a binary right operand in parentheses. */
export function expressionText(expr: PermissionExpr): string {
  switch (expr.kind) {
    case 'union':
    case 'intersection':
    case 'exclusion': {
      const right = expressionText(expr.right);
      const isBinary = expr.right.kind === 'union' || expr.right.kind === 'intersection' || expr.right.kind === 'exclusion';
      return `${expressionText(expr.left)} ${OPERATOR[expr.kind]} ${isBinary ? `(${right})` : right}`;
    }
    case 'computedUserSet':
      return expr.relation;
    case 'computedAttribute':
      return expr.attribute;
    case 'tupleToUserSet':
      return `${expr.tupleSet}.${expr.computed}`;
    case 'call':
      return `${expr.rule}(${expr.args.join(', ')})`;
  }
}

class Shaper {
  private nodes = 0;

  public constructor(private readonly schema: CompiledSchema | undefined) {}

  /** Shapes the children that fit the limits; the count of the rest. */
  private some(children: readonly ExplainNode[], shape: (c: ExplainNode) => ExplanationNode): { list: ExplanationNode[]; omitted: number } {
    const list: ExplanationNode[] = [];
    for (const c of children) {
      if (list.length >= MAX_EXPLANATION_CHILDREN || this.nodes >= MAX_EXPLANATION_NODES) break;
      list.push(shape(c));
    }
    return { list, omitted: children.length - list.length };
  }

  public member(node: ExplainNode, leadingTuple?: string): ExplanationNode {
    const kind = node.kind;
    const sep = node.kind === 'attribute' ? '$' : '#';
    const label = node.kind === 'rule' ? node.name : `${node.entity}${sep}${node.name}`;
    const tuples: string[] = [];
    if (leadingTuple !== undefined) tuples.push(leadingTuple);
    this.nodes++;
    let detail: string | undefined = node.via;
    let children: ExplanationNode[] = [];
    let omitted = 0;
    if (node.kind === 'permission') {
      const expr = this.schema?.entities.get(typeOf(node.entity))?.permissions.get(node.name)?.expr;
      children = [this.expr(node.children?.[0], expr, node.entity)];
    } else if (node.kind === 'relation') {
      // A direct grant names its tuple in `via`; a userset hop's `via` is "via <tuple>" on the child.
      if (node.via?.includes('@') === true) {
        tuples.push(node.via.replace(/ \(implicit\)$/, ''));
        detail = node.via.endsWith('(implicit)') ? 'implicit tenant relation' : undefined;
      }
      ({ list: children, omitted } = this.some(node.children ?? [], (c) => {
        const hop = c.via?.startsWith('via ') === true ? c.via.slice(4) : undefined;
        if (hop === undefined) return this.member(c);
        const { via: _via, ...rest } = c;
        return this.member(rest, hop);
      }));
      if (children.length === 0 && !node.allowed && detail === undefined) detail = 'no tuple grants it';
    }
    return shaped(kind, label, node.entity, stateOf(node), detail, tuples, children, omitted);
  }

  private expr(node: ExplainNode | undefined, expr: PermissionExpr | undefined, entity: string): ExplanationNode {
    if (node === undefined) return this.skipped(expr, entity);
    switch (node.kind) {
      case 'union':
      case 'intersection':
      case 'exclusion': {
        const binary = expr?.kind === node.kind ? expr : undefined;
        const [left, right] = node.children ?? [];
        this.nodes++;
        const children = [this.expr(left, binary?.left, entity)];
        if (right !== undefined || binary !== undefined) children.push(this.expr(right, binary?.right, entity));
        return shaped(node.kind, OPERATOR[node.kind], entity, stateOf(node), undefined, [], children);
      }
      case 'tupleToUserSet': {
        const [tupleSet] = node.name.split('.');
        const implicit = tupleSet !== undefined && this.schema?.entities.get(typeOf(entity))?.relations.get(tupleSet)?.implicit === true;
        this.nodes++;
        const { list, omitted } = this.some(node.children ?? [], (c) =>
          this.member(c, implicit ? undefined : `${entity}#${tupleSet ?? ''}@${c.entity}`),
        );
        const detail = list.length === 0 && omitted === 0 ? `no ${tupleSet ?? ''} tuple leads anywhere` : undefined;
        return shaped('tupleToUserSet', node.name, entity, stateOf(node), detail, [], list, omitted);
      }
      case 'permission':
      case 'relation':
      case 'attribute':
      case 'rule':
      case 'self':
      case 'cycle':
      case 'depth':
      case 'typeLevel':
        return this.member(node);
    }
  }

  /** An operand a short-circuit skipped: one node naming the whole sub-expression. */
  private skipped(expr: PermissionExpr | undefined, entity: string): ExplanationNode {
    this.nodes++;
    if (expr === undefined) return shaped('permission', '(unknown operand)', entity, 'not_evaluated', 'skipped', [], []);
    let kind: ExplanationKind;
    switch (expr.kind) {
      case 'computedUserSet':
        kind = this.schema?.entities.get(typeOf(entity))?.members.get(expr.relation) ?? 'relation';
        break;
      case 'computedAttribute':
        kind = 'attribute';
        break;
      case 'call':
        kind = 'rule';
        break;
      case 'union':
      case 'intersection':
      case 'exclusion':
      case 'tupleToUserSet':
        kind = expr.kind;
    }
    return shaped(kind, expressionText(expr), entity, 'not_evaluated', 'an earlier operand decided', [], []);
  }
}

function shaped(
  kind: ExplanationKind,
  label: string,
  entity: string,
  state: ExplanationState,
  detail: string | undefined,
  tuples: readonly string[],
  children: readonly ExplanationNode[],
  omitted = 0,
): ExplanationNode {
  return {
    kind,
    label,
    entity,
    state,
    ...(detail === undefined ? {} : { detail }),
    ...(tuples.length === 0 ? {} : { tuples }),
    children,
    ...(omitted === 0 ? {} : { omitted }),
  };
}

/**
 * Shapes an engine explain tree for display.
 * @param tree - what `engine.explain()` returned.
 * @param schema - the compiled schema the decision used; without it skipped operands are shown unnamed.
 * @returns the tree with every node's state, label and deciding tuples.
 * @example
 * ```ts
 * const { tree } = await engine.explain(request);
 * const shapedTree = shapeExplanation(tree, compileSchema((await engine.readSchema(tenant)).source));
 * ```
 */
export function shapeExplanation(tree: ExplainNode, schema: CompiledSchema | undefined): ExplanationNode {
  return new Shaper(schema).member(tree);
}
