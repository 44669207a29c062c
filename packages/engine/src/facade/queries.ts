import { assertTenant, DepthExceededError, EvaluationError, InvalidRequestError, NAME_PATTERN, NotFoundError, parseAttribute, parseResource, parseSubject, parseTuple } from '@gatehouse/core';
import type { CheckContext, Resource, Subject } from '@gatehouse/core';

import type {
  EngineCheckRequest,
  EngineDecision,
  ExpandRequest,
  ExpandTreeNode,
  ExplainNode,
  LookupEntityRequest,
  LookupSubjectRequest,
  SubjectPermissionsEngineRequest,
  SubjectPermissionsEngineResult,
} from '../engine-types.js';
import { Evaluation } from '../eval/evaluation.js';
import { expandMember } from '../eval/expand.js';
import { StepMeter } from '../eval/budget.js';
import type { EvaluationBudget } from '../eval/budget.js';
import type { PageTokens } from '../eval/page-token.js';
import type { EntityPlan, SchemaPlan } from '../eval/plan.js';
import type { CompiledSchema } from '../schema/ir.js';
import type { MemoryStore } from '../store/memory-store.js';
import { formatSnapToken } from '../store/snap-token.js';
import { lookupEntityPage, lookupSubjectPage } from './lookup-queries.js';
import type { LookupScope } from './lookup-queries.js';
import { checkRequestSize } from './request-limits.js';
import type { SchemaCache } from './schema-cache.js';

/** The largest depth budget a request or engine may ask for. */
export const MAX_DEPTH = 10_000;

/** What the evaluation entry points read: the current view, the schema cache and the engine's limits. */
export interface QueryEnvironment {
  /** The view to evaluate against (read on each call: a reload replaces it). */
  readonly view: () => MemoryStore;
  readonly schemas: SchemaCache;
  readonly maxDepth: number;
  /** The limits every request runs under. */
  readonly budget: Readonly<Required<EvaluationBudget>>;
  /** Signs and checks lookup continuation tokens. */
  readonly tokens: PageTokens;
  /** Sees each request's meter once it is made (the engine's step statistics). */
  readonly onMeter?: (meter: StepMeter) => void;
}

/**
 * The evaluation entry points of the engine (check, explain, lookups, subject permissions, expand), run
 * synchronously against the view once the facade has made it fresh enough. Each validates its request, resolves
 * the schema version and runs one or more {@link Evaluation}s.
 * @internal
 */
export class Queries {
  public constructor(private readonly env: QueryEnvironment) {}

  /** The tenant id, checked, when the view has it. @throws {@link NotFoundError} */
  public tenant(tenant: string, view: MemoryStore = this.env.view()): string {
    assertTenant(tenant);
    if (!view.hasTenant(tenant)) throw new NotFoundError(`tenant ${JSON.stringify(tenant)} does not exist`, { tenant });
    return tenant;
  }

  /**
   * One check. `shared`, when given, is the meter of a batch the check belongs to (its size limits are checked
   * per item; its steps count against the batch's one budget).
   */
  public check(request: EngineCheckRequest, shared?: StepMeter): EngineDecision {
    const view = this.env.view();
    const tenant = this.tenant(request.tenant, view);
    const subject = parseSubject(request.subject);
    const resource = parseResource(request.resource);
    const action = name('action', request.action);
    const { plan } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const meter = shared ?? this.meter(tenant, request.context, subject.attributes, resource.attributes);
    if (shared !== undefined) shared.spend(checkRequestSize(this.env.budget, request.context, subject.attributes, resource.attributes));
    const ev = this.evaluation(view, tenant, plan, subject, resource, request.context, request.depth, meter);
    const allowed = resource.id === undefined ? ev.checkType(entity, action) : ev.check(ev.resolve(resource.type, resource.id), entity, action);
    return { allowed, reason: allowed ? 'allowed' : 'denied', snapToken: formatSnapToken(view.head), checkCount: ev.checkCount };
  }

  /** Several checks under one budget: a batch may not cost more than one request. */
  public checkMany(requests: readonly EngineCheckRequest[]): EngineDecision[] {
    const first = requests[0];
    if (first === undefined) return [];
    const meter = this.meter(this.tenant(first.tenant), undefined);
    return requests.map((r) => this.check(r, meter));
  }

  public lookupEntity(request: LookupEntityRequest): { ids: string[]; continuousToken: string } {
    const view = this.env.view();
    const tenant = this.tenant(request.tenant, view);
    const subject = parseSubject(request.subject);
    const type = name('entity type', request.entityType);
    const permission = name('permission', request.permission);
    const { plan } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, type, tenant);
    if (!entity.members.has(permission)) throw new NotFoundError(`entity "${type}" has no permission, relation or attribute named "${permission}"`, { tenant });
    const meter = this.meter(tenant, request.context, subject.attributes);
    return lookupEntityPage(this.lookupScope(view, tenant, plan, meter, request.context, request.depth), request, entity, permission);
  }

  public lookupSubject(request: LookupSubjectRequest): { ids: string[]; continuousToken: string } {
    const view = this.env.view();
    const tenant = this.tenant(request.tenant, view);
    const resource = parseResource(request.entity);
    if (resource.id === undefined) throw InvalidRequestError.badValue('entity', request.entity, 'an entity with an id');
    const type = name('subject type', request.subjectReference.type);
    const relation = request.subjectReference.relation ? name('subject relation', request.subjectReference.relation) : undefined;
    const permission = name('permission', request.permission);
    const { plan } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const meter = this.meter(tenant, request.context, resource.attributes);
    return lookupSubjectPage(this.lookupScope(view, tenant, plan, meter, request.context, request.depth), request, entity, permission, type, relation);
  }

  public subjectPermissions(request: SubjectPermissionsEngineRequest): SubjectPermissionsEngineResult {
    const view = this.env.view();
    const tenant = this.tenant(request.tenant, view);
    const subject = parseSubject(request.subject);
    const resource = parseResource(request.entity);
    const { plan } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const meter = this.meter(tenant, request.context, subject.attributes, resource.attributes);
    const ev = this.evaluation(view, tenant, plan, subject, resource, request.context, request.depth, meter);
    const node = resource.id === undefined ? 0 : ev.resolve(resource.type, resource.id);
    const permissions: Record<string, boolean> = {};
    let errors: Record<string, string> | undefined;
    for (const m of entity.members.values()) {
      if (m.kind === 'attribute' || (m.kind === 'relation' && (m.implicit || request.onlyPermission === true))) continue;
      try {
        permissions[m.name] = resource.id === undefined ? ev.checkType(entity, m.name) : ev.check(node, entity, m.name);
      } catch (err) {
        if (request.onError !== 'deny' || !(err instanceof EvaluationError || err instanceof DepthExceededError)) throw err;
        permissions[m.name] = false;
        (errors ??= {})[m.name] = err.message;
      }
    }
    return errors === undefined ? { permissions } : { permissions, errors };
  }

  public expand(request: ExpandRequest): { tree: ExpandTreeNode } {
    const view = this.env.view();
    const tenant = this.tenant(request.tenant, view);
    const resource = parseResource(request.entity);
    if (resource.id === undefined) throw InvalidRequestError.badValue('entity', request.entity, 'an entity with an id');
    const { plan } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const meter = this.meter(tenant, request.context, resource.attributes);
    const ev = this.evaluation(view, tenant, plan, { type: resource.type, id: resource.id, relation: '' }, resource, request.context, undefined, meter);
    const node = ev.resolve(resource.type, resource.id);
    const member = ev.member(entity, name('permission', request.permission));
    try {
      return { tree: expandMember(ev, node, entity, member) };
    } catch (err) {
      throw ev.stackSafe(err);
    }
  }

  public explain(request: EngineCheckRequest): { allowed: boolean; tree: ExplainNode; depthExceeded: boolean; schema: CompiledSchema } {
    const view = this.env.view();
    const tenant = this.tenant(request.tenant, view);
    const subject = parseSubject(request.subject);
    const resource = parseResource(request.resource);
    const action = name('action', request.action);
    const { plan, compiled } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const meter = this.meter(tenant, request.context, subject.attributes, resource.attributes);
    const ev = this.evaluation(view, tenant, plan, subject, resource, request.context, request.depth, meter);
    const tree = resource.id === undefined ? ev.explainType(entity, action) : ev.explain(ev.resolve(resource.type, resource.id), entity, action);
    // Out of depth, the check itself fails (fail closed): the explanation shows where, and is no allow.
    return { allowed: tree.allowed && !ev.depthCut, tree, depthExceeded: ev.depthCut, schema: compiled };
  }

  /**
   * The step meter of one request, after checking its contextual data against the size limits (the data is
   * charged once up front: each evaluation loads it). Every evaluation entry point (plans too) makes one.
   * @throws {@link InvalidRequestError} for contextual data over a size limit.
   */
  public meter(tenant: string, context: CheckContext | undefined, ...attributes: (Readonly<Record<string, unknown>> | undefined)[]): StepMeter {
    const budget = this.env.budget;
    const size = checkRequestSize(budget, context, ...attributes);
    const meter = new StepMeter(budget.maxSteps, tenant);
    meter.spend(size);
    this.env.onMeter?.(meter);
    return meter;
  }

  private lookupScope(view: MemoryStore, tenant: string, plan: SchemaPlan, meter: StepMeter, context: CheckContext | undefined, depth: number | undefined): LookupScope {
    return {
      view,
      tenant,
      plan,
      tokens: this.env.tokens,
      meter,
      evaluation: (subject, resource, at) => this.evaluation(view, tenant, plan, subject, resource, context, depth, meter, at),
      contextNodes: (ev) => contextNodes(ev, context),
    };
  }

  private evaluation(
    view: MemoryStore,
    tenant: string,
    plan: SchemaPlan,
    subject: Subject,
    resource: Resource | undefined,
    context: CheckContext | undefined,
    depth: number | undefined,
    meter: StepMeter,
    at = view.head,
  ): Evaluation {
    if (depth !== undefined && (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH)) {
      throw InvalidRequestError.badValue('depth', depth, `an integer from 0 to ${String(MAX_DEPTH)}`);
    }
    const data = view.tenantData(tenant);
    if (data === undefined) throw new NotFoundError(`tenant ${JSON.stringify(tenant)} does not exist`, { tenant });
    const extra: { type: string; id: string; values: Readonly<Record<string, unknown>> }[] = [];
    if (subject.attributes !== undefined) extra.push({ type: subject.type, id: subject.id, values: subject.attributes });
    if (resource?.attributes !== undefined && resource.id !== undefined) extra.push({ type: resource.type, id: resource.id, values: resource.attributes });
    // Loading the contextual tuples and attributes is work each evaluation repeats.
    meter.spend(1 + (context?.tuples?.length ?? 0) + (context?.attributes?.length ?? 0));
    return new Evaluation({ plan, store: view, data, tenant, at, subject, context, extraAttributes: extra, maxDepth: depth ?? this.env.maxDepth, meter });
  }
}

function contextNodes(ev: Evaluation, context: CheckContext | undefined): number[] {
  const out: number[] = [];
  for (const raw of context?.tuples ?? []) {
    const t = parseTuple(raw);
    out.push(ev.resolve(t.entity.type, t.entity.id), ev.resolve(t.subject.type, t.subject.id));
  }
  for (const raw of context?.attributes ?? []) {
    const a = parseAttribute(raw);
    out.push(ev.resolve(a.entity.type, a.entity.id));
  }
  return out;
}

/** A name of letters and `_`. @throws {@link InvalidRequestError} */
export function name(what: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) throw InvalidRequestError.badValue(what, value, 'a name of letters and "_" only');
  return value;
}

/** The plan of an entity type of the schema. @throws {@link NotFoundError} */
export function entityPlan(plan: SchemaPlan, type: string, tenant: string): EntityPlan {
  const e = plan.entities.get(type);
  if (e === undefined) throw new NotFoundError(`entity type "${type}" is not defined in the schema`, { tenant });
  return e;
}
