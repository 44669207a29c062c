import type { PlanRequest, QueryPlan } from './query-plan.js';

/** A subject: who asks. `{ type: 'user', id: 'alice' }` or a userset `{ type: 'team', id: 'eng', relation: 'member' }`. */
export interface Subject {
  readonly type: string;
  readonly id: string;
  readonly relation?: string;
  /** Attributes of the subject for this check (e.g. Permit `user.attributes`). */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** A resource: what is acted on. No `id` means a type-level check ("may alice read documents?"). */
export interface Resource {
  readonly type: string;
  readonly id?: string;
  /** Contextual attributes of the resource for this check only. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** String or object form of a subject: `"alice"` (→ `user:alice`), `"user:alice"`, `"team:eng#member"`. */
export type SubjectInput = string | Subject;
/** String or object form of a resource: `"document:42"` or `"document"` (type-level). */
export type ResourceInput = string | Resource;

/** A relationship tuple: `document:42#owner@user:alice`. */
export interface Tuple {
  readonly entity: { readonly type: string; readonly id: string };
  readonly relation: string;
  readonly subject: { readonly type: string; readonly id: string; readonly relation?: string };
}

/** Attribute value types of the schema language. */
export type AttributeValue = boolean | string | number | readonly boolean[] | readonly string[] | readonly number[];

/** A typed attribute fact: `document:42$public|boolean:true`. */
export interface Attribute {
  readonly entity: { readonly type: string; readonly id: string };
  readonly attribute: string;
  readonly value: AttributeValue;
  /** The declared type, when the input said it (`boolean`, `string[]`, `integer`, `double`, …). */
  readonly valueType?: string;
}

/** Tuples in the string form `document:1#owner@user:alice` or as objects. */
export type TupleInput = string | Tuple;
/** Attributes in the string form `document:1$public|boolean:true` or as objects. */
export type AttributeInput = string | Attribute;

/** Request-time data for one check only; nothing in it is stored. */
export interface CheckContext {
  /** Contextual tuples, visible to this check only. */
  readonly tuples?: readonly TupleInput[];
  /** Contextual attributes, visible to this check only. */
  readonly attributes?: readonly AttributeInput[];
  /** Free-form data read by rules as `context.data.<key>`. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Freshness demanded by a call. */
export interface Consistency {
  /** Never answer from a state (or a cache entry) older than this snap token. */
  readonly atLeastAsFresh?: string;
}

/** Why a decision came out as it did. Denials from failures carry the failure's reason. */
export type DecisionReason =
  | 'allowed'
  | 'denied'
  | 'pdp_unavailable'
  | 'depth_exceeded'
  | 'evaluation_error'
  | 'budget_exceeded'
  | 'invalid_request'
  | 'fail_open';

/** The answer to a check. A denial is a value, not an exception. */
export interface Decision {
  readonly allowed: boolean;
  readonly reason?: DecisionReason;
  /** The snap token of the state the decision was computed at, when the PDP reports one. */
  readonly snapToken?: string;
  /** True when served from the client's decision cache. */
  readonly cached?: boolean;
}

/** Options every I/O call takes. */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** A fully normalised check, as a `Pdp` receives it. */
export interface CheckRequest {
  readonly tenant: string;
  readonly subject: Subject;
  readonly action: string;
  readonly resource: Resource;
  readonly context?: CheckContext;
  readonly consistency?: Consistency;
  /** Recursion budget; the PDP's default when absent. */
  readonly depth?: number;
}

/** Every permission of the schema for one subject on one resource (or type), in one pass. */
export interface SubjectPermissionsRequest {
  readonly tenant: string;
  readonly subject: Subject;
  readonly resource: Resource;
  readonly context?: CheckContext;
  readonly consistency?: Consistency;
  readonly depth?: number;
}

/** Answer of {@link Pdp.subjectPermissions}: permission name → allowed. */
export interface SubjectPermissionsResult {
  readonly permissions: Readonly<Record<string, boolean>>;
  readonly snapToken?: string;
}

/** Which ids of `resourceType` may `subject` do `action` on. */
export interface LookupResourcesRequest {
  readonly tenant: string;
  readonly subject: Subject;
  readonly action: string;
  readonly resourceType: string;
  readonly context?: CheckContext;
  readonly consistency?: Consistency;
  readonly depth?: number;
}

/** Answer of {@link Pdp.lookupResources}. */
export interface LookupResourcesResult {
  readonly ids: readonly string[];
  readonly snapToken?: string;
}

/** Which subjects of `subjectType` (optionally `#subjectRelation`) may do `action` on `resource`. */
export interface LookupSubjectsRequest {
  readonly tenant: string;
  readonly resource: Resource & { readonly id: string };
  readonly action: string;
  readonly subjectType: string;
  readonly subjectRelation?: string;
  readonly context?: CheckContext;
  readonly consistency?: Consistency;
  readonly depth?: number;
}

/** Answer of {@link Pdp.lookupSubjects}. */
export interface LookupSubjectsResult {
  readonly ids: readonly string[];
  readonly snapToken?: string;
}

/**
 * A change in a PDP's state. `tenant: '*'` means every tenant may have changed (a schema change of the
 * default tenant that others inherit, or a reconnect of a change feed that could not resume).
 *
 * `gap`: the change feed that carried the tenant was cut, so changes may be missed until it is back (a `reset`
 * follows then). Nothing derived before a gap is served as fresh; a decision cache may still serve it
 * stale-if-error while the PDP fails.
 */
export interface ChangeEvent {
  readonly tenant: string;
  readonly kind: 'data' | 'schema' | 'tenant' | 'reset' | 'gap';
  /** The snap token after the change, when known. */
  readonly snapToken?: string;
}

/** A listener for {@link ChangeEvent}s; called synchronously by the embedded PDP before its write resolves. */
export type ChangeListener = (event: ChangeEvent) => void;

/**
 * A policy decision point. Implemented by `EmbeddedPdp` (`@gatehouse/engine`) and `RemotePdp`
 * (`@gatehouse/core/remote`). Methods reject only for failures (unreachable, protocol, invalid request,
 * depth exceeded, evaluation error); a denial is `{ allowed: false, reason: 'denied' }`.
 */
export interface Pdp {
  check(request: CheckRequest, options?: CallOptions): Promise<Decision>;
  /** Results in request order. A failure of one item may reject the whole call. */
  checkMany(requests: readonly CheckRequest[], options?: CallOptions): Promise<Decision[]>;
  subjectPermissions(
    request: SubjectPermissionsRequest,
    options?: CallOptions,
  ): Promise<SubjectPermissionsResult>;
  lookupResources(request: LookupResourcesRequest, options?: CallOptions): Promise<LookupResourcesResult>;
  lookupSubjects(request: LookupSubjectsRequest, options?: CallOptions): Promise<LookupSubjectsResult>;
  /** Subscribe to change events; returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void;
  /**
   * The query plan of `action` on every resource of `resourceType` for the subject (an optional capability:
   * `EmbeddedPdp` and `RemotePdp` have it). See `QueryPlan`.
   */
  plan?(request: PlanRequest, options?: CallOptions): Promise<QueryPlan>;
  /**
   * The content hash of the tenant's schema types (what `gatehouse generate` writes as `schemaHash`), or
   * `undefined` when the PDP cannot tell. Used to report drift between generated types and the live schema.
   */
  schemaHash?(tenant: string, options?: CallOptions): Promise<string | undefined>;
  /** Compare two snap tokens of this PDP: negative when `a` is older than `b`, 0 when equal. */
  compareSnapTokens?(a: string, b: string): number;
  /** Release sockets, timers and streams. */
  close?(): Promise<void>;
}
