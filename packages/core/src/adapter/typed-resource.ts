import type { RequestLike } from '../resolvers.js';
import type { ActionOf, EntityTypeOf, ResourceOf, SchemaTypes } from '../schema-types.js';
import type { IdResolver } from './resource-spec.js';

/**
 * A route's resource typed by a generated schema: `'document:42'`, `'document'`, `{ type: 'document', id?:
 * string | fromParam('id') }`, or `(req) => …` returning a resource of that type. Types only: the run-time
 * value is an ordinary resource spec.
 */
export type TypedResourceSpec<S extends SchemaTypes, T extends EntityTypeOf<S>, TReq = RequestLike> =
  | `${T}:${string}`
  | T
  | { readonly type: T; readonly id?: string | IdResolver }
  | ((req: TReq) => ResourceOf<S, T> | Promise<ResourceOf<S, T>>);

/** One `[action, resource]` pair of a typed `authorize.any` / `.all`, one member per entity type. */
export type TypedCheckPair<S extends SchemaTypes, TReq = RequestLike> = {
  [T in EntityTypeOf<S>]: readonly [action: ActionOf<S, T>, resource: TypedResourceSpec<S, T, TReq>];
}[EntityTypeOf<S>];

/** One permission of a typed `@AnyPermission()`, one member per entity type. */
export type TypedPermissionSpec<S extends SchemaTypes> = {
  [T in EntityTypeOf<S>]: { readonly action: ActionOf<S, T>; readonly resourceType: T; readonly id?: IdResolver | string };
}[EntityTypeOf<S>];
