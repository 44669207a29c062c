import { BudgetExceededError, DepthExceededError, EvaluationError, GatehouseError, NotFoundError, parseAttribute, parseTuple } from '@gatehouse/core';
import type { AttributeValue, CheckContext, ExplanationKind, Subject } from '@gatehouse/core';

import type { MemoryStore } from '../store/memory-store.js';
import { EXPIRED, NAME_LIMIT, REL_MASK, ROW, S_NODE, S_REL } from '../store/tenant-data.js';
import type { TenantData } from '../store/tenant-data.js';
import { DEFAULT_BUDGET, StepMeter, VISIT_STEPS } from './budget.js';
import { TENANT_ENTITY, zeroValue } from './plan.js';
import type { EntityPlan, ExprPlan, MemberPlan, SchemaPlan } from './plan.js';

const L = NAME_LIMIT;
/** Sub-results are memoised once a check has made this many invocations (small checks skip the map). */
const MEMO_AFTER = 16;

/** Three-valued results of type-level checks. */
export const F = 0;
export const U = 1;
export const T = 2;
export type Tri = typeof F | typeof U | typeof T;

/** Everything one evaluation reads. */
export interface EvaluationInput {
  readonly plan: SchemaPlan;
  readonly store: MemoryStore;
  readonly data: TenantData;
  readonly tenant: string;
  /** The snapshot token to read at. */
  readonly at: number;
  readonly subject: Subject;
  readonly context?: CheckContext | undefined;
  /** Contextual attributes added by the caller (resource and subject attributes of a Permit-style request). */
  readonly extraAttributes?: readonly { readonly type: string; readonly id: string; readonly values: Readonly<Record<string, unknown>> }[];
  readonly maxDepth: number;
  /** The step meter of the request (shared by its evaluations); one of the default budget when absent. */
  readonly meter?: StepMeter | undefined;
}

interface ContextTuple {
  readonly sNode: number;
  readonly sRel: number;
}

/** Why a decision came out as it did: one node per member, operator, hop or leaf that took part. */
export interface ExplainNode {
  /** `document:1`, or `document` for a type-level check. */
  readonly entity: string;
  /** The member, rule or operator name. */
  readonly name: string;
  /** The same kinds as the drawn explanation's nodes (`ExplanationKind` of `@gatehouse/core`). */
  readonly kind: ExplanationKind;
  readonly allowed: boolean;
  /** What decided a leaf: the tuple (`document:1#owner@user:alice`), the attribute value and its source, or the rule's arguments. */
  readonly via?: string;
  readonly children?: readonly ExplainNode[];
}

/**
 * One evaluation for one subject in one tenant at one snapshot: a check, or several checks that share
 * sub-results (subject permissions, lookups). Synchronous, left to right with short-circuit; cycles are cut
 * (a path that revisits the same entity and member contributes nothing) and sub-results computed under a cut
 * are never memoised.
 * @internal
 */
export class Evaluation {
  public checkCount = 0;
  public readonly plan: SchemaPlan;
  public readonly data: TenantData;
  public readonly at: number;
  /** Reading at the newest token: expired rows are skipped by their flag, without MVCC reads. */
  private readonly atHead: boolean;
  public readonly tenant: string;
  public readonly maxDepth: number;
  /** Counts this evaluation's steps against the request's budget. */
  public readonly meter: StepMeter;
  /** The subject's node and relation id. */
  public readonly sNode: number;
  public readonly sRel: number;
  private readonly store: MemoryStore;
  private readonly context: CheckContext | undefined;
  private readonly stack: number[] = [];
  private cuts = 0;
  private memo: Map<number, boolean> | undefined;
  private localKeys: Map<string, number> | undefined;
  private readonly localTypes: string[] = [];
  private readonly localIds: string[] = [];
  private ctxTuples: Map<number, ContextTuple[]> | undefined;
  private ctxAttrs: Map<number, AttributeValue> | undefined;
  private tenantNodeCache = -0.5;

  public constructor(input: EvaluationInput) {
    this.plan = input.plan;
    this.store = input.store;
    this.data = input.data;
    this.at = input.at;
    this.atHead = input.at >= input.store.head;
    this.tenant = input.tenant;
    this.maxDepth = input.maxDepth;
    this.meter = input.meter ?? new StepMeter(DEFAULT_BUDGET.maxSteps, input.tenant);
    this.context = input.context;
    const s = input.subject;
    this.sNode = this.resolve(s.type, s.id);
    this.sRel = s.relation === undefined || s.relation === '' ? 0 : input.store.findName(s.relation);
    if (input.context?.tuples !== undefined && input.context.tuples.length > 0) this.loadContextTuples(input.context);
    if (input.context?.attributes !== undefined) {
      for (const raw of input.context.attributes) {
        const a = parseAttribute(raw);
        this.addContextAttribute(a.entity.type, a.entity.id, a.attribute, a.value);
      }
    }
    for (const extra of input.extraAttributes ?? []) {
      for (const [name, value] of Object.entries(extra.values)) this.addContextAttribute(extra.type, extra.id, name, value as AttributeValue);
    }
  }

  // ---- nodes ----

  /** The node of `type:id`: the stored one, or a node local to this evaluation. */
  public resolve(type: string, id: string): number {
    const typeId = this.store.findName(type);
    if (typeId >= 0) {
      const n = this.data.nodeOf(typeId, id);
      if (n >= 0) return n;
    }
    const key = `${type}:${id}`;
    this.localKeys ??= new Map();
    let n = this.localKeys.get(key);
    if (n === undefined) {
      this.localTypes.push(type);
      this.localIds.push(id);
      n = -this.localTypes.length;
      this.localKeys.set(key, n);
    }
    return n;
  }

  public typeName(node: number): string {
    return node >= 0 ? this.store.nameOf(this.data.typeOf(node)) : (this.localTypes[-node - 1] ?? '');
  }

  public idOf(node: number): string {
    return node >= 0 ? (this.data.nodeIds[node] ?? '') : (this.localIds[-node - 1] ?? '');
  }

  public nodeString(node: number): string {
    return `${this.typeName(node)}:${this.idOf(node)}`;
  }

  public entityOf(node: number): EntityPlan | undefined {
    return node >= 0 ? this.plan.byTypeId.get(this.data.typeOf(node)) : this.plan.entities.get(this.localTypes[-node - 1] ?? '');
  }

  public tenantNode(): number {
    if (this.tenantNodeCache === -0.5) this.tenantNodeCache = this.resolve(TENANT_ENTITY, this.tenant);
    return this.tenantNodeCache;
  }

  public nameOf(id: number): string {
    return this.store.nameOf(id);
  }

  // ---- tuples and attributes (stored at the snapshot, then contextual) ----

  /** Calls `fn` for each subject of `node#rel`; stops when it returns true (and returns true). */
  public someTuple(node: number, rel: number, fn: (sNode: number, sRel: number) => boolean): boolean {
    const data = this.data;
    const at = this.at;
    if (node >= 0) {
      const rows = data.rows;
      const meter = this.meter;
      for (let r = data.first(node, rel); r !== -1; r = data.next(r)) {
        meter.spend(1);
        const raw = rows[r * ROW + S_REL] ?? 0;
        if (this.atHead ? (raw & EXPIRED) !== 0 : !data.visible(r, at)) continue;
        if (fn(rows[r * ROW + S_NODE] ?? 0, raw & REL_MASK)) return true;
      }
    }
    const extra = this.ctxTuples?.get(node * L + rel);
    if (extra !== undefined) for (const t of extra) if (fn(t.sNode, t.sRel)) return true;
    return false;
  }

  /** A stored attribute value at the snapshot. */
  public storedAttr(node: number, attr: number): AttributeValue | undefined {
    return node >= 0 ? this.data.attrAt(node, attr, this.at)?.value : undefined;
  }

  public contextAttr(node: number, attr: number): AttributeValue | undefined {
    return this.ctxAttrs?.get(node * L + attr);
  }

  // ---- check ----

  /**
   * Checks `member` of the entity `node` (of type `entity`) for the subject.
   * @throws {@link NotFoundError} when the entity has no such member; {@link DepthExceededError}; {@link EvaluationError}.
   */
  public check(node: number, entity: EntityPlan, member: string): boolean {
    const m = this.member(entity, member);
    try {
      return this.invoke(node, entity, m, this.maxDepth);
    } catch (err) {
      throw this.stackSafe(err);
    }
  }

  /** A JavaScript stack overflow (a budget too large for the data's depth) is reported as exhausted depth. */
  public stackSafe(err: unknown): Error {
    if (err instanceof RangeError && /call stack/i.test(err.message)) return new DepthExceededError(this.maxDepth, { tenant: this.tenant, cause: err });
    return asError(err);
  }

  public member(entity: EntityPlan, name: string): MemberPlan {
    const m = entity.members.get(name);
    if (m === undefined) {
      throw new NotFoundError(`entity "${entity.name}" has no permission, relation or attribute named "${name}"`, { tenant: this.tenant });
    }
    return m;
  }

  public invoke(e: number, ent: EntityPlan, m: MemberPlan, depth: number): boolean {
    if (depth < 0) throw new DepthExceededError(this.maxDepth, { tenant: this.tenant });
    this.checkCount++;
    const stack = this.stack;
    // A visit, and the cycle scan below over a deep path.
    this.meter.spend(VISIT_STEPS + (stack.length >>> 4));
    if (e === this.sNode && m.id === this.sRel) return true;
    const key = e * L + m.id;
    for (const k of stack) {
      if (k === key) {
        this.cuts++;
        return false;
      }
    }
    const memo = this.memo;
    if (memo !== undefined) {
      const v = memo.get(key);
      if (v !== undefined) return v;
    }
    const cuts = this.cuts;
    stack.push(key);
    let result: boolean;
    try {
      switch (m.kind) {
        case 'relation':
          result = this.relation(e, m, depth);
          break;
        case 'permission':
          result = this.expr(e, ent, m.expr, depth - 1);
          break;
        case 'attribute':
          result = this.attributeLeaf(e, m);
          break;
      }
    } finally {
      stack.pop();
    }
    if (this.cuts === cuts && this.checkCount > MEMO_AFTER) (this.memo ??= new Map()).set(key, result);
    return result;
  }

  private relation(e: number, m: MemberPlan, depth: number): boolean {
    if (m.kind === 'relation' && m.implicit) return this.sRel === 0 && this.sNode === this.tenantNode();
    const data = this.data;
    const at = this.at;
    const sNode = this.sNode;
    const sRel = this.sRel;
    let usersets = false;
    if (e >= 0) {
      const rows = data.rows;
      const atHead = this.atHead;
      let seen = 0;
      for (let r = data.first(e, m.id); r !== -1; r = data.next(r)) {
        seen++;
        const o = r * ROW;
        const raw = rows[o + S_REL] ?? 0;
        if (atHead ? (raw & EXPIRED) !== 0 : !data.visible(r, at)) continue;
        const rel = raw & REL_MASK;
        if (rows[o + S_NODE] === sNode && rel === sRel) {
          this.meter.spend(seen);
          return true;
        }
        if (rel !== 0) usersets = true;
      }
      this.meter.spend(seen);
    }
    const extra = this.ctxTuples?.get(e * L + m.id);
    if (extra !== undefined) {
      for (const t of extra) {
        if (t.sNode === sNode && t.sRel === sRel) return true;
        if (t.sRel !== 0) usersets = true;
      }
    }
    if (!usersets) return false;
    let error: Error | undefined;
    const found = this.someTuple(e, m.id, (node, rel) => {
      if (rel === 0) return false;
      const target = this.entityOf(node);
      const member = target?.byId.get(rel);
      if (target === undefined || member === undefined) return false;
      try {
        return this.invoke(node, target, member, depth - 1);
      } catch (err) {
        error ??= pending(err);
        return false;
      }
    });
    if (found) return true;
    if (error !== undefined) throw error;
    return false;
  }

  private expr(e: number, ent: EntityPlan, x: ExprPlan, d: number): boolean {
    switch (x.kind) {
      case 'union': {
        let error: Error | undefined;
        try {
          if (this.expr(e, ent, x.left, d)) return true;
        } catch (err) {
          error = pending(err);
        }
        if (this.expr(e, ent, x.right, d)) return true;
        if (error !== undefined) throw error;
        return false;
      }
      case 'intersection': {
        let left: boolean;
        try {
          left = this.expr(e, ent, x.left, d);
        } catch (err) {
          const failure = pending(err);
          if (!this.expr(e, ent, x.right, d)) return false;
          throw failure;
        }
        return left && this.expr(e, ent, x.right, d);
      }
      case 'exclusion': {
        let left: boolean;
        try {
          left = this.expr(e, ent, x.left, d);
        } catch (err) {
          const failure = pending(err);
          if (this.expr(e, ent, x.right, d)) return false;
          throw failure;
        }
        return left && !this.expr(e, ent, x.right, d);
      }
      case 'computedUserSet':
      case 'computedAttribute':
        return this.invoke(e, ent, this.member(ent, x.name), d);
      case 'tupleToUserSet':
        return this.tupleToUserSet(e, x, d);
      case 'call':
        return this.call(e, x, d);
    }
  }

  private tupleToUserSet(e: number, x: Extract<ExprPlan, { kind: 'tupleToUserSet' }>, d: number): boolean {
    if (x.implicitTenant) {
      const target = this.plan.tenantEntity;
      const member = target?.members.get(x.computed);
      return target !== undefined && member !== undefined && this.invoke(this.tenantNode(), target, member, d);
    }
    let error: Error | undefined;
    const found = this.someTuple(e, x.tupleSetId, (node) => {
      const target = this.entityOf(node);
      const member = target?.members.get(x.computed);
      if (target === undefined || member === undefined) return false;
      try {
        return this.invoke(node, target, member, d);
      } catch (err) {
        error ??= pending(err);
        return false;
      }
    });
    if (found) return true;
    if (error !== undefined) throw error;
    return false;
  }

  /** A boolean attribute leaf: the contextual value first, then the stored one; missing is false. */
  private attributeLeaf(e: number, m: MemberPlan): boolean {
    const v = this.contextAttr(e, m.id) ?? this.storedAttr(e, m.id);
    if (v === undefined) return false;
    if (typeof v !== 'boolean') {
      throw new EvaluationError(`attribute "${m.name}" of ${this.nodeString(e)} is not a boolean`, { tenant: this.tenant });
    }
    return v;
  }

  /** The arguments of a rule call: stored values first, then contextual, then the type's zero value. */
  public ruleArgs(e: number, x: Extract<ExprPlan, { kind: 'call' }>): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    for (const a of x.args) args[a.name] = this.storedAttr(e, a.id) ?? this.contextAttr(e, a.id) ?? zeroValue(a.type);
    return args;
  }

  private call(e: number, x: Extract<ExprPlan, { kind: 'call' }>, d: number): boolean {
    if (d < 0) throw new DepthExceededError(this.maxDepth, { tenant: this.tenant });
    this.checkCount++;
    this.meter.spend(VISIT_STEPS);
    return this.runRule(e, x);
  }

  /**
   * The rule of a call on entity `e`, with the request's context and meter (a rule over a long list costs its CEL
   * steps); a failure that is not already typed becomes an {@link EvaluationError}.
   */
  public runRule(e: number, x: Extract<ExprPlan, { kind: 'call' }>): boolean {
    try {
      return x.rule.evaluate(
        this.ruleArgs(e, x),
        {
          tuples: this.context?.tuples ?? [],
          attributes: this.context?.attributes ?? [],
          data: this.context?.data ?? {},
        },
        this.meter,
      );
    } catch (err) {
      if (err instanceof GatehouseError) throw err;
      throw new EvaluationError(`rule "${x.rule.name}" failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err, tenant: this.tenant });
    }
  }

  // ---- type-level checks (three-valued) ----

  /**
   * Checks `member` on the type itself (no id): only `tenant.x` and the subject's own standing are known, every
   * instance fact is unknown, and unknown is a denial (docs/architecture.md#tenancy).
   */
  public checkType(entity: EntityPlan, member: string): boolean {
    const m = this.member(entity, member);
    try {
      return this.typeLevel(entity, m, this.maxDepth) === T;
    } catch (err) {
      throw this.stackSafe(err);
    }
  }

  public typeLevel(ent: EntityPlan, m: MemberPlan, depth: number): Tri {
    if (depth < 0) throw new DepthExceededError(this.maxDepth, { tenant: this.tenant });
    this.checkCount++;
    this.meter.spend(VISIT_STEPS);
    const key = -1 - m.id;
    if (this.stack.includes(key)) {
      this.cuts++;
      return F;
    }
    this.stack.push(key);
    try {
      switch (m.kind) {
        case 'relation':
          return m.implicit ? (this.sRel === 0 && this.sNode === this.tenantNode() ? T : F) : U;
        case 'attribute':
          return U;
        case 'permission':
          return this.typeExpr(ent, m.expr, depth - 1);
      }
    } finally {
      this.stack.pop();
    }
  }

  private typeExpr(ent: EntityPlan, x: ExprPlan, d: number): Tri {
    switch (x.kind) {
      case 'union': {
        const l = this.typeExpr(ent, x.left, d);
        if (l === T) return T;
        const r = this.typeExpr(ent, x.right, d);
        return l > r ? l : r;
      }
      case 'intersection': {
        const l = this.typeExpr(ent, x.left, d);
        if (l === F) return F;
        const r = this.typeExpr(ent, x.right, d);
        return l < r ? l : r;
      }
      case 'exclusion': {
        const l = this.typeExpr(ent, x.left, d);
        if (l === F) return F;
        const r = (T - this.typeExpr(ent, x.right, d)) as Tri;
        return l < r ? l : r;
      }
      case 'computedUserSet':
      case 'computedAttribute':
        return this.typeLevel(ent, this.member(ent, x.name), d);
      case 'tupleToUserSet': {
        if (!x.implicitTenant) return U;
        const target = this.plan.tenantEntity;
        const member = target?.members.get(x.computed);
        return target !== undefined && member !== undefined && this.invoke(this.tenantNode(), target, member, d) ? T : F;
      }
      case 'call':
        return U;
    }
  }

  // ---- explain ----

  /** The tree of why `member` of `node` is allowed or not (same semantics as {@link Evaluation.check}). */
  public explain(node: number, entity: EntityPlan, member: string): ExplainNode {
    const m = this.member(entity, member);
    try {
      return this.explainMember(node, entity, m, this.maxDepth);
    } catch (err) {
      throw this.stackSafe(err);
    }
  }

  public explainType(entity: EntityPlan, member: string): ExplainNode {
    const allowed = this.checkType(entity, member);
    return { entity: entity.name, name: member, kind: 'typeLevel', allowed, via: allowed ? 'granted by the tenant' : 'instance facts are unknown for a type-level check' };
  }

  /** True once an explanation ran out of depth: the tree shows where (`kind: 'depth'`), and a check would have failed. */
  public depthCut = false;

  private explainMember(e: number, ent: EntityPlan, m: MemberPlan, depth: number): ExplainNode {
    if (depth < 0) {
      this.depthCut = true;
      return { entity: this.nodeString(e), name: m.name, kind: 'depth', allowed: false, via: `the depth limit of ${this.maxDepth} was reached here` };
    }
    this.meter.spend(VISIT_STEPS + (this.stack.length >>> 4));
    const entity = this.nodeString(e);
    if (e === this.sNode && m.id === this.sRel) return { entity, name: m.name, kind: 'self', allowed: true, via: 'the subject is this userset' };
    const key = e * L + m.id;
    if (this.stack.includes(key)) return { entity, name: m.name, kind: 'cycle', allowed: false, via: 'revisits a node of this path' };
    this.stack.push(key);
    try {
      switch (m.kind) {
        case 'attribute': {
          const allowed = this.invoke(e, ent, m, depth);
          const c = this.contextAttr(e, m.id);
          const v = c ?? this.storedAttr(e, m.id);
          return { entity, name: m.name, kind: 'attribute', allowed, via: v === undefined ? 'missing (false)' : `${entity}$${m.name}=${JSON.stringify(v)} (${c === undefined ? 'stored' : 'context'})` };
        }
        case 'permission': {
          const child = this.explainExpr(e, ent, m.expr, depth - 1);
          return { entity, name: m.name, kind: 'permission', allowed: child.allowed, children: [child] };
        }
        case 'relation': {
          if (m.implicit) {
            const allowed = this.sRel === 0 && this.sNode === this.tenantNode();
            return { entity, name: m.name, kind: 'relation', allowed, via: `${entity}#tenant@tenant:${this.tenant} (implicit)` };
          }
          let via: string | undefined;
          this.someTuple(e, m.id, (node, rel) => {
            if (node === this.sNode && rel === this.sRel) via = this.tupleString(e, m.id, node, rel);
            return via !== undefined;
          });
          if (via !== undefined) return { entity, name: m.name, kind: 'relation', allowed: true, via };
          const children: ExplainNode[] = [];
          this.someTuple(e, m.id, (node, rel) => {
            const target = this.entityOf(node);
            const member = rel === 0 ? undefined : target?.byId.get(rel);
            if (target === undefined || member === undefined) return false;
            const child = this.explainMember(node, target, member, depth - 1);
            children.push({ ...child, via: child.via ?? `via ${this.tupleString(e, m.id, node, rel)}` });
            return child.allowed;
          });
          return { entity, name: m.name, kind: 'relation', allowed: children.some((c) => c.allowed), children };
        }
      }
    } finally {
      this.stack.pop();
    }
  }

  private explainExpr(e: number, ent: EntityPlan, x: ExprPlan, d: number): ExplainNode {
    const entity = this.nodeString(e);
    switch (x.kind) {
      case 'union':
      case 'intersection':
      case 'exclusion': {
        const left = this.explainExpr(e, ent, x.left, d);
        const decided = x.kind === 'union' ? left.allowed : !left.allowed;
        if (decided) return { entity, name: x.kind, kind: x.kind, allowed: x.kind === 'union', children: [left] };
        const right = this.explainExpr(e, ent, x.right, d);
        const allowed = x.kind === 'union' ? right.allowed : x.kind === 'intersection' ? right.allowed : !right.allowed;
        return { entity, name: x.kind, kind: x.kind, allowed, children: [left, right] };
      }
      case 'computedUserSet':
      case 'computedAttribute':
        return this.explainMember(e, ent, this.member(ent, x.name), d);
      case 'tupleToUserSet': {
        const name = `${x.tupleSet}.${x.computed}`;
        const children: ExplainNode[] = [];
        const visit = (node: number): boolean => {
          const target = this.entityOf(node);
          const member = target?.members.get(x.computed);
          if (target === undefined || member === undefined) return false;
          const child = this.explainMember(node, target, member, d);
          children.push(child);
          return child.allowed;
        };
        if (x.implicitTenant) visit(this.tenantNode());
        else this.someTuple(e, x.tupleSetId, visit);
        return { entity, name, kind: 'tupleToUserSet', allowed: children.some((c) => c.allowed), children };
      }
      case 'call': {
        const allowed = this.call(e, x, d);
        return { entity, name: x.rule.name, kind: 'rule', allowed, via: `${x.rule.name}(${JSON.stringify(this.ruleArgs(e, x))})` };
      }
    }
  }

  public tupleString(e: number, rel: number, s: number, sRel: number): string {
    return `${this.nodeString(e)}#${this.nameOf(rel)}@${this.nodeString(s)}${sRel === 0 ? '' : `#${this.nameOf(sRel)}`}`;
  }

  // ---- context ----

  private loadContextTuples(context: CheckContext): void {
    this.ctxTuples = new Map();
    for (const raw of context.tuples ?? []) {
      const t = parseTuple(raw);
      const rel = this.store.findName(t.relation);
      const sRel = t.subject.relation === undefined || t.subject.relation === '' ? 0 : this.store.findName(t.subject.relation);
      // A relation name no schema uses cannot be read by any evaluation.
      if (rel < 0 || sRel < 0) continue;
      const e = this.resolve(t.entity.type, t.entity.id);
      const s = this.resolve(t.subject.type, t.subject.id);
      const key = e * L + rel;
      let list = this.ctxTuples.get(key);
      if (list === undefined) {
        list = [];
        this.ctxTuples.set(key, list);
      }
      list.push({ sNode: s, sRel });
    }
  }

  private addContextAttribute(type: string, id: string, name: string, value: AttributeValue): void {
    const attr = this.store.findName(name);
    if (attr < 0) return;
    this.ctxAttrs ??= new Map();
    this.ctxAttrs.set(this.resolve(type, id) * L + attr, value);
  }
}

/** A failure a branch may put aside while the other branch decides; an exhausted budget is never put aside. */
function pending(err: unknown): Error {
  if (err instanceof BudgetExceededError) throw err;
  return asError(err);
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new EvaluationError(String(err));
}
