import { DepthExceededError, EvaluationError } from '@gatehouse/core';
import type { CheckContext } from '@gatehouse/core';

import type { Evaluation } from '../eval/evaluation.js';
import { grantsWithoutTuples, reachableFrom } from '../eval/lookup.js';
import type { EntityPlan, ExprPlan, MemberPlan } from '../eval/plan.js';
import type { AttributeType } from '../schema/ir.js';
import { NAME_LIMIT } from '../store/tenant-data.js';
import { and, formulaKey, nodeSet, not, or } from './formula.js';
import type { Formula } from './formula.js';
import { reachesType } from './recursion.js';
import { translateRule } from './rule-translator.js';

type Call = Extract<ExprPlan, { kind: 'call' }>;
type TupleToUserSet = Extract<ExprPlan, { kind: 'tupleToUserSet' }>;

/** An id no stored entity can have (ids match `ID_PATTERN`): the stand-in for "a row the PDP knows nothing about". */
const FRESH_ID = '\u0000row';

/**
 * The partial evaluation of one permission for one subject over every entity of one type (docs/data-filtering.md).
 *
 * The resource is a row of the application. What the check of `type:<row id>` (with the row's attributes as
 * contextual attributes) would read is split in two:
 * - the row's own attributes — boolean attribute leaves and the rules over them that {@link translateRule}
 *   covers — become conditions on the row's columns;
 * - everything else is read from stored data: relation branches and tuple-to-userset hops become the sets of ids
 *   for which they hold (found from the reverse indexes when only tuples can grant them, as lookups do, else by
 *   evaluating every stored entity of the type), `tenant.x` and other entities' facts become constants, and a
 *   rule the translator does not cover becomes the ids for which it holds on the stored attribute values.
 *
 * When the permission can reach entities of its own type again (`parent.view`, `@document#view`), a branch's
 * value for a row could depend on that row's own attributes or on the evaluator's cycle cuts; then every stored
 * entity is evaluated on its own, symbolically in its own attributes, and entities with the same residual
 * condition are grouped (slower, same answers).
 * @internal
 */
export class Planner {
  private readonly typeName: string;
  private readonly context: CheckContext | undefined;
  private readonly contextNodes: readonly number[];
  private readonly recursive: boolean;
  private readonly reaching: ReadonlySet<string>;
  private allCache: number[] | undefined;
  private reachableCache: number[] | undefined;
  /** Rows of the type holding a stored tuple that names the subject, by relation (found by {@link reachable}'s walk). */
  private directCache: Map<number, Set<number>> | undefined;
  /** The row being planned: a node (per-entity mode) or undefined (the generic row). */
  private x: number | undefined;
  private readonly stack: number[] = [];

  public constructor(
    private readonly ev: Evaluation,
    private readonly entity: EntityPlan,
    options: { readonly context?: CheckContext | undefined; readonly contextNodes: readonly number[] },
  ) {
    this.typeName = entity.name;
    this.context = options.context;
    this.contextNodes = options.contextNodes;
    const r = reachesType(ev.plan, entity.name);
    this.reaching = r.reaching;
    this.recursive = r.recursive;
  }

  /** The condition under which a row of the type has `permission`. */
  public plan(permission: string): Formula {
    const m = this.ev.member(this.entity, permission);
    try {
      return this.recursive ? this.perEntity(m) : this.generic(m, this.ev.maxDepth);
    } catch (err) {
      throw this.ev.stackSafe(err);
    }
  }

  // ---- the generic row (the permission never reaches another entity of its own type) ----

  private generic(m: MemberPlan, depth: number): Formula {
    const ev = this.ev;
    if (depth < 0) throw new DepthExceededError(ev.maxDepth, { tenant: ev.tenant });
    ev.checkCount++;
    ev.meter.spend(1);
    // The subject is a userset of this very type (`document:5#viewer`): that row has the member.
    const self: Formula = m.id === ev.sRel && ev.sRel !== 0 && ev.typeName(ev.sNode) === this.typeName ? nodeSet(new Set([ev.sNode])) : false;
    const key = -1 - m.id;
    if (this.stack.includes(key)) return self;
    this.stack.push(key);
    try {
      switch (m.kind) {
        case 'relation': {
          if (m.implicit) return ev.sRel === 0 && ev.sNode === ev.tenantNode();
          const byTuples = !grantsWithoutTuples(ev, this.entity, m.name);
          return or([self, this.idsWhere((node) => ev.invoke(node, this.entity, m, depth), byTuples, m.id)]);
        }
        case 'attribute':
          return or([self, this.ownLeaf(m)]);
        case 'permission':
          return or([self, this.genericExpr(m.expr, depth - 1)]);
      }
    } finally {
      this.stack.pop();
    }
  }

  private genericExpr(x: ExprPlan, d: number): Formula {
    switch (x.kind) {
      case 'union':
        return or([this.genericExpr(x.left, d), this.genericExpr(x.right, d)]);
      case 'intersection':
        return and([this.genericExpr(x.left, d), this.genericExpr(x.right, d)]);
      case 'exclusion':
        return and([this.genericExpr(x.left, d), not(this.genericExpr(x.right, d))]);
      case 'computedUserSet':
      case 'computedAttribute':
        return this.generic(this.ev.member(this.entity, x.name), d);
      case 'tupleToUserSet': {
        if (x.implicitTenant) return this.tenantHop(x, d);
        const byTuples = !this.hopGrantsWithoutTuples(x);
        return this.idsWhere((node) => this.tupleToUserSet(node, x, d), byTuples);
      }
      case 'call': {
        this.callStep(d);
        return this.ruleAt(x, () => this.idsWhere((node) => this.ev.runRule(node, x), false));
      }
    }
  }

  /**
   * The nodes of the type for which `f` holds, as a formula that is right for every id: `f` of an id the PDP
   * knows nothing about is `f(fresh)`, so when that is true the answer is "not one of those for which it fails".
   * `relation`: `f` is that relation of the row (then rows holding a tuple naming the subject are not evaluated).
   */
  private idsWhere(f: (node: number) => boolean, byTuples: boolean, relation?: number): Formula {
    const ev = this.ev;
    const c0 = f(ev.resolve(this.typeName, FRESH_ID));
    const walk = !c0 && byTuples && (this.context?.tuples?.length ?? 0) === 0;
    const nodes = walk ? this.reachable() : this.all();
    // A row with a stored tuple `row#relation@subject` has the relation (the evaluator answers true at that tuple):
    // the walk from the subject found those rows on its way, and only the others are evaluated.
    const holds = walk && relation !== undefined ? this.takeDirect(relation) : undefined;
    const out = holds ?? new Set<number>();
    ev.meter.spend(nodes.length);
    for (const n of nodes) if (holds?.has(n) !== true && f(n) !== c0) out.add(n);
    return c0 ? not(nodeSet(out)) : nodeSet(out);
  }

  // ---- one entity at a time (the permission reaches entities of its own type) ----

  private perEntity(m: MemberPlan): Formula {
    const ev = this.ev;
    this.x = ev.resolve(this.typeName, FRESH_ID);
    const r0 = this.symbolic(this.x, this.entity, m, ev.maxDepth);
    const k0 = formulaKey(r0);
    const groups = new Map<string, { formula: Formula; nodes: Set<number> }>();
    const others = new Set<number>();
    const all = this.all();
    ev.meter.spend(all.length);
    for (const n of all) {
      this.x = n;
      const r = this.symbolic(n, this.entity, m, ev.maxDepth);
      const k = formulaKey(r);
      if (k === k0) continue;
      others.add(n);
      let g = groups.get(k);
      if (g === undefined) {
        g = { formula: r, nodes: new Set() };
        groups.set(k, g);
      }
      g.nodes.add(n);
    }
    this.x = undefined;
    const parts: Formula[] = [and([not(nodeSet(others)), r0])];
    for (const g of groups.values()) parts.push(and([nodeSet(g.nodes), g.formula]));
    return or(parts);
  }

  /** Mirrors `Evaluation.invoke`, with the planned row's own attributes left as conditions on its columns. */
  private symbolic(n: number, ent: EntityPlan, m: MemberPlan, depth: number): Formula {
    const ev = this.ev;
    // Nothing reachable from here can lead back to an entity of the planned type: the evaluator answers it.
    if (n !== this.x && !this.reaching.has(ent.name)) return ev.invoke(n, ent, m, depth);
    if (depth < 0) throw new DepthExceededError(ev.maxDepth, { tenant: ev.tenant });
    ev.checkCount++;
    ev.meter.spend(1);
    if (n === ev.sNode && m.id === ev.sRel) return true;
    const key = n * NAME_LIMIT + m.id;
    if (this.stack.includes(key)) return false;
    this.stack.push(key);
    try {
      switch (m.kind) {
        case 'relation': {
          if (m.implicit) return ev.sRel === 0 && ev.sNode === ev.tenantNode();
          const usersets: [number, number][] = [];
          const direct = ev.someTuple(n, m.id, (s, rel) => {
            if (s === ev.sNode && rel === ev.sRel) return true;
            if (rel !== 0) usersets.push([s, rel]);
            return false;
          });
          if (direct) return true;
          return or(usersets.map(([s, rel]) => {
            const target = ev.entityOf(s);
            const member = target?.byId.get(rel);
            return target === undefined || member === undefined ? false : this.symbolic(s, target, member, depth - 1);
          }));
        }
        case 'attribute':
          return n === this.x ? this.ownLeaf(m) : this.storedLeaf(n, m);
        case 'permission':
          return this.symbolicExpr(n, ent, m.expr, depth - 1);
      }
    } finally {
      this.stack.pop();
    }
  }

  private symbolicExpr(n: number, ent: EntityPlan, x: ExprPlan, d: number): Formula {
    switch (x.kind) {
      case 'union': {
        const l = this.symbolicExpr(n, ent, x.left, d);
        return l === true ? true : or([l, this.symbolicExpr(n, ent, x.right, d)]);
      }
      case 'intersection': {
        const l = this.symbolicExpr(n, ent, x.left, d);
        return l === false ? false : and([l, this.symbolicExpr(n, ent, x.right, d)]);
      }
      case 'exclusion': {
        const l = this.symbolicExpr(n, ent, x.left, d);
        return l === false ? false : and([l, not(this.symbolicExpr(n, ent, x.right, d))]);
      }
      case 'computedUserSet':
      case 'computedAttribute':
        return this.symbolic(n, ent, this.ev.member(ent, x.name), d);
      case 'tupleToUserSet': {
        if (x.implicitTenant) {
          const target = this.ev.plan.tenantEntity;
          const member = target?.members.get(x.computed);
          return target === undefined || member === undefined ? false : this.symbolic(this.ev.tenantNode(), target, member, d);
        }
        const targets: number[] = [];
        this.ev.someTuple(n, x.tupleSetId, (t) => {
          targets.push(t);
          return false;
        });
        return or(targets.map((t) => {
          const target = this.ev.entityOf(t);
          const member = target?.members.get(x.computed);
          return target === undefined || member === undefined ? false : this.symbolic(t, target, member, d);
        }));
      }
      case 'call': {
        this.callStep(d);
        if (n !== this.x) return this.ev.runRule(n, x);
        const row = n;
        return this.ruleAt(x, () => this.ev.runRule(row, x));
      }
    }
  }

  // ---- leaves ----

  /** A boolean attribute of the planned row: its column (`id` is the id column, so that one is read as stored). */
  private ownLeaf(m: Extract<MemberPlan, { kind: 'attribute' }>): Formula {
    if (m.name === 'id') return this.x === undefined ? this.idsWhere((node) => this.storedLeaf(node, m), false) : this.storedLeaf(this.x, m);
    return { field: m.name, eq: true };
  }

  /** Mirrors `Evaluation.attributeLeaf`: contextual value first, then stored; missing is false. */
  private storedLeaf(n: number, m: MemberPlan): boolean {
    const ev = this.ev;
    const v = ev.contextAttr(n, m.id) ?? ev.storedAttr(n, m.id);
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw new EvaluationError(`attribute "${m.name}" of ${ev.nodeString(n)} is not a boolean`, { tenant: ev.tenant });
    return v;
  }

  /** A rule on the planned row: its translation to column conditions, else `fallback()` (stored values). */
  private ruleAt(x: Call, fallback: () => Formula): Formula {
    const types = new Map<string, AttributeType>(x.args.map((a) => [a.name, a.type]));
    const translated = x.args.some((a) => a.name === 'id') ? undefined : translateRule(x.rule, types);
    return translated ?? fallback();
  }

  private callStep(d: number): void {
    const ev = this.ev;
    if (d < 0) throw new DepthExceededError(ev.maxDepth, { tenant: ev.tenant });
    ev.checkCount++;
    ev.meter.spend(1);
  }

  /** Mirrors `Evaluation.tupleToUserSet` for one entity of the planned type. */
  private tupleToUserSet(node: number, x: TupleToUserSet, d: number): boolean {
    const ev = this.ev;
    let error: unknown;
    const found = ev.someTuple(node, x.tupleSetId, (t) => {
      const target = ev.entityOf(t);
      const member = target?.members.get(x.computed);
      if (target === undefined || member === undefined) return false;
      try {
        return ev.invoke(t, target, member, d);
      } catch (err) {
        error ??= err;
        return false;
      }
    });
    if (found) return true;
    if (error !== undefined) throw error instanceof Error ? error : new EvaluationError('a tuple-to-userset hop failed', { cause: error, tenant: ev.tenant });
    return false;
  }

  /** `tenant.x` on an entity with the implicit tenant relation: a constant of the request's tenant. */
  private tenantHop(x: TupleToUserSet, d: number): boolean {
    const ev = this.ev;
    const target = ev.plan.tenantEntity;
    const member = target?.members.get(x.computed);
    return target !== undefined && member !== undefined && ev.invoke(ev.tenantNode(), target, member, d);
  }

  /** Whether the targets of a tuple-to-userset hop can hold `computed` without a chain of tuples to the subject. */
  private hopGrantsWithoutTuples(x: TupleToUserSet): boolean {
    const rel = this.entity.members.get(x.tupleSet);
    if (rel?.kind !== 'relation') return false;
    return rel.def.references.some((r) => {
      const target = this.ev.plan.entities.get(r.type);
      return target !== undefined && target.members.has(x.computed) && grantsWithoutTuples(this.ev, target, x.computed);
    });
  }

  // ---- candidates ----

  /** Every stored entity of the type, the contextual ones, and the subject when it is of the type. */
  private all(): number[] {
    return (this.allCache ??= this.withExtra([...this.ev.data.nodesOfType(this.entity.typeId)]));
  }

  /** Entities reachable backwards from the subject through stored tuples (enough when only tuples can grant). */
  private reachable(): number[] {
    if (this.reachableCache === undefined) {
      this.directCache = new Map();
      this.reachableCache = this.withExtra(reachableFrom(this.ev, this.ev.sNode, this.ev.sRel, this.entity.typeId, undefined, this.onPathToRow(), this.directCache));
    }
    return this.reachableCache;
  }

  /**
   * Whether a tuple path from a row of the planned type to the subject can pass through an entity of a type: only
   * through types the row's evaluation can hop to (schema references, the implicit tenant); unknown types may.
   */
  private onPathToRow(): (typeId: number) => boolean {
    const known = new Map<number, boolean>();
    return (typeId) => {
      let yes = known.get(typeId);
      if (yes === undefined) {
        const name = this.ev.plan.byTypeId.get(typeId)?.name;
        yes = name === undefined || reachesType(this.ev.plan, name).reaching.has(this.typeName);
        known.set(typeId, yes);
      }
      return yes;
    };
  }

  /** The rows {@link reachable}'s walk found holding `relation` directly, handed over once (the caller adds to it). */
  private takeDirect(relation: number): Set<number> | undefined {
    const set = this.directCache?.get(relation);
    this.directCache?.delete(relation);
    return set;
  }

  /**
   * `nodes` (each once, as both walks give them) with the contextual entities of the type and the subject when it
   * is of the type, each once: `nodes` itself when there are none.
   */
  private withExtra(nodes: number[]): number[] {
    const ev = this.ev;
    const extra = [...this.contextNodes, ev.sNode].filter((n) => ev.typeName(n) === this.typeName);
    return extra.length === 0 ? nodes : [...new Set([...nodes, ...extra])];
  }
}
