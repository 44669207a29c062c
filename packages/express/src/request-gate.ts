import type {
  BoundGate,
  CheckOptions,
  Decision,
  Gatehouse,
  ResourceInput,
  Subject,
  SubjectInput,
} from '@gatehouse/core';

type Options = Omit<CheckOptions, 'tenant'>;

/**
 * The `req.gate` of a request: a {@link BoundGate} bound lazily. The middleware only stores the tenant and the
 * subject as resolved; the core binding (subject parsing) happens on first use, so routes that never check pay
 * for one small object and nothing else.
 * @internal
 */
export class RequestGate implements BoundGate {
  readonly #client: Gatehouse;
  readonly #subjectInput: SubjectInput;
  #bound: BoundGate | undefined;

  public constructor(
    client: Gatehouse,
    public readonly tenant: string,
    subject: SubjectInput,
  ) {
    this.#client = client;
    this.#subjectInput = subject;
  }

  /** The request's subject, parsed. Throws `InvalidRequestError` when the resolver returned a malformed one. */
  public get subject(): Subject {
    return this.#bind().subject;
  }

  public async can(action: string, resource: ResourceInput, options?: Options): Promise<boolean> {
    return (await this.check(action, resource, options)).allowed;
  }

  public check(action: string, resource: ResourceInput, options?: Options): Promise<Decision> {
    const subject = this.#subjectInput;
    // The common case hands the client the caller's own strings (its cache-hit path) and returns its promise as
    // is: no extra promise per request.
    if (options === undefined && typeof subject === 'string') {
      return this.#client.check({ tenant: this.tenant, subject, action, resource });
    }
    return this.#checkBound(action, resource, options);
  }

  async #checkBound(action: string, resource: ResourceInput, options: Options | undefined): Promise<Decision> {
    return await this.#bind().check(action, resource, options);
  }

  public async permissions(resource: ResourceInput, options?: Options): Promise<Record<string, boolean>> {
    return await this.#bind().permissions(resource, options);
  }

  public async lookupResources(action: string, resourceType: string, options?: Options): Promise<string[]> {
    return await this.#bind().lookupResources(action, resourceType, options);
  }

  #bind(): BoundGate {
    return (this.#bound ??= this.#client.bind(this.tenant, this.#subjectInput));
  }
}
