import type { BoundGate, CheckInput, CheckOptions, PlanOptions, TenantGate } from './client-types.js';
import type { QueryPlan } from './query-plan.js';
import type { Gatehouse } from './gatehouse.js';
import { formatSubject, parseSubject } from './parse.js';
import type { Decision, ResourceInput, Subject, SubjectInput } from './types.js';

type BoundOptions = Omit<CheckOptions, 'tenant'>;

/** @internal Builds a check input from positional parts without `undefined` members. */
export function toCheckInput(
  subject: SubjectInput,
  action: string,
  resource: ResourceInput,
  options: CheckOptions | undefined,
): CheckInput {
  if (options === undefined) return { subject, action, resource };
  const input: { -readonly [K in keyof CheckInput]: CheckInput[K] } = { subject, action, resource };
  if (options.tenant !== undefined) input.tenant = options.tenant;
  if (options.context !== undefined) input.context = options.context;
  if (options.consistency !== undefined) input.consistency = options.consistency;
  if (options.depth !== undefined) input.depth = options.depth;
  if (options.failOpen !== undefined) input.failOpen = options.failOpen;
  return input;
}

function withTenant(tenant: string, options: BoundOptions | undefined): CheckOptions {
  return options === undefined ? { tenant } : { ...options, tenant };
}

/** @internal */
export class TenantGateImpl implements TenantGate {
  public constructor(
    readonly gate: Gatehouse,
    public readonly tenant: string,
  ) {}

  public forSubject(subject: SubjectInput): BoundGate {
    return new BoundGateImpl(this.gate, this.tenant, subject);
  }

  public async can(subject: SubjectInput, action: string, resource: ResourceInput, options?: BoundOptions): Promise<boolean> {
    return await this.gate.can(subject, action, resource, withTenant(this.tenant, options));
  }

  public async check(subject: SubjectInput, action: string, resource: ResourceInput, options?: BoundOptions): Promise<Decision> {
    const all = withTenant(this.tenant, options);
    return await this.gate.check(toCheckInput(subject, action, resource, all), all);
  }
}

/** @internal */
export class BoundGateImpl implements BoundGate {
  public readonly subject: Subject;
  /** The subject as the cache keys it: the caller's string when possible, so bound checks hit the fast path. */
  readonly #subjectInput: SubjectInput;

  public constructor(
    readonly gate: Gatehouse,
    public readonly tenant: string,
    subject: SubjectInput,
  ) {
    this.subject = parseSubject(subject);
    this.#subjectInput =
      typeof subject === 'string' || this.subject.attributes !== undefined ? subject : formatSubject(this.subject);
  }

  public async can(action: string, resource: ResourceInput, options?: BoundOptions): Promise<boolean> {
    return (await this.check(action, resource, options)).allowed;
  }

  public async check(action: string, resource: ResourceInput, options?: BoundOptions): Promise<Decision> {
    if (options === undefined) {
      return await this.gate.check({ tenant: this.tenant, subject: this.#subjectInput, action, resource });
    }
    const all = withTenant(this.tenant, options);
    return await this.gate.check(toCheckInput(this.#subjectInput, action, resource, all), all);
  }

  public async permissions(resource: ResourceInput, options?: BoundOptions): Promise<Record<string, boolean>> {
    const input = options?.context === undefined
      ? { tenant: this.tenant, subject: this.subject, resource }
      : { tenant: this.tenant, subject: this.subject, resource, context: options.context };
    return await this.gate.permissions(input, options);
  }

  public async plan(action: string, resourceType: string, options?: Omit<PlanOptions, 'tenant'>): Promise<QueryPlan> {
    return await this.gate.plan(this.subject, action, resourceType, options === undefined ? { tenant: this.tenant } : { ...options, tenant: this.tenant });
  }

  public async lookupResources(action: string, resourceType: string, options?: BoundOptions): Promise<string[]> {
    const input = options?.context === undefined
      ? { tenant: this.tenant, subject: this.subject, action, resourceType }
      : { tenant: this.tenant, subject: this.subject, action, resourceType, context: options.context };
    return await this.gate.lookupResources(input, options);
  }
}
