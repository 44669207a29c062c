import { InvalidRequestError } from '../errors.js';
import { NAME_PATTERN, parseResource } from '../parse.js';
import type { RequestLike } from '../resolvers.js';
import type { Resource } from '../types.js';

/**
 * Reads a resource id from the request: `fromPathParam('id')`, `fromQuery('doc')`, `fromBody('document.id')`, …
 * (the same family as the tenant resolvers); `undefined` when absent.
 */
export type IdResolver = (req: RequestLike) => string | undefined;

/** A resource as a route computes it: `'document:42'`, `'document'` (type-level) or `{ type, id? }`. */
export type ResolvedResource = string | Resource;

/**
 * What a route checks:
 * - `'document:42'` (one instance) or `'document'` (type-level: allowed only when allowed for every instance);
 * - `{ type: 'document', id?: '42' | fromPathParam('id') | fromQuery('doc') | fromBody('id') }`;
 * - `(req) => ResolvedResource | Promise<ResolvedResource>`.
 */
export type ResourceSpec<TReq = RequestLike> =
  | string
  | { readonly type: string; readonly id?: string | IdResolver }
  | ((req: TReq) => ResolvedResource | Promise<ResolvedResource>);

/** A resource spec checked once, at route definition: a per-request resolver. */
export interface CompiledResource<TReq = RequestLike> {
  /**
   * The resource of this request.
   * @throws {@link InvalidRequestError} when an id resolver finds no id in the request.
   */
  readonly resolve: (req: TReq) => ResolvedResource | Promise<ResolvedResource>;
}

/**
 * A resource in its string form, for messages: `document:42`, or `document` for a type-level resource.
 * @example
 * ```ts
 * describeResource({ type: 'document', id: '42' }); // 'document:42'
 * ```
 */
export function describeResource(resource: ResolvedResource): string {
  if (typeof resource === 'string') return resource;
  return resource.id === undefined ? resource.type : `${resource.type}:${resource.id}`;
}

/**
 * The resource `type:id` of a request whose id a resolver reads.
 * @param type - the resource type (already validated).
 * @param id - reads the id from the request.
 * @param req - the request.
 * @returns `"type:id"`.
 * @throws {@link InvalidRequestError} when the request carries no id (the adapters answer 400).
 * @example
 * ```ts
 * resolveResource('document', fromPathParam('id'), req); // 'document:42'
 * ```
 */
export function resolveResource(type: string, id: IdResolver, req: RequestLike): string {
  const value = id(req);
  if (value === undefined || value === '') {
    throw new InvalidRequestError(`missing ${type} id: the request does not name the ${type} to check`);
  }
  return `${type}:${value}`;
}

/**
 * Checks a resource spec once, at route definition, and compiles it to a per-request resolver. Constant
 * resources are parsed here, so a typo fails when the route is defined, not on the first request.
 * @param spec - see {@link ResourceSpec}.
 * @param where - names the spec in error messages, e.g. `'authorize() resource'`.
 * @returns the compiled resource.
 * @throws {@link InvalidRequestError} naming the malformed part.
 * @example
 * ```ts
 * const doc = compileResource({ type: 'document', id: fromPathParam('id') });
 * const resource = await doc.resolve(req); // 'document:42'
 * ```
 */
export function compileResource<TReq extends RequestLike = RequestLike>(
  spec: ResourceSpec<TReq>,
  where = 'resource',
): CompiledResource<TReq> {
  if (typeof spec === 'string') {
    parseResource(spec);
    return { resolve: () => spec };
  }
  if (typeof spec === 'function') return { resolve: spec };
  if (typeof spec !== 'object' || (spec as unknown) === null) {
    throw InvalidRequestError.badValue(where, spec, '"type:id", "type", { type, id? } or (req) => resource');
  }
  const { type, id } = spec;
  if (typeof type !== 'string' || !NAME_PATTERN.test(type)) {
    throw InvalidRequestError.badValue(`${where} type`, type, 'a type name of letters and "_" only');
  }
  if (id === undefined) return { resolve: () => type };
  if (typeof id === 'string') {
    const constant = `${type}:${id}`;
    parseResource(constant);
    return { resolve: () => constant };
  }
  if (typeof id !== 'function') {
    throw InvalidRequestError.badValue(`${where} id`, id, 'a string or a resolver such as fromPathParam("id")');
  }
  return { resolve: (req) => resolveResource(type, id, req) };
}
