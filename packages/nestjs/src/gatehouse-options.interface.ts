import type { Abstract, DynamicModule, Type } from '@nestjs/common';
import type { RequestLike } from '@gatehouse/core';
import type { AdapterOptions, RequestSubject } from '@gatehouse/core/adapter';

/**
 * Reads the authenticated subject from a request: an id string (an OPAQUE id of `subjectType`, never parsed), a
 * `Subject` object for another type, or `undefined` for an anonymous request (401).
 */
export type SubjectResolver = (req: RequestLike) => RequestSubject;

/**
 * Options of {@link GatehouseModule.forRoot}: core's one adapter options type (`@gatehouse/core/adapter`), the
 * same names as `@gatehouse/express`'s `gatehouse()`. Give exactly one of `pdp` and `client`; the answers they
 * lead to are in docs/adapters.md.
 */
export type GatehouseModuleOptions = AdapterOptions;

/** Options of {@link GatehouseModule.forRootAsync}. */
export interface GatehouseModuleAsyncOptions {
  /** Modules whose providers `useFactory` injects. */
  readonly imports?: readonly (Type | DynamicModule)[];
  /** Tokens injected into `useFactory`, in order. */
  readonly inject?: readonly (string | symbol | Type | Abstract<unknown>)[];
  /** Builds the options, e.g. from `ConfigService`. */
  readonly useFactory: (...args: never[]) => GatehouseModuleOptions | Promise<GatehouseModuleOptions>;
}
