export { ANY_PERMISSION_METADATA, GATEHOUSE_CONFIG, GATEHOUSE_OPTIONS, PERMISSIONS_METADATA, PUBLIC_METADATA } from './constants.js';
export { GatehouseModule } from './gatehouse.module.js';
export type {
  GatehouseModuleAsyncOptions,
  GatehouseModuleOptions,
  SubjectResolver,
} from './gatehouse-options.interface.js';
export { PermissionGuard } from './permission.guard.js';
export { Permission } from './permission.decorator.js';
export { AnyPermission } from './any-permission.decorator.js';
export { typedDecorators } from './typed-decorators.js';
export type { TypedDecorators } from './typed-decorators.js';
export { Public } from './public.decorator.js';
export { Tenant } from './tenant.decorator.js';
export { Subject } from './subject.decorator.js';
export { Gate } from './gate.decorator.js';
export { createPermitCheckController, permitCheckHandler } from './permit-check.controller.js';
export type { PermitCheckHandlerOptions } from './permit-check.controller.js';
export type { GatehouseRequest } from './request-binding.js';
export type { ClassOrMethodDecorator, IdResolver, PermissionOptions, PermissionSpec, Requirement } from './requirement.js';
export {
  firstOf,
  fromBody,
  fromClaim,
  fromFn,
  fromHeader,
  fromPathParam as fromParam,
  fromPathParam,
  fromQuery,
  fromSubdomain,
} from '@gatehouse/core';
export type { BoundGate, RequestLike, TenantResolver } from '@gatehouse/core';
export type { AdapterConfig, AdapterOptions, RequestSubject } from '@gatehouse/core/adapter';
