import { DepthExceededError } from '@gatehouse/core';
import type { AttributeValue } from '@gatehouse/core';

import { NAME_LIMIT } from '../store/tenant-data.js';
import { VISIT_STEPS } from './budget.js';
import type { Evaluation } from './evaluation.js';
import type { EntityPlan, ExprPlan, MemberPlan } from './plan.js';

/** A subject in an expand leaf. */
export interface ExpandSubject {
  readonly type: string;
  readonly id: string;
  readonly relation: string;
}

/** A node of Permify's expand tree (permify.md §5.4), with camelCase keys. */
export interface ExpandTreeNode {
  readonly entity: { readonly type: string; readonly id: string };
  readonly permission: string;
  readonly arguments: readonly string[];
  readonly expand?: {
    readonly operation: 'OPERATION_UNION' | 'OPERATION_INTERSECTION' | 'OPERATION_EXCLUSION';
    readonly children: readonly ExpandTreeNode[];
  };
  readonly leaf?:
    | { readonly subjects: { readonly subjects: readonly ExpandSubject[] } }
    | { readonly value: AttributeValue }
    | { readonly values: Readonly<Record<string, unknown>> };
}

const OPERATION = { union: 'OPERATION_UNION', intersection: 'OPERATION_INTERSECTION', exclusion: 'OPERATION_EXCLUSION' } as const;

/**
 * Expands `member` of `node` into the tree of who holds it: relation leaves list their subjects, usersets and
 * tuple-to-usersets expand as union children. Recursion stops at a node already on the path.
 */
export function expandMember(ev: Evaluation, node: number, ent: EntityPlan, m: MemberPlan, depth = ev.maxDepth, path = new Set<number>()): ExpandTreeNode {
  if (depth < 0) throw new DepthExceededError(ev.maxDepth, { tenant: ev.tenant });
  // One step per tree node (the tree repeats shared sub-graphs); listed subjects are counted by someTuple.
  ev.meter.spend(VISIT_STEPS);
  const entity = { type: ev.typeName(node), id: ev.idOf(node) };
  const key = node * NAME_LIMIT + m.id;
  if (path.has(key)) return { entity, permission: m.name, arguments: [], leaf: { subjects: { subjects: [] } } };
  path.add(key);
  try {
    switch (m.kind) {
      case 'attribute':
        return { entity, permission: m.name, arguments: [], leaf: { value: ev.contextAttr(node, m.id) ?? ev.storedAttr(node, m.id) ?? false } };
      case 'permission':
        return { ...expandExpr(ev, node, ent, m.expr, depth - 1, path), permission: m.name };
      case 'relation': {
        const subjects: ExpandSubject[] = [];
        const usersets: ExpandTreeNode[] = [];
        if (m.implicit) subjects.push({ type: 'tenant', id: ev.tenant, relation: '' });
        else {
          ev.someTuple(node, m.id, (s, sRel) => {
            subjects.push({ type: ev.typeName(s), id: ev.idOf(s), relation: sRel === 0 ? '' : ev.nameOf(sRel) });
            const target = ev.entityOf(s);
            const member = sRel === 0 ? undefined : target?.byId.get(sRel);
            if (target !== undefined && member !== undefined) usersets.push(expandMember(ev, s, target, member, depth - 1, path));
            return false;
          });
        }
        const leaf: ExpandTreeNode = { entity, permission: m.name, arguments: [], leaf: { subjects: { subjects } } };
        if (usersets.length === 0) return leaf;
        return { entity, permission: m.name, arguments: [], expand: { operation: 'OPERATION_UNION', children: [leaf, ...usersets] } };
      }
    }
  } finally {
    path.delete(key);
  }
}

function expandExpr(ev: Evaluation, node: number, ent: EntityPlan, x: ExprPlan, d: number, path: Set<number>): ExpandTreeNode {
  const entity = { type: ev.typeName(node), id: ev.idOf(node) };
  switch (x.kind) {
    case 'union':
    case 'intersection':
    case 'exclusion':
      return {
        entity,
        permission: '',
        arguments: [],
        expand: { operation: OPERATION[x.kind], children: [expandExpr(ev, node, ent, x.left, d, path), expandExpr(ev, node, ent, x.right, d, path)] },
      };
    case 'computedUserSet':
    case 'computedAttribute':
      return expandMember(ev, node, ent, ev.member(ent, x.name), d, path);
    case 'tupleToUserSet': {
      const children: ExpandTreeNode[] = [];
      const visit = (s: number): boolean => {
        const target = ev.entityOf(s);
        const member = target?.members.get(x.computed);
        if (target !== undefined && member !== undefined) children.push(expandMember(ev, s, target, member, d, path));
        return false;
      };
      if (x.implicitTenant) visit(ev.tenantNode());
      else ev.someTuple(node, x.tupleSetId, visit);
      return { entity, permission: `${x.tupleSet}.${x.computed}`, arguments: [], expand: { operation: 'OPERATION_UNION', children } };
    }
    case 'call':
      return { entity, permission: x.rule.name, arguments: x.args.map((a) => a.name), leaf: { values: ev.ruleArgs(node, x) } };
  }
}
