import type { BoundGate, CheckOptions, PlanOptions } from '../client-types.js';
import type { QueryPlan } from '../query-plan.js';
import type { Gatehouse } from '../gatehouse.js';
import type { Decision, ResourceInput, Subject, SubjectInput } from '../types.js';

type BoundOptions = Omit<CheckOptions, 'tenant'>;

/**
 * The `req.gate` of a request in a framework adapter: a {@link BoundGate} bound lazily. The adapter stores the
 * tenant (already validated) and the subject as its resolver returned them; the subject is parsed and the client
 * bound on first use, so a request that never checks pays for one small object. Checks with a string subject and
 * no options go straight to `Gatehouse.check()` with the caller's strings (the cache's hit path).
 *
 * @example
 * ```ts
 * req.gate = new RequestGate(client, 'acme', 'alice');
 * await req.gate.can('edit', 'document:1');
 * ```
 */
export class RequestGate implements BoundGate {
  readonly #client: Gatehouse;
  readonly #subjectInput: SubjectInput;
  #bound: BoundGate | undefined;

  /**
   * @param client - the client to check through.
   * @param tenant - the request's tenant id, already validated (`assertTenant`).
   * @param subject - the request's subject as resolved (`'alice'`, `'user:alice'`, `{ type, id, attributes? }`).
   */
  public constructor(
    client: Gatehouse,
    public readonly tenant: string,
    subject: SubjectInput,
  ) {
    this.#client = client;
    this.#subjectInput = subject;
  }

  /**
   * The request's subject, parsed.
   * @throws {@link InvalidRequestError} when the resolver returned a malformed subject.
   */
  public get subject(): Subject {
    return this.#bind().subject;
  }

  /**
   * True when allowed. Never rejects for a denial or a PDP failure.
   * @throws {@link InvalidRequestError} (as a rejection) for malformed input.
   */
  public async can(action: string, resource: ResourceInput, options?: BoundOptions): Promise<boolean> {
    return (await this.check(action, resource, options)).allowed;
  }

  /**
   * The decision for this request's subject in its tenant.
   * @throws {@link InvalidRequestError} (as a rejection) for malformed input.
   */
  public check(action: string, resource: ResourceInput, options?: BoundOptions): Promise<Decision> {
    const subject = this.#subjectInput;
    // The common case returns the client's own promise: on a hit, the cache entry's, so nothing is allocated.
    if (options === undefined && typeof subject === 'string') {
      return this.#client.check({ tenant: this.tenant, subject, action, resource });
    }
    return this.#checkBound(action, resource, options);
  }

  /**
   * The decision, synchronously when the client's cache has it (see {@link Gatehouse.checkNow}), else a promise.
   * Logged and traced as {@link RequestGate.check} is.
   * @example
   * ```ts
   * const d = req.gate.checkNow('edit', 'document:1');
   * if (!(d instanceof Promise) && d.allowed) next();
   * ```
   */
  public checkNow(action: string, resource: ResourceInput): Decision | Promise<Decision> {
    const subject = this.#subjectInput;
    if (typeof subject === 'string') return this.#client.checkNow({ tenant: this.tenant, subject, action, resource });
    return this.#checkBound(action, resource, undefined);
  }

  /** Every permission of the subject on the resource (or resource type). */
  public async permissions(resource: ResourceInput, options?: BoundOptions): Promise<Record<string, boolean>> {
    return await this.#bind().permissions(resource, options);
  }

  /** Ids of `resourceType` on which the subject may do `action`. */
  public async lookupResources(action: string, resourceType: string, options?: BoundOptions): Promise<string[]> {
    return await this.#bind().lookupResources(action, resourceType, options);
  }

  /** The query plan of `action` on every resource of `resourceType` for the request's subject and tenant. */
  public async plan(action: string, resourceType: string, options?: Omit<PlanOptions, 'tenant'>): Promise<QueryPlan> {
    return await this.#bind().plan(action, resourceType, options);
  }

  async #checkBound(action: string, resource: ResourceInput, options: BoundOptions | undefined): Promise<Decision> {
    return await this.#bind().check(action, resource, options);
  }

  #bind(): BoundGate {
    return (this.#bound ??= this.#client.bind(this.tenant, this.#subjectInput));
  }
}
