import { BudgetExceededError, InvalidRequestError, NotFoundError, parseResource, parseSubject } from '@gatehouse/core';
import type { Subject } from '@gatehouse/core';

import type { LookupEntityRequest, LookupSubjectRequest } from '../engine-types.js';
import { VISIT_STEPS } from '../eval/budget.js';
import type { StepMeter } from '../eval/budget.js';
import type { Evaluation } from '../eval/evaluation.js';
import { compareIds, forwardWithin, grantsWithoutTuples, hasFacts, inIdOrder, reachableWithin } from '../eval/lookup.js';
import type { PageCursor, PageTokens } from '../eval/page-token.js';
import type { EntityPlan, SchemaPlan } from '../eval/plan.js';
import type { MemoryStore } from '../store/memory-store.js';

/**
 * A lookup first walks the type's ids in order and checks each candidate: this many (plus 8 per id of the page)
 * before it considers the subject's reach instead.
 */
const INDEX_PROBE = 64;

/**
 * The subject's reach is walked (and sorted) when it has at most this many nodes; past it, the lookup keeps
 * walking the type's ids until the page is full.
 */
const REACH_LIMIT = 4096;

/** The page size of a lookup that names none. */
const DEFAULT_PAGE_SIZE = 1000;

/**
 * A page ends early, with the ids found so far and a token, once it has spent this share of the request's step
 * budget: the candidate after that still has the rest to itself, and the next page starts at it afresh.
 */
const PAGE_SHARE = 0.5;

/**
 * One page's walk over candidates in id order: collects matching ids until the page is full, and ends it early
 * (never failing it) when its share of the budget is spent or a candidate after the first runs the budget out —
 * the next page then starts at that candidate with the whole budget. Only a candidate that alone costs more than
 * the budget fails the page (`GH_ERR_BUDGET_EXCEEDED`).
 */
class PageWalk {
  public readonly ids: string[] = [];
  /** The last candidate examined to the end: where the next page starts. */
  public lastDone: string | undefined;
  /** The page ended before it was full, on the budget. */
  public cut = false;
  private examinedAny = false;

  public constructor(
    private readonly meter: StepMeter,
    private readonly size: number,
    after: string | undefined,
  ) {
    this.lastDone = after;
  }

  public get done(): boolean {
    return this.cut || this.ids.length >= this.size;
  }

  /**
   * Examines candidates from `it` (`match` says whether one is in the answer, `undefined` to skip it) until the
   * page is done, `limit` were examined or `it` ends.
   * @returns true when `it` ended.
   */
  public take(it: Iterator<number>, idOf: (node: number) => string, match: (node: number) => boolean | undefined, limit: number): boolean {
    for (let examined = 0; examined < limit && !this.done; examined++) {
      if (this.examinedAny && this.meter.used >= this.meter.limit * PAGE_SHARE) {
        this.cut = true;
        return false;
      }
      const step = this.guard(() => it.next());
      if (step === undefined) return false;
      if (step.done === true) return true;
      const node = step.value;
      const id = idOf(node);
      const ok = this.guard(() => {
        this.meter.spend(VISIT_STEPS);
        return match(node) ?? false;
      });
      if (ok === undefined) return false;
      if (ok) this.ids.push(id);
      this.lastDone = id;
      this.examinedAny = true;
    }
    return false;
  }

  /** Runs `work`; a budget failure after the first candidate ends the page instead (then `undefined`). */
  public guard<T>(work: () => T): T | undefined {
    try {
      return work();
    } catch (err) {
      if (!(err instanceof BudgetExceededError) || !this.examinedAny) throw err;
      this.cut = true;
      return undefined;
    }
  }

  /** The token of the next page: `''` when the walk is over. */
  public token(tokens: PageTokens, kind: string, fingerprint: unknown, at: number, ended: boolean): string {
    const after = this.cut ? this.lastDone : this.ids.at(-1);
    if (after === undefined || (ended && !this.cut)) return '';
    return this.cut || this.ids.length >= this.size ? tokens.seal(kind, fingerprint, { snap: at, after }) : '';
  }
}

/** What the lookups need from the query layer. @internal */
export interface LookupScope {
  readonly view: MemoryStore;
  readonly tenant: string;
  readonly plan: SchemaPlan;
  readonly tokens: PageTokens;
  readonly meter: StepMeter;
  /** A new evaluation of `subject` at `at`, charged to the request's meter. */
  readonly evaluation: (subject: Subject, resource: { type: string; id: string } | undefined, at: number) => Evaluation;
  /** Nodes the request's contextual tuples and attributes name (for candidates only the request knows). */
  readonly contextNodes: (ev: Evaluation) => number[];
}

/**
 * One page of `lookupEntity`: walks candidates in id order from where the token says, checks each, and stops
 * when the page is full. The work is that of the page (plus the subject's reach, when small), never the tenant.
 */
export function lookupEntityPage(scope: LookupScope, request: LookupEntityRequest, entity: EntityPlan, permission: string): { ids: string[]; continuousToken: string } {
  const { view, tenant, tokens } = scope;
  const subject = parseSubject(request.subject);
  const fingerprint = ['lookup-entity', tenant, request.entityType, permission, subject, request.scope ?? null, request.context ?? null, request.schemaVersion ?? '', request.depth ?? null];
  const cursor = tokens.open('lookup-entity', fingerprint, request.continuousToken);
  const size = pageSize(request.pageSize);
  const at = pinned(view, cursor, tenant);
  const ev = scope.evaluation(subject, undefined, at);
  const type = entity.name;
  const extra = scope.contextNodes(ev).filter((n) => n < 0 && ev.typeName(n) === type);
  const scoped = request.scope?.[type];
  const allow = scoped === undefined ? undefined : new Set(scoped);
  const typeId = view.findName(type);
  const after = cursor?.after;
  const subjectRelations = relationIds(entity);
  if (subject.type === type && ev.sNode < 0 && !extra.includes(ev.sNode)) extra.push(ev.sNode);
  const data = ev.data;
  const sorted = typeId >= 0 ? data.sortedNodesOfType(typeId) : [];
  const walk = new PageWalk(scope.meter, size, after);
  const idOf = (node: number): string => ev.idOf(node);
  const match = (filterFacts: boolean) => (node: number): boolean | undefined => {
    if (allow !== undefined && !allow.has(ev.idOf(node))) return undefined;
    if (filterFacts && node >= 0 && !hasFacts(ev, node, entity, subjectRelations)) return undefined;
    return ev.check(node, entity, permission);
  };
  const byIndex = inIdOrder(ev, sorted, after === undefined ? 0 : data.positionAfter(sorted, after), extra, after);
  let ended: boolean;
  // With attribute, rule or tenant grants any entity of the type may match: walk the type's ids in order.
  // Contextual tuples may link the subject to stored entities, so they take that walk too.
  if (grantsWithoutTuples(ev, entity, permission) || (request.context?.tuples?.length ?? 0) > 0) {
    ended = walk.take(byIndex, idOf, match(true), Infinity);
  } else {
    ended = walk.take(byIndex, idOf, match(true), INDEX_PROBE + 8 * size);
    if (!ended && !walk.done) {
      // Tuples only, and the matches are sparse in the type's ids: the entities reachable backwards from the
      // subject are all the candidates there are. When that reach is small, walk it (in id order) instead.
      const reach = walk.guard(() => reachableWithin(ev, ev.sNode, ev.sRel, typeId, REACH_LIMIT));
      if (reach?.complete === true) {
        const nodes = reach.nodes;
        if (ev.sNode >= 0 && subject.type === type) nodes.push(ev.sNode);
        const from = walk.lastDone;
        const reachSorted = [...new Set(nodes)].filter((n) => from === undefined || ev.idOf(n) > from).sort((x, y) => compareIds(ev.idOf(x), ev.idOf(y)));
        ended = walk.take(inIdOrder(ev, reachSorted, 0, extra, from), idOf, match(false), Infinity);
      } else if (reach !== undefined) {
        ended = walk.take(byIndex, idOf, match(true), Infinity);
      }
    }
  }
  return { ids: walk.ids, continuousToken: walk.token(tokens, 'lookup-entity', fingerprint, at, ended) };
}

/**
 * One page of `lookupSubject`: walks the subject type's ids in order from where the token says, checks each
 * candidate subject, and stops when the page is full.
 */
export function lookupSubjectPage(scope: LookupScope, request: LookupSubjectRequest, entity: EntityPlan, permission: string, type: string, relation: string | undefined): { ids: string[]; continuousToken: string } {
  const { view, tenant, tokens } = scope;
  const resource = parseResource(request.entity);
  if (resource.id === undefined) throw InvalidRequestError.badValue('entity', request.entity, 'an entity with an id');
  const fingerprint = ['lookup-subject', tenant, resource, permission, type, relation ?? '', request.context ?? null, request.schemaVersion ?? '', request.depth ?? null];
  const cursor = tokens.open('lookup-subject', fingerprint, request.continuousToken);
  const size = pageSize(request.pageSize);
  const at = pinned(view, cursor, tenant);
  const target = { type: resource.type, id: resource.id };
  const probe = scope.evaluation({ type, id: '*' }, target, at);
  probe.member(entity, permission);
  const subjectEntity = scope.plan.entities.get(type);
  const subjectRelations = subjectEntity === undefined ? [] : relationIds(subjectEntity);
  const typeId = view.findName(type);
  const data = probe.data;
  const sorted = typeId >= 0 ? data.sortedNodesOfType(typeId) : [];
  const after = cursor?.after;
  const extra = scope.contextNodes(probe).filter((n) => n < 0 && probe.typeName(n) === type);
  const walk = new PageWalk(scope.meter, size, after);
  const idOf = (node: number): string => probe.idOf(node);
  const match = (filterFacts: boolean) => (node: number): boolean | undefined => {
    if (filterFacts && node >= 0 && !hasFacts(probe, node, subjectEntity, subjectRelations)) return undefined;
    const id = probe.idOf(node);
    const ev = scope.evaluation(relation === undefined ? { type, id } : { type, id, relation }, target, at);
    return ev.check(ev.resolve(target.type, target.id), entity, permission);
  };
  const byIndex = inIdOrder(probe, sorted, after === undefined ? 0 : data.positionAfter(sorted, after), extra, after);
  let ended: boolean;
  if (grantsWithoutTuples(probe, entity, permission) || (request.context?.tuples?.length ?? 0) > 0) {
    ended = walk.take(byIndex, idOf, match(true), Infinity);
  } else {
    ended = walk.take(byIndex, idOf, match(true), INDEX_PROBE + 8 * size);
    if (!ended && !walk.done) {
      // Tuples only, and the matches are sparse among the type's ids: the subjects reachable forwards from the
      // entity are all the candidates there are. When that reach is small, walk it (in id order) instead.
      const reach = walk.guard(() => forwardWithin(probe, probe.resolve(target.type, target.id), typeId, REACH_LIMIT));
      if (reach?.complete === true) {
        const from = walk.lastDone;
        const reachSorted = reach.nodes.filter((n) => from === undefined || probe.idOf(n) > from).sort((x, y) => compareIds(probe.idOf(x), probe.idOf(y)));
        ended = walk.take(inIdOrder(probe, reachSorted, 0, extra, from), idOf, match(false), Infinity);
      } else if (reach !== undefined) {
        ended = walk.take(byIndex, idOf, match(true), Infinity);
      }
    }
  }
  return { ids: walk.ids, continuousToken: walk.token(tokens, 'lookup-subject', fingerprint, at, ended) };
}

function relationIds(entity: EntityPlan): number[] {
  const out: number[] = [];
  for (const m of entity.members.values()) if (m.kind !== 'attribute') out.push(m.id);
  return out;
}

function pageSize(n: number | undefined): number {
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw InvalidRequestError.badValue('pageSize', n, 'a positive integer');
  return n === undefined || n === 0 ? DEFAULT_PAGE_SIZE : n;
}

/**
 * The snapshot a page reads: the head for a first page, the walk's pinned one after that.
 * @throws {@link InvalidRequestError} when the pinned snapshot is no longer readable (history compacted or the
 *   view reloaded since the walk began); {@link NotFoundError} for an unknown tenant.
 */
function pinned(view: MemoryStore, cursor: PageCursor | undefined, tenant: string): number {
  if (view.tenantData(tenant) === undefined) throw new NotFoundError(`tenant ${JSON.stringify(tenant)} does not exist`, { tenant });
  if (cursor === undefined) return view.head;
  if (cursor.snap > view.head || cursor.snap < view.oldestReadable) {
    throw InvalidRequestError.badValue('continuousToken', `a walk at snapshot ${String(cursor.snap)}`, `a walk whose snapshot this PDP still holds (from ${String(view.oldestReadable)} to ${String(view.head)}): start again from the first page`);
  }
  return cursor.snap;
}
