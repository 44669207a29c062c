import { Controller, HttpCode, HttpException, Inject, Module, Optional, Post, Req } from '@nestjs/common';
import type { DynamicModule, FactoryProvider, ModuleMetadata, Type } from '@nestjs/common';
import type { GateRequest, RequestLike } from '@gatehouse/core';
import type { AdapterConfig } from '@gatehouse/core/adapter';
import { answerAdminRequest } from '../app-handler.js';
import type { AdminRoutesOptions } from '../app-handler.js';
import { ADMIN_PATHS } from '../http-handler.js';
import type { AdminPath } from '../http-handler.js';

export type { AdminAppErrorBody, AdminRoutesOptions } from '../app-handler.js';

/** The injection token of the module's options. */
export const GATEHOUSE_ADMIN_OPTIONS = Symbol.for('gatehouse.admin.options');

/** `@gatehouse/nestjs`'s `GATEHOUSE_CONFIG` token (the same `Symbol.for`), read when `GatehouseModule` is imported. */
const NEST_ADAPTER_CONFIG = Symbol.for('gatehouse.nestjs.config');

/**
 * The routes' options, completed from `GatehouseModule`'s adapter configuration when they name no `subject`: the
 * admin routes then resolve the tenant and the subject exactly as the app's guard does.
 */
function withModuleConfig(options: AdminRoutesOptions, config: AdapterConfig | undefined): AdminRoutesOptions {
  if (options.subject !== undefined || config === undefined) return options;
  return {
    ...options,
    subject: config.subject,
    ...(options.tenant === undefined && config.tenant !== undefined ? { tenant: config.tenant } : {}),
    ...(options.tenant === undefined && config.tenant === undefined ? { tenant: config.tenantPolicy.defaultTenant } : {}),
    defaultTenant: options.defaultTenant ?? config.tenantPolicy.defaultTenant,
    missingTenant: options.missingTenant ?? config.tenantPolicy.missingTenant,
  };
}

/** Options of {@link GatehouseAdminModule.forRoot}. */
export interface GatehouseAdminModuleOptions extends AdminRoutesOptions {
  /** Where the routes are mounted. @defaultValue 'admin' */
  readonly path?: string;
}

/** Options of {@link GatehouseAdminModule.forRootAsync}: the route path is fixed at import time. */
export interface GatehouseAdminModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** @defaultValue 'admin' */
  readonly path?: string;
  readonly useFactory: (...args: never[]) => AdminRoutesOptions | Promise<AdminRoutesOptions>;
  readonly inject?: FactoryProvider['inject'];
}

function isBackendOptions(options: unknown): boolean {
  const o = options as { backend?: { listRoles?: unknown } } | null;
  return typeof o === 'object' && o !== null && typeof o.backend?.listRoles === 'function';
}

function methodName(path: AdminPath): string {
  return path.replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase());
}

/** Builds the controller serving every admin path under `path`. */
function adminController(path: string): Type {
  @Controller(path)
  class GatehouseAdminController {
    public readonly options: AdminRoutesOptions;
    public constructor(@Inject(GATEHOUSE_ADMIN_OPTIONS) options: AdminRoutesOptions, @Optional() @Inject(NEST_ADAPTER_CONFIG) config?: AdapterConfig) {
      this.options = withModuleConfig(options, config);
    }
  }
  const proto = GatehouseAdminController.prototype as unknown as Record<string, unknown>;
  for (const p of ADMIN_PATHS) {
    const key = methodName(p);
    const descriptor: PropertyDescriptor = {
      configurable: true,
      writable: true,
      async value(this: GatehouseAdminController, req: RequestLike & GateRequest): Promise<unknown> {
        const a = await answerAdminRequest(this.options, p, req);
        if (a.status !== 200) throw new HttpException(a.body as Record<string, unknown>, a.status);
        return a.body;
      },
    };
    Object.defineProperty(proto, key, descriptor);
    Req()(proto, key, 0);
    Post(p)(proto, key, descriptor);
    HttpCode(200)(proto, key, descriptor);
  }
  return GatehouseAdminController;
}

/**
 * The tenant-admin routes in a Nest app: `POST /{path}/roles/list`, `/members/list`, `/members/invite`,
 * `/members/remove`, `/members/roles/assign`, `/members/roles/revoke`, `/invitations/accept`, `/invitations/list`,
 * `/invitations/revoke`, `/audit/list` — the same bodies and answers as the Express router (`@gatehouse/admin/express`).
 * The actor is the request's subject and the tenant the request's tenant, never the body's: from the `subject` and
 * `tenant` options, else from `GatehouseModule`'s configuration (the same resolvers as the guard), else `req.gate`. Works on platform-express and platform-fastify.
 * @example
 * ```ts
 * @Module({
 *   imports: [GatehouseAdminModule.forRoot({ backend: new RemoteAdmin({ url, apiKey }), subject: (req) => req.user?.id, tenant: fromHeader('x-tenant-id') })],
 * })
 * export class AppModule {}
 * ```
 * @publicApi
 */
@Module({})
export class GatehouseAdminModule {
  /** The module with its options given now. */
  public static forRoot(options: GatehouseAdminModuleOptions): DynamicModule {
    if (!isBackendOptions(options)) {
      throw new TypeError('GatehouseAdminModule: expected options.backend (an AdminService or a RemoteAdmin)');
    }
    const { path = 'admin', ...rest } = options;
    return {
      module: GatehouseAdminModule,
      controllers: [adminController(path)],
      providers: [{ provide: GATEHOUSE_ADMIN_OPTIONS, useValue: rest }],
    };
  }

  /** The module with its options from a factory (e.g. once the engine is created). */
  public static forRootAsync(options: GatehouseAdminModuleAsyncOptions): DynamicModule {
    return {
      module: GatehouseAdminModule,
      imports: options.imports ?? [],
      controllers: [adminController(options.path ?? 'admin')],
      providers: [{ provide: GATEHOUSE_ADMIN_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
    };
  }
}
