import { InvalidRequestError, NAME_PATTERN, parseResource, type RequestLike, type Resource } from '@gatehouse/core';
import type { Request } from 'express';
import { asRequestLike } from './request-like.js';

/**
 * Resolves a part of the request to a string: `fromParam('id')`, `fromQuery('doc')`, `fromBody('id')`, … (the
 * same family as the tenant resolvers).
 */
export type IdResolver = (req: RequestLike) => string | undefined;

/** A resource as a route handler computes it: `'document:42'`, `'document'` or `{ type, id? }`. */
export type ResolvedResource = string | Resource;

/**
 * What `authorize()` checks:
 * - `'document:42'` (one instance) or `'document'` (type-level: allowed only when allowed for every instance);
 * - `{ type: 'document', id?: '42' | fromParam('id') | fromQuery('doc') | fromBody('id') }`;
 * - `(req) => ResolvedResource | Promise<ResolvedResource>`.
 */
export type ResourceSpec =
  | string
  | { readonly type: string; readonly id?: string | IdResolver }
  | ((req: Request) => ResolvedResource | Promise<ResolvedResource>);

/** A compiled spec: a per-request resolver and a description for messages. @internal */
export interface CompiledResource {
  /** The resource of this request; throws `InvalidRequestError` when a resolver finds no id. */
  readonly resolve: (req: Request) => ResolvedResource | Promise<ResolvedResource>;
  readonly describe: (resource: ResolvedResource) => string;
}

const describe = (resource: ResolvedResource): string =>
  typeof resource === 'string' ? resource : resource.id === undefined ? resource.type : `${resource.type}:${resource.id}`;

/**
 * Checks a resource spec once, at route definition, and compiles it.
 * @throws {@link InvalidRequestError} naming the malformed part.
 * @internal
 */
export function compileResource(spec: ResourceSpec): CompiledResource {
  if (typeof spec === 'string') {
    parseResource(spec);
    return { resolve: () => spec, describe };
  }
  if (typeof spec === 'function') return { resolve: spec, describe };
  if (typeof spec !== 'object' || (spec as unknown) === null) {
    throw InvalidRequestError.badValue('authorize() resource', spec, '"type:id", "type", { type, id? } or (req) => resource');
  }
  const { type, id } = spec;
  if (typeof type !== 'string' || !NAME_PATTERN.test(type)) {
    throw InvalidRequestError.badValue('authorize() resource type', type, 'a type name of letters and "_" only');
  }
  if (id === undefined) return { resolve: () => type, describe };
  if (typeof id === 'string') {
    const constant = `${type}:${id}`;
    parseResource(constant);
    return { resolve: () => constant, describe };
  }
  if (typeof id !== 'function') {
    throw InvalidRequestError.badValue('authorize() resource id', id, 'a string or a resolver such as fromParam("id")');
  }
  const prefix = `${type}:`;
  return {
    resolve: (req) => {
      const value = id(asRequestLike(req));
      if (value === undefined || value === '') {
        throw new InvalidRequestError(`missing ${type} id: the request does not name the ${type} to check`);
      }
      return prefix + value;
    },
    describe,
  };
}
