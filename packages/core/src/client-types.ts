import type {
  CallOptions,
  CheckContext,
  Consistency,
  Decision,
  ResourceInput,
  Subject,
  SubjectInput,
} from './types.js';

/** A check as the application writes it; strings are parsed, the tenant defaults to the client's default. */
export interface CheckInput {
  readonly tenant?: string;
  readonly subject: SubjectInput;
  readonly action: string;
  readonly resource: ResourceInput;
  readonly context?: CheckContext;
  readonly consistency?: Consistency;
  /** Recursion budget for this check; the PDP's default when absent. */
  readonly depth?: number;
  /**
   * Allow (reason `fail_open`) instead of denying when the PDP fails and no cached decision may be served.
   * Logged through `onDecision`. Off unless asked for, per call.
   */
  readonly failOpen?: boolean;
}

/** Options of a check that names its parts positionally (`can`, bound clients). */
export interface CheckOptions extends CallOptions {
  readonly tenant?: string;
  readonly context?: CheckContext;
  readonly consistency?: Consistency;
  readonly depth?: number;
  readonly failOpen?: boolean;
}

/** A client bound to one tenant and one subject: what `req.gate` is in the Express and Nest adapters. */
export interface BoundGate {
  readonly tenant: string;
  readonly subject: Subject;
  /** True when allowed. Never throws for a denial or a PDP failure (fail closed). */
  can(action: string, resource: ResourceInput, options?: Omit<CheckOptions, 'tenant'>): Promise<boolean>;
  /** The full decision. */
  check(action: string, resource: ResourceInput, options?: Omit<CheckOptions, 'tenant'>): Promise<Decision>;
  /** Every permission of the subject on the resource (or resource type). */
  permissions(resource: ResourceInput, options?: Omit<CheckOptions, 'tenant'>): Promise<Record<string, boolean>>;
  /** Ids of `resourceType` on which the subject may do `action`. */
  lookupResources(
    action: string,
    resourceType: string,
    options?: Omit<CheckOptions, 'tenant'>,
  ): Promise<string[]>;
}

/** A client bound to one tenant. */
export interface TenantGate {
  readonly tenant: string;
  forSubject(subject: SubjectInput): BoundGate;
  can(subject: SubjectInput, action: string, resource: ResourceInput, options?: Omit<CheckOptions, 'tenant'>): Promise<boolean>;
  check(subject: SubjectInput, action: string, resource: ResourceInput, options?: Omit<CheckOptions, 'tenant'>): Promise<Decision>;
}
