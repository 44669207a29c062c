export { EmbeddedPdp } from './embedded-pdp.js';
export { Engine, MAX_DEPTH, MAX_WRITE_ITEMS } from './engine.js';
export type {
  DeleteRequest,
  EngineChange,
  EngineCheckRequest,
  EngineDecision,
  EngineOptions,
  EvaluationOptions,
  ExpandRequest,
  LookupEntityRequest,
  LookupSubjectRequest,
  ReadAttributesRequest,
  ReadRelationshipsRequest,
  SchemaRead,
  SubjectPermissionsEngineRequest,
  SubjectPermissionsEngineResult,
  WriteRequest,
} from './engine-types.js';
export { DEFAULT_BUDGET } from './eval/budget.js';
export type { EvaluationBudget } from './eval/budget.js';
export type { ExplainNode } from './eval/evaluation.js';
export type { ExpandSubject, ExpandTreeNode } from './eval/expand.js';
export type { EnginePlan, PlanEngineRequest } from './query-plan/index.js';
export { compileRbac } from './rbac/index.js';
export {
  compileSchema,
  parseSchema,
  SchemaCompileError,
  SchemaParseError,
  schemaHash,
  schemaTypeModel,
  toPermifyDefinition,
} from './schema/index.js';
export type { EntityTypeModel, RuleTypeModel, SchemaTypeModel } from './schema/index.js';
export type {
  AttributeDefinition,
  AttributeType,
  CompiledSchema,
  EntityDefinition,
  PermifyJson,
  PermissionExpr,
  RelationDefinition,
  RuleDefinition,
  SourcePosition,
} from './schema/index.js';
export { HistoryGoneError } from './store/history-gone-error.js';
export { MemoryStore } from './store/memory-store.js';
export { SnapTokenAheadError } from './store/snap-token-ahead-error.js';
export type { MemoryStoreOptions } from './store/memory-store.js';
export type {
  AttributeFilter,
  CommitResult,
  DataChange,
  IoOptions,
  LoadedRow,
  PageOptions,
  ReadOptions,
  SchemaRecord,
  Store,
  StoreChange,
  StoreListener,
  TenantRecord,
  TupleFilter,
  WriteSet,
} from './store/store.js';
export { validate, validateFile } from './validation/index.js';
export type { ValidateOptions, ValidationFailure, ValidationIssue, ValidationOutcome, ValidationResult } from './validation/index.js';
