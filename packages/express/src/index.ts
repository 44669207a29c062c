export { authorize } from './authorize.js';
export { typedAuthorize } from './typed-authorize.js';
export type { TypedAuthorize } from './typed-authorize.js';
export type { AuthorizeCheck, ResourceSpec } from './authorize.js';
export { gatehouse } from './gatehouse-middleware.js';
export type { BoundAuthorize, GatehouseMiddleware, GatehouseMiddlewareOptions } from './gatehouse-middleware.js';
export type { AuthorizationFailure, FailureBody, HttpStatusFields } from './http-failure.js';
export { permitCheckHandler } from './permit-check-handler.js';
export type { PermitCheckHandlerOptions } from './permit-check-handler.js';
export { fromParam } from './resolvers.js';
export {
  firstOf,
  fromBody,
  fromClaim,
  fromFn,
  fromHeader,
  fromPathParam,
  fromQuery,
  fromSubdomain,
} from '@gatehouse/core';
export type { BoundGate, RequestLike, TenantResolver } from '@gatehouse/core';
export type { AdapterOptions, IdResolver, RequestSubject, ResolvedResource } from '@gatehouse/core/adapter';
