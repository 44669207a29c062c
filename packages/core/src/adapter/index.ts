/**
 * `@gatehouse/core/adapter`: the one contract every framework adapter shares (docs/adapters.md) — the options
 * type, how a request is bound to its subject and tenant, the HTTP answers, the permit-fe-sdk handler — with no
 * framework in it. `@gatehouse/express`, `@gatehouse/nestjs`, `@gatehouse/casl`'s handlers and
 * `@gatehouse/admin` build on it; so can an adapter for another framework.
 * @packageDocumentation
 */
export { adapterConfig, ADAPTER_OPTION_NAMES, checkAdapterOptions, positiveOption } from './options.js';
export type { AdapterConfig, AdapterOptions, RequestResolver } from './options.js';
export { bindRequest } from './bind-request.js';
export { resolveRequestSubject } from './request-subject.js';
export type { RequestSubject, SubjectPolicy } from './request-subject.js';
export { resolveRequestTenant } from './request-tenant.js';
export type { TenantPolicy } from './request-tenant.js';
export { RequestGate } from './request-gate.js';
export { compileResource, describeResource, resolveResource } from './resource-spec.js';
export type { CompiledResource, IdResolver, ResolvedResource, ResourceSpec } from './resource-spec.js';
export type { TypedCheckPair, TypedPermissionSpec, TypedResourceSpec } from './typed-resource.js';
export {
  callErrorAnswer,
  deniedAnswer,
  describeCheck,
  errorAnswer,
  httpAnswer,
  unauthenticatedAnswer,
} from './http-answer.js';
export type { HttpAnswer, HttpAnswerStatus, HttpErrorBody, OutagePolicy } from './http-answer.js';
export { authorizationFailure } from './failure.js';
export type { AuthorizationFailure, HttpStatusFields } from './failure.js';
export { handlePermitCheck, PERMIT_CHECK_MAX_BULK } from './permit-check.js';
export type { PermitCheckBody, PermitCheckOptions, PermitCheckRequest } from './permit-check.js';
