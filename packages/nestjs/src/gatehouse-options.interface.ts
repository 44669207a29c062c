import type { Abstract, DynamicModule, Type } from '@nestjs/common';
import type { Gatehouse, GatehouseOptions, Pdp, RequestLike, SubjectInput, TenantResolver } from '@gatehouse/core';

/** Reads the authenticated subject from a request; `undefined` means unauthenticated (401). */
export type SubjectResolver = (req: RequestLike) => SubjectInput | undefined;

/** Options of {@link GatehouseModule.forRoot}. Give exactly one of `pdp` and `client`. */
export interface GatehouseModuleOptions {
  /** The policy decision point: `new EmbeddedPdp(engine)` or `new RemotePdp({ url })`. */
  readonly pdp?: Pdp;
  /** A ready client, used as is (and not closed by the module). */
  readonly client?: Gatehouse;
  /** Resolves the request's tenant, e.g. `firstOf(fromHeader('x-tenant-id'), fromSubdomain())`. */
  readonly tenant: TenantResolver;
  /** Reads the authenticated subject, e.g. `(req) => (req.user as User | undefined)?.id`. */
  readonly subject: SubjectResolver;
  /** Decision cache options of the client the module creates (ignored with `client`). */
  readonly cache?: GatehouseOptions['cache'];
  /** Other options of the client the module creates (`timeoutMs`, `onDecision`, …; ignored with `client`). */
  readonly clientOptions?: Omit<GatehouseOptions, 'pdp' | 'cache' | 'defaultTenant'>;
  /**
   * Tenant of requests whose resolver finds none (with `missingTenant: 'default'`).
   * @defaultValue `'t1'`
   */
  readonly defaultTenant?: string;
  /**
   * What a request without a tenant gets: the default tenant, or a 400.
   * @defaultValue `'default'`
   */
  readonly missingTenant?: 'default' | 'reject';
  /**
   * Answer 503 instead of 403 when a decision is a denial because the PDP is unavailable.
   * @defaultValue `false` (fail closed with 403 and `reason: 'pdp_unavailable'`)
   */
  readonly surfaceOutages?: boolean;
}

/** Options of {@link GatehouseModule.forRootAsync}. */
export interface GatehouseModuleAsyncOptions {
  /** Modules whose providers `useFactory` injects. */
  readonly imports?: readonly (Type | DynamicModule)[];
  /** Tokens injected into `useFactory`, in order. */
  readonly inject?: readonly (string | symbol | Type | Abstract<unknown>)[];
  /** Builds the options, e.g. from `ConfigService`. */
  readonly useFactory: (...args: never[]) => GatehouseModuleOptions | Promise<GatehouseModuleOptions>;
}
