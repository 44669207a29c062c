import { ID_PATTERN, InvalidRequestError, NAME_PATTERN } from '@gatehouse/core';
import type { RequestLike } from '@gatehouse/core';

/** Reads a resource id from the request: `fromParam('id')`, `fromBody('doc.id')`, `fromQuery('id')` or your own. */
export type IdResolver = (req: RequestLike) => string | undefined;

/** Options of `@Permission()`. */
export interface PermissionOptions {
  /**
   * Where the resource id comes from: a resolver, or a fixed id. Without it the check is type-level
   * ("may the subject `create` a `document` at all?").
   */
  readonly id?: IdResolver | string;
}

/** One permission as `@AnyPermission()` takes it. */
export interface PermissionSpec extends PermissionOptions {
  readonly action: string;
  readonly resourceType: string;
}

/** @internal A validated requirement, as stored in metadata. */
export interface Requirement {
  readonly action: string;
  readonly resourceType: string;
  /** Resolver of the id; `undefined` when `resource` is fixed. */
  readonly id: IdResolver | undefined;
  /** The resource string when it does not depend on the request (type-level or fixed id). */
  readonly resource: string | undefined;
}

/** @internal Validates decorator arguments at definition time. */
export function toRequirement(where: string, action: unknown, resourceType: unknown, options: unknown): Requirement {
  if (typeof action !== 'string' || !NAME_PATTERN.test(action)) {
    throw new InvalidRequestError(`${where}: expected action to be a permission name of letters and "_" (e.g. "edit"), got ${show(action)}`);
  }
  if (typeof resourceType !== 'string' || !NAME_PATTERN.test(resourceType)) {
    throw new InvalidRequestError(`${where}: expected resourceType to be an entity type of letters and "_" (e.g. "document"), got ${show(resourceType)}`);
  }
  if (options === undefined) return { action, resourceType, id: undefined, resource: resourceType };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidRequestError(`${where}: expected options to be an object like { id: fromParam('id') }, got ${show(options)}`);
  }
  const id = (options as { id?: unknown }).id;
  if (id === undefined) return { action, resourceType, id: undefined, resource: resourceType };
  if (typeof id === 'function') return { action, resourceType, id: id as IdResolver, resource: undefined };
  if (typeof id === 'string' && ID_PATTERN.test(id)) return { action, resourceType, id: undefined, resource: `${resourceType}:${id}` };
  throw new InvalidRequestError(`${where}: expected options.id to be a resolver such as fromParam('id') or a resource id, got ${show(id)}`);
}

/** The offending argument as the message shows it: compact JSON, truncated to 80 characters. */
function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value === null || (typeof value !== 'object' && typeof value !== 'string')) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    text = Array.isArray(value) ? 'an array' : 'an object'; // cyclic
  }
  return text.length <= 80 ? text : `${text.slice(0, 79)}…`;
}

/** @internal Prepends a value to an array stored under `key` (decorators run bottom-up; this keeps source order). */
export function prependMetadata(key: string, value: unknown, target: object): void {
  const previous = Reflect.getOwnMetadata(key, target) as unknown[] | undefined;
  Reflect.defineMetadata(key, previous === undefined ? [value] : [value, ...previous], target);
}

/** A decorator usable on a controller class and on a route handler. */
export type ClassOrMethodDecorator = ClassDecorator & MethodDecorator;

/** @internal Builds a class-or-method decorator that prepends `value` under `key`. */
export function classOrMethod(key: string, value: unknown): ClassOrMethodDecorator {
  const decorator = (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    prependMetadata(key, value, descriptor === undefined ? target : (descriptor.value as object));
  };
  return decorator;
}
