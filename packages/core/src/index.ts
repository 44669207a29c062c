export {
  BudgetExceededError,
  ClientClosedError,
  ConflictError,
  DepthExceededError,
  EvaluationError,
  ForbiddenError,
  GatehouseError,
  InvalidRequestError,
  NotFoundError,
  PdpProtocolError,
  PdpUnavailableError,
} from './errors.js';
export type { GatehouseErrorCode } from './errors.js';
export {
  assertTenant,
  DEFAULT_SUBJECT_TYPE,
  formatAttribute,
  formatResource,
  formatSubject,
  formatTuple,
  ID_PATTERN,
  NAME_PATTERN,
  parseAttribute,
  parseResource,
  parseSubject,
  parseTuple,
  TENANT_PATTERN,
} from './parse.js';
export type {
  Attribute,
  AttributeInput,
  AttributeValue,
  CallOptions,
  ChangeEvent,
  ChangeListener,
  CheckContext,
  CheckRequest,
  Consistency,
  Decision,
  DecisionReason,
  LookupResourcesRequest,
  LookupResourcesResult,
  LookupSubjectsRequest,
  LookupSubjectsResult,
  Pdp,
  Resource,
  ResourceInput,
  Subject,
  SubjectInput,
  SubjectPermissionsRequest,
  SubjectPermissionsResult,
  Tuple,
  TupleInput,
} from './types.js';
export type { BoundGate, CheckInput, CheckOptions, PlanOptions, TenantGate } from './client-types.js';
export type {
  ActionOf,
  AnyActionOf,
  AttributesOf,
  AttributeTypeValue,
  CheckInputFor,
  CheckInputOf,
  CheckOptionsOf,
  ContextParam,
  EntityTypeOf,
  EntityTypes,
  PermissionMapOf,
  ResourceOf,
  ResourceParam,
  SchemaTypes,
  SubjectArg,
  SubjectObjectOf,
  SubjectParam,
  UntypedSchema,
} from './schema-types.js';
export type { ExplanationKind, ExplanationNode, ExplanationState } from './explanation.js';
export {
  assertFieldsMapped,
  COMPARISON_OPERATORS,
  comparisonOf,
  conditionFields,
  missingMatches,
  negateOperator,
  NotSupportedError,
  parseQueryPlan,
  planMatches,
  planPredicate,
} from './query-plan.js';
export type { ComparisonOperator, Condition, ConditionValue, FieldCondition, LeafOperator, PlanRequest, QueryPlan, RowMapping } from './query-plan.js';
export { Gatehouse } from './gatehouse.js';
export type { GatehouseOptions, GatehouseStats } from './gatehouse.js';
export type { SchemaDriftEvent } from './internal/schema-drift.js';
export { DecisionCache } from './decision-cache.js';
export type { CacheKey, CacheStats, DecisionCacheOptions } from './decision-cache.js';
export type { DecisionEvent, DecisionListener, DecisionLogOptions } from './decision-log.js';
export type { TracingOptions } from './tracing.js';
export type { MetricsOptions } from './metrics.js';
export { firstOf, fromBody, fromClaim, fromFn, fromHeader, fromPathParam, fromQuery, fromSubdomain } from './resolvers.js';
export type { GateRequest, RequestLike, TenantResolver } from './resolvers.js';
// Adapter helpers (RequestGate, bindRequest, the HTTP answers, …) live in the '@gatehouse/core/adapter' subpath.
