import type { BoundGate, CheckOptions, Decision, Gatehouse, ResourceInput, Subject, SubjectInput } from '@gatehouse/core';

type BoundOptions = Omit<CheckOptions, 'tenant'>;

/**
 * @internal `req.gate` on guarded routes: the request's tenant and subject, bound to the client only when a
 * handler uses it, so a request that never reads `req.gate` pays one small object for it.
 */
export class RequestGate implements BoundGate {
  #bound: BoundGate | undefined;

  public constructor(
    private readonly gate: Gatehouse,
    public readonly tenant: string,
    private readonly subjectInput: SubjectInput,
  ) {}

  public get subject(): Subject {
    return this.bound().subject;
  }

  public async can(action: string, resource: ResourceInput, options?: BoundOptions): Promise<boolean> {
    return await this.bound().can(action, resource, options);
  }

  public async check(action: string, resource: ResourceInput, options?: BoundOptions): Promise<Decision> {
    return await this.bound().check(action, resource, options);
  }

  public async permissions(resource: ResourceInput, options?: BoundOptions): Promise<Record<string, boolean>> {
    return await this.bound().permissions(resource, options);
  }

  public async lookupResources(action: string, resourceType: string, options?: BoundOptions): Promise<string[]> {
    return await this.bound().lookupResources(action, resourceType, options);
  }

  private bound(): BoundGate {
    return (this.#bound ??= this.gate.bind(this.tenant, this.subjectInput));
  }
}
