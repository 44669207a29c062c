import type { Attribute, AttributeInput, CheckContext, CheckRequest, Decision, Resource, Subject, SubjectInput, Tuple, TupleInput } from '@gatehouse/core';

import type { EvaluationBudget } from './eval/budget.js';
import type { ExplainNode } from './eval/evaluation.js';
import type { ExpandTreeNode } from './eval/expand.js';
import type { PermifyJson } from './schema/index.js';
import type { AttributeFilter, DataChange, Store, TenantRecord, TupleFilter } from './store/store.js';

/** Options of {@link Engine.create}. */
export interface EngineOptions {
  /** Schema-language text for the default tenant. */
  readonly schema?: string;
  /** RBAC YAML (docs/semantics.md#the-rbac-file), compiled to a schema for the default tenant. */
  readonly rbac?: string;
  /** The system of record. @defaultValue `new MemoryStore()` */
  readonly store?: Store;
  /** The tenant that always exists. @defaultValue `'t1'` */
  readonly defaultTenant?: string;
  /** Recursion budget of a check when the request gives none. @defaultValue `20` */
  readonly maxDepth?: number;
  /**
   * How long a request carrying a snap token the view has not applied yet waits for it (durable stores: the
   * view catches up from the store), in milliseconds, before it rejects with `SnapTokenAheadError`.
   * @defaultValue `5000`
   */
  readonly freshnessTimeoutMs?: number;
  /**
   * The step budget and request-size limits every evaluation runs under (docs/budgets.md). A request over its
   * steps rejects with `BudgetExceededError` (`GH_ERR_BUDGET_EXCEEDED`); contextual data over a size limit with
   * `InvalidRequestError`. @defaultValue {@link DEFAULT_BUDGET}
   */
  readonly budget?: EvaluationBudget;
  /**
   * The key lookup continuation tokens are signed with. Engines that serve one client's pages in turn (replicas
   * behind a load balancer) need the same key; a random one per engine when absent.
   */
  readonly pageTokenKey?: string;
}

/** A committed change, as {@link Engine.watch} reports it (one per commit, in commit order). */
export interface EngineChange {
  /**
   * The tenant, or `'*'` for a schema change of the default tenant that other tenants inherit and for a `reset`
   * of the whole view.
   */
  readonly tenant: string;
  readonly snapToken: string;
  /**
   * `reset`: the engine could not follow the store's changes (their history was collected) and reloaded its
   * view; everything derived from the tenant's (or, for `'*'`, every tenant's) data must be dropped.
   */
  readonly kind: 'data' | 'schema' | 'tenant' | 'reset';
  readonly changes: readonly DataChange[];
}

/** Data to write. */
export interface WriteRequest {
  readonly tenant: string;
  readonly tuples?: readonly TupleInput[];
  readonly attributes?: readonly AttributeInput[];
  /** Validate against this schema version (the head when absent). */
  readonly schemaVersion?: string;
}

/** Data to delete: exact tuples and/or filters (an empty filter is ignored; nothing at all is an error). */
export interface DeleteRequest {
  readonly tenant: string;
  readonly tuples?: readonly TupleInput[];
  readonly tupleFilter?: TupleFilter;
  readonly attributeFilter?: AttributeFilter;
}

/** Options shared by evaluation calls. */
export interface EvaluationOptions {
  readonly context?: CheckContext;
  readonly depth?: number;
  /** Evaluate at least as fresh as this token. */
  readonly snapToken?: string;
  readonly schemaVersion?: string;
}

/** A check as the engine takes it. */
export type EngineCheckRequest = CheckRequest & { readonly schemaVersion?: string };

/** A decision with the number of sub-checks it took. */
export type EngineDecision = Decision & { readonly checkCount: number };

export interface LookupEntityRequest extends EvaluationOptions {
  readonly tenant: string;
  readonly entityType: string;
  readonly permission: string;
  readonly subject: SubjectInput;
  /** Restrict candidates per type: `{ document: ['1', '2'] }`. */
  readonly scope?: Readonly<Record<string, readonly string[]>>;
  readonly pageSize?: number;
  readonly continuousToken?: string;
}

export interface LookupSubjectRequest extends EvaluationOptions {
  readonly tenant: string;
  readonly entity: { readonly type: string; readonly id: string };
  readonly permission: string;
  readonly subjectReference: { readonly type: string; readonly relation?: string };
  readonly pageSize?: number;
  readonly continuousToken?: string;
}

export interface SubjectPermissionsEngineRequest extends EvaluationOptions {
  readonly tenant: string;
  readonly entity: Resource;
  readonly subject: Subject;
  /** Only permissions, not relations. @defaultValue false */
  readonly onlyPermission?: boolean;
  /**
   * What a permission that fails to evaluate (`EvaluationError`, `DepthExceededError`) does: `'reject'` fails the
   * whole call, as in Permify; `'deny'` makes that permission `false`, reports it in `errors` and answers the rest.
   * @defaultValue 'reject'
   */
  readonly onError?: 'reject' | 'deny';
}

/** What {@link Engine.subjectPermissions} returns. */
export interface SubjectPermissionsEngineResult {
  /** Permission (and relation) name → allowed; a permission that failed to evaluate is `false`. */
  readonly permissions: Record<string, boolean>;
  /** With `onError: 'deny'`: permission name → why it failed to evaluate; absent when none failed. */
  readonly errors?: Record<string, string>;
}

export interface ExpandRequest {
  readonly tenant: string;
  readonly entity: { readonly type: string; readonly id: string };
  readonly permission: string;
  readonly context?: CheckContext;
  readonly snapToken?: string;
  readonly schemaVersion?: string;
}

/** What {@link Engine.readSchema} returns. */
export interface SchemaRead {
  readonly schemaVersion: string;
  readonly source: string;
  /** Permify's compiled JSON (permify.md §1.5). */
  readonly definition: Record<string, PermifyJson>;
}

export interface ReadRelationshipsRequest {
  readonly tenant: string;
  readonly filter?: TupleFilter;
  readonly snapToken?: string;
  readonly pageSize?: number;
  readonly continuousToken?: string;
}

export interface ReadAttributesRequest {
  readonly tenant: string;
  readonly filter?: AttributeFilter;
  readonly snapToken?: string;
  readonly pageSize?: number;
  readonly continuousToken?: string;
}

export type { Attribute, EvaluationBudget, ExpandTreeNode, ExplainNode, TenantRecord, Tuple };
