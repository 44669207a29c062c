import { InvalidRequestError, NAME_PATTERN, NotFoundError, parseAttribute, parseSubject, parseTuple } from '@gatehouse/core';
import type { CheckContext, QueryPlan, SubjectInput } from '@gatehouse/core';

import type { StepMeter } from '../eval/budget.js';
import { Evaluation } from '../eval/evaluation.js';
import type { EntityPlan, SchemaPlan } from '../eval/plan.js';
import type { MemoryStore } from '../store/memory-store.js';
import { formatSnapToken } from '../store/snap-token.js';
import { render } from './formula.js';
import { Planner } from './planner.js';

/** The largest depth a plan request may ask for (as for checks). */
const MAX_DEPTH = 10_000;

/** A query plan request as the engine takes it (the words of `lookupEntity`). */
export interface PlanEngineRequest {
  readonly tenant: string;
  readonly subject: SubjectInput;
  readonly permission: string;
  readonly entityType: string;
  /** `data` for rules; contextual tuples and attributes of entities of other types than `entityType`. */
  readonly context?: CheckContext;
  readonly depth?: number;
  /** Plan at least as fresh as this token. */
  readonly snapToken?: string;
  readonly schemaVersion?: string;
}

/** A query plan with the snap token it was computed at (the plan pins it: its id sets are those of that state). */
export type EnginePlan = QueryPlan & { readonly snapToken: string };

/** What {@link planRequest} reads: the view at its head, the tenant's compiled schema and the depth budget. */
export interface PlanEnvironment {
  readonly view: MemoryStore;
  readonly tenant: string;
  readonly schema: SchemaPlan;
  readonly maxDepth: number;
  /** The request's step budget (one step per graph visit, candidate examined and rule node, as for lookups). */
  readonly meter?: StepMeter;
}

/**
 * Computes a query plan at the view's head (see {@link Planner}).
 * @throws {@link InvalidRequestError} for a bad request, or contextual attributes of the planned type (a plan
 *   reads those from the row); {@link NotFoundError} for an unknown type or permission; the evaluation's errors
 *   (`DepthExceededError`, `EvaluationError`, `BudgetExceededError`) as a check would.
 * @internal
 */
export function planRequest(env: PlanEnvironment, request: PlanEngineRequest): EnginePlan {
  const { view, tenant, schema } = env;
  const subject = parseSubject(request.subject);
  const type = name('entity type', request.entityType);
  const permission = name('permission', request.permission);
  const depth = request.depth ?? env.maxDepth;
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH) throw InvalidRequestError.badValue('depth', depth, `an integer from 0 to ${String(MAX_DEPTH)}`);
  const entity = schema.entities.get(type);
  if (entity === undefined) throw new NotFoundError(`entity type "${type}" is not defined in the schema`, { tenant });
  if (!entity.members.has(permission)) throw new NotFoundError(`entity "${type}" has no permission, relation or attribute named "${permission}"`, { tenant });
  const data = view.tenantData(tenant);
  if (data === undefined) throw new NotFoundError(`tenant ${JSON.stringify(tenant)} does not exist`, { tenant });
  const extra = subject.attributes === undefined ? [] : [{ type: subject.type, id: subject.id, values: subject.attributes }];
  const ev = new Evaluation({ plan: schema, store: view, data, tenant, at: view.head, subject, context: request.context, extraAttributes: extra, maxDepth: depth, meter: env.meter });
  return { ...planQuery(ev, entity, permission, request.context), snapToken: formatSnapToken(view.head) };
}

/**
 * The query plan of `permission` on every entity of `entity`'s type for the evaluation's subject, tenant and
 * snapshot.
 * @internal
 */
export function planQuery(ev: Evaluation, entity: EntityPlan, permission: string, context: CheckContext | undefined): QueryPlan {
  const contextNodes: number[] = [];
  for (const raw of context?.tuples ?? []) {
    const t = parseTuple(raw);
    contextNodes.push(ev.resolve(t.entity.type, t.entity.id), ev.resolve(t.subject.type, t.subject.id));
  }
  for (const raw of context?.attributes ?? []) {
    const a = parseAttribute(raw);
    if (a.entity.type === entity.name) {
      throw InvalidRequestError.badValue(
        'context.attributes',
        `${a.entity.type}:${a.entity.id}$${a.attribute}`,
        `attributes of entities other than "${entity.name}": a plan for "${entity.name}" reads its own attributes from the row`,
      );
    }
    contextNodes.push(ev.resolve(a.entity.type, a.entity.id));
  }
  const formula = new Planner(ev, entity, { context, contextNodes }).plan(permission);
  const condition = render(formula, (node) => ev.idOf(node));
  if (condition === true) return { kind: 'always' };
  if (condition === false) return { kind: 'never' };
  return { kind: 'conditional', condition };
}

function name(what: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) throw InvalidRequestError.badValue(what, value, 'a name of letters and "_" only');
  return value;
}
