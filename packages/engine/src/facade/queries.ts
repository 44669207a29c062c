import { assertTenant, DepthExceededError, EvaluationError, InvalidRequestError, NAME_PATTERN, NotFoundError, parseAttribute, parseResource, parseSubject, parseTuple } from '@gatehouse/core';
import type { Resource, Subject } from '@gatehouse/core';

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
import { candidates, decodePageToken, grantsWithoutTuples, page, reachableFrom } from '../eval/lookup.js';
import type { EntityPlan, SchemaPlan } from '../eval/plan.js';
import type { MemoryStore } from '../store/memory-store.js';
import { formatSnapToken } from '../store/snap-token.js';
import type { SchemaCache } from './schema-cache.js';

/** The largest depth budget a request or engine may ask for. */
export const MAX_DEPTH = 10_000;

/** What the evaluation entry points read: the current view, the schema cache and the engine's limits. */
export interface QueryEnvironment {
  /** The view to evaluate against (read on each call: a reload replaces it). */
  readonly view: () => MemoryStore;
  readonly schemas: SchemaCache;
  readonly maxDepth: number;
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

  public check(request: EngineCheckRequest): EngineDecision {
    const view = this.env.view();
    const tenant = this.tenant(request.tenant, view);
    const subject = parseSubject(request.subject);
    const resource = parseResource(request.resource);
    const action = name('action', request.action);
    const { plan } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const ev = this.evaluation(view, tenant, plan, subject, resource, request.context, request.depth);
    const allowed = resource.id === undefined ? ev.checkType(entity, action) : ev.check(ev.resolve(resource.type, resource.id), entity, action);
    return { allowed, reason: allowed ? 'allowed' : 'denied', snapToken: formatSnapToken(view.head), checkCount: ev.checkCount };
  }

  public lookupEntity(request: LookupEntityRequest): { ids: string[]; continuousToken: string } {
    const view = this.env.view();
    const after = decodePageToken(request.continuousToken);
    const tenant = this.tenant(request.tenant, view);
    const subject = parseSubject(request.subject);
    const type = name('entity type', request.entityType);
    const permission = name('permission', request.permission);
    const { plan } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, type, tenant);
    if (!entity.members.has(permission)) throw new NotFoundError(`entity "${type}" has no permission, relation or attribute named "${permission}"`, { tenant });
    const ev = this.evaluation(view, tenant, plan, subject, undefined, request.context, request.depth);
    const extra = contextNodes(ev, request.context);
    if (subject.type === type) extra.push(ev.sNode);
    const scope = request.scope?.[type];
    const allow = scope === undefined ? undefined : new Set(scope);
    const typeId = view.findName(type);
    // Without attribute, rule or tenant grants, only entities reachable backwards from the subject can match.
    // Contextual tuples may link the subject to stored entities, so they also take the full scan.
    const scan = grantsWithoutTuples(ev, entity, permission) || (request.context?.tuples?.length ?? 0) > 0;
    const nodes = scan ? candidates(ev, type, typeId, extra) : [...reachableFrom(ev, ev.sNode, ev.sRel, typeId), ...candidates(ev, type, -1, extra)];
    if (!scan && ev.sNode >= 0 && subject.type === type) nodes.push(ev.sNode);
    const ids: string[] = [];
    for (const node of new Set(nodes)) {
      const id = ev.idOf(node);
      if (allow !== undefined && !allow.has(id)) continue;
      if (ev.check(node, entity, permission)) ids.push(id);
    }
    return page(ids, request.pageSize, after);
  }

  public lookupSubject(request: LookupSubjectRequest): { ids: string[]; continuousToken: string } {
    const view = this.env.view();
    const after = decodePageToken(request.continuousToken);
    const tenant = this.tenant(request.tenant, view);
    const resource = parseResource(request.entity);
    if (resource.id === undefined) throw InvalidRequestError.badValue('entity', request.entity, 'an entity with an id');
    const type = name('subject type', request.subjectReference.type);
    const relation = request.subjectReference.relation ? name('subject relation', request.subjectReference.relation) : undefined;
    const permission = name('permission', request.permission);
    const { plan } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const probe = this.evaluation(view, tenant, plan, { type, id: '*' }, resource, request.context, request.depth);
    probe.member(entity, permission);
    const ids: string[] = [];
    for (const node of candidates(probe, type, view.findName(type), contextNodes(probe, request.context))) {
      const id = probe.idOf(node);
      const subject: Subject = relation === undefined ? { type, id } : { type, id, relation };
      const ev = this.evaluation(view, tenant, plan, subject, resource, request.context, request.depth);
      if (ev.check(ev.resolve(resource.type, resource.id), entity, permission)) ids.push(id);
    }
    return page(ids, request.pageSize, after);
  }

  public subjectPermissions(request: SubjectPermissionsEngineRequest): SubjectPermissionsEngineResult {
    const view = this.env.view();
    const tenant = this.tenant(request.tenant, view);
    const subject = parseSubject(request.subject);
    const resource = parseResource(request.entity);
    const { plan } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const ev = this.evaluation(view, tenant, plan, subject, resource, request.context, request.depth);
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
    const ev = this.evaluation(view, tenant, plan, { type: resource.type, id: resource.id, relation: '' }, resource, request.context, undefined);
    const node = ev.resolve(resource.type, resource.id);
    const member = ev.member(entity, name('permission', request.permission));
    try {
      return { tree: expandMember(ev, node, entity, member) };
    } catch (err) {
      throw ev.stackSafe(err);
    }
  }

  public explain(request: EngineCheckRequest): { allowed: boolean; tree: ExplainNode } {
    const view = this.env.view();
    const tenant = this.tenant(request.tenant, view);
    const subject = parseSubject(request.subject);
    const resource = parseResource(request.resource);
    const action = name('action', request.action);
    const { plan } = this.env.schemas.resolve(view, tenant, request.schemaVersion);
    const entity = entityPlan(plan, resource.type, tenant);
    const ev = this.evaluation(view, tenant, plan, subject, resource, request.context, request.depth);
    const tree = resource.id === undefined ? ev.explainType(entity, action) : ev.explain(ev.resolve(resource.type, resource.id), entity, action);
    return { allowed: tree.allowed, tree };
  }

  private evaluation(view: MemoryStore, tenant: string, plan: SchemaPlan, subject: Subject, resource: Resource | undefined, context: EngineCheckRequest['context'], depth: number | undefined): Evaluation {
    if (depth !== undefined && (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH)) {
      throw InvalidRequestError.badValue('depth', depth, `an integer from 0 to ${String(MAX_DEPTH)}`);
    }
    const data = view.tenantData(tenant);
    if (data === undefined) throw new NotFoundError(`tenant ${JSON.stringify(tenant)} does not exist`, { tenant });
    const extra: { type: string; id: string; values: Readonly<Record<string, unknown>> }[] = [];
    if (subject.attributes !== undefined) extra.push({ type: subject.type, id: subject.id, values: subject.attributes });
    if (resource?.attributes !== undefined && resource.id !== undefined) extra.push({ type: resource.type, id: resource.id, values: resource.attributes });
    return new Evaluation({ plan, store: view, data, tenant, at: view.head, subject, context, extraAttributes: extra, maxDepth: depth ?? this.env.maxDepth });
  }
}

function contextNodes(ev: Evaluation, context: EngineCheckRequest['context']): number[] {
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
