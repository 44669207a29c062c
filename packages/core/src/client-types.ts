import type { QueryPlan } from './query-plan.js';
import type {
  CallOptions,
  CheckContext,
  Consistency,
  Decision,
  ResourceInput,
  Subject,
  SubjectInput,
} from './types.js';
import type {
  ActionOf,
  CheckOptionsOf,
  EntityTypeOf,
  PermissionMapOf,
  ResourceParam,
  SchemaTypes,
  SubjectParam,
  UntypedSchema,
} from './schema-types.js';

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

/**
 * A client bound to one tenant and one subject: what `req.gate` is in the Express and Nest adapters. With a
 * generated `Schema` type argument, actions and resources are checked by the compiler.
 */
export interface BoundGate<S extends SchemaTypes = UntypedSchema> {
  readonly tenant: string;
  readonly subject: Subject;
  /** True when allowed. Never throws for a denial or a PDP failure (fail closed). */
  can<T extends EntityTypeOf<S> = EntityTypeOf<S>>(
    action: ActionOf<S, T>,
    resource: ResourceParam<S, T>,
    options?: Omit<CheckOptionsOf<S>, 'tenant'>,
  ): Promise<boolean>;
  /** The full decision. */
  check<T extends EntityTypeOf<S> = EntityTypeOf<S>>(
    action: ActionOf<S, T>,
    resource: ResourceParam<S, T>,
    options?: Omit<CheckOptionsOf<S>, 'tenant'>,
  ): Promise<Decision>;
  /** Every permission of the subject on the resource (or resource type). */
  permissions<T extends EntityTypeOf<S> = EntityTypeOf<S>>(
    resource: ResourceParam<S, T>,
    options?: Omit<CheckOptionsOf<S>, 'tenant'>,
  ): Promise<PermissionMapOf<S, T>>;
  /** Ids of `resourceType` on which the subject may do `action`. */
  lookupResources<T extends EntityTypeOf<S> = EntityTypeOf<S>>(
    action: ActionOf<S, T>,
    resourceType: T,
    options?: Omit<CheckOptionsOf<S>, 'tenant'>,
  ): Promise<string[]>;
  /**
   * The query plan of `action` on every resource of `resourceType` for this subject in this tenant (see
   * `Gatehouse.plan`).
   */
  plan<T extends EntityTypeOf<S> = EntityTypeOf<S>>(
    action: ActionOf<S, T>,
    resourceType: T,
    options?: Omit<PlanOptions, 'tenant'>,
  ): Promise<QueryPlan>;
}

/** Options of a query plan (`gate.plan`, `req.gate.plan`). */
export interface PlanOptions extends CallOptions {
  readonly tenant?: string;
  /** `data` for rules; contextual tuples and attributes of other entities than the planned type. */
  readonly context?: CheckContext;
  readonly consistency?: Consistency;
  readonly depth?: number;
}

/** A client bound to one tenant. */
export interface TenantGate<S extends SchemaTypes = UntypedSchema> {
  readonly tenant: string;
  forSubject<X extends SubjectInput>(subject: SubjectParam<S, X>): BoundGate<S>;
  can<T extends EntityTypeOf<S> = EntityTypeOf<S>, X extends SubjectInput = SubjectInput>(
    subject: SubjectParam<S, X>,
    action: ActionOf<S, T>,
    resource: ResourceParam<S, T>,
    options?: Omit<CheckOptionsOf<S>, 'tenant'>,
  ): Promise<boolean>;
  check<T extends EntityTypeOf<S> = EntityTypeOf<S>, X extends SubjectInput = SubjectInput>(
    subject: SubjectParam<S, X>,
    action: ActionOf<S, T>,
    resource: ResourceParam<S, T>,
    options?: Omit<CheckOptionsOf<S>, 'tenant'>,
  ): Promise<Decision>;
}
