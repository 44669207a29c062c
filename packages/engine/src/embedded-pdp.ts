import type {
  CallOptions,
  ChangeListener,
  CheckContext,
  CheckRequest,
  Consistency,
  Decision,
  LookupResourcesRequest,
  LookupResourcesResult,
  LookupSubjectsRequest,
  LookupSubjectsResult,
  Pdp,
  PlanRequest,
  QueryPlan,
  SubjectPermissionsRequest,
  SubjectPermissionsResult,
} from '@gatehouse/core';

import type { Engine } from './engine.js';
import { schemaHash, schemaTypeModel } from './schema/type-model.js';

/** The optional read options a Pdp request carries, in the engine's words (a snap token for `atLeastAsFresh`). */
function readOptions(request: {
  readonly context?: CheckContext;
  readonly depth?: number;
  readonly consistency?: Consistency;
}): { context?: CheckContext; depth?: number; snapToken?: string } {
  return {
    ...(request.context === undefined ? {} : { context: request.context }),
    ...(request.depth === undefined ? {} : { depth: request.depth }),
    ...(request.consistency?.atLeastAsFresh === undefined ? {} : { snapToken: request.consistency.atLeastAsFresh }),
  };
}

/**
 * The engine as core's `Pdp`, in-process. Change listeners are called synchronously before `write` and `delete`
 * resolve, so a `Gatehouse` client never serves a decision from before a change it has seen committed.
 *
 * @example
 * ```ts
 * const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
 * await gate.can('alice', 'edit', 'document:1', { tenant: 'acme' });
 * ```
 */
export class EmbeddedPdp implements Pdp {
  public constructor(private readonly engine: Engine) {}

  /** The content hash of the tenant's schema types (`gatehouse generate`'s `schemaHash`), for drift reports. */
  public async schemaHash(tenant: string): Promise<string | undefined> {
    return schemaHash(schemaTypeModel((await this.engine.readSchema(tenant)).definition));
  }

  /** A check; a denial is `{ allowed: false, reason: 'denied' }`. Rejects for invalid requests and evaluation errors. */
  public async check(request: CheckRequest, options?: CallOptions): Promise<Decision> {
    options?.signal?.throwIfAborted();
    const d = await this.engine.check(request);
    return { allowed: d.allowed, reason: d.allowed ? 'allowed' : 'denied', ...(d.snapToken === undefined ? {} : { snapToken: d.snapToken }) };
  }

  /** Checks in request order; one failure rejects the call. */
  public async checkMany(requests: readonly CheckRequest[], options?: CallOptions): Promise<Decision[]> {
    options?.signal?.throwIfAborted();
    const ds = await this.engine.checkMany(requests);
    return ds.map((d) => ({ allowed: d.allowed, reason: d.allowed ? 'allowed' : 'denied', ...(d.snapToken === undefined ? {} : { snapToken: d.snapToken }) }));
  }

  /**
   * Every permission and relation of the resource (or its type) for the subject. A permission that fails to
   * evaluate (a rule reading a `context.data` key the request did not send) is `false`; the others are answered.
   */
  public async subjectPermissions(request: SubjectPermissionsRequest, options?: CallOptions): Promise<SubjectPermissionsResult> {
    options?.signal?.throwIfAborted();
    const { permissions } = await this.engine.subjectPermissions({
      tenant: request.tenant,
      entity: request.resource,
      subject: request.subject,
      onError: 'deny',
      ...readOptions(request),
    });
    return { permissions, snapToken: this.engine.headSnapToken(request.tenant) };
  }

  /** Ids of `resourceType` the subject may do `action` on. */
  public async lookupResources(request: LookupResourcesRequest, options?: CallOptions): Promise<LookupResourcesResult> {
    options?.signal?.throwIfAborted();
    const ids: string[] = [];
    let continuousToken = '';
    do {
      const page = await this.engine.lookupEntity({
        tenant: request.tenant,
        entityType: request.resourceType,
        permission: request.action,
        subject: request.subject,
        continuousToken,
        ...readOptions(request),
      });
      ids.push(...page.ids);
      continuousToken = page.continuousToken;
    } while (continuousToken !== '');
    return { ids, snapToken: this.engine.headSnapToken(request.tenant) };
  }

  /** Ids of subjects of `subjectType` that may do `action` on the resource. */
  public async lookupSubjects(request: LookupSubjectsRequest, options?: CallOptions): Promise<LookupSubjectsResult> {
    options?.signal?.throwIfAborted();
    const ids: string[] = [];
    let continuousToken = '';
    do {
      const page = await this.engine.lookupSubject({
        tenant: request.tenant,
        entity: { type: request.resource.type, id: request.resource.id },
        permission: request.action,
        subjectReference: request.subjectRelation === undefined ? { type: request.subjectType } : { type: request.subjectType, relation: request.subjectRelation },
        continuousToken,
        ...readOptions(request),
      });
      ids.push(...page.ids);
      continuousToken = page.continuousToken;
    } while (continuousToken !== '');
    return { ids, snapToken: this.engine.headSnapToken(request.tenant) };
  }

  /** The query plan of `action` on every resource of `resourceType` for the subject (see `Engine.plan`). */
  public async plan(request: PlanRequest, options?: CallOptions): Promise<QueryPlan> {
    options?.signal?.throwIfAborted();
    return await this.engine.plan({
      tenant: request.tenant,
      subject: request.subject,
      permission: request.action,
      entityType: request.resourceType,
      ...readOptions(request),
    });
  }

  /** Calls `listener` synchronously for every commit (`tenant: '*'` for a default-tenant schema change). */
  public subscribe(listener: ChangeListener): () => void {
    return this.engine.watch((e) => {
      listener({ tenant: e.tenant, kind: e.kind, snapToken: e.snapToken });
    });
  }

  /** Compares two snap tokens of this engine numerically (negative when `a` is older). */
  public compareSnapTokens(a: string, b: string): number {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** Closes the engine. */
  public async close(): Promise<void> {
    await this.engine.close();
  }
}
