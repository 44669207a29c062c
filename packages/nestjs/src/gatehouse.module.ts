import { Inject, Injectable, Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Gatehouse, InvalidRequestError } from '@gatehouse/core';
import { adapterConfig, checkAdapterOptions } from '@gatehouse/core/adapter';
import type { AdapterConfig } from '@gatehouse/core/adapter';

import { GATEHOUSE_CONFIG, GATEHOUSE_OPTIONS } from './constants.js';
import type { GatehouseModuleAsyncOptions, GatehouseModuleOptions } from './gatehouse-options.interface.js';
import { PermissionGuard } from './permission.guard.js';

const WHERE = 'GatehouseModule';

/** Closes the client the module created (not one passed as `client`) once the app has stopped serving. */
@Injectable()
class GatehouseLifecycle implements OnApplicationShutdown {
  public constructor(@Inject(GATEHOUSE_CONFIG) private readonly config: AdapterConfig) {}

  public async onApplicationShutdown(): Promise<void> {
    if (this.config.ownsClient) await this.config.client.close();
  }
}

// Every provider is a plain, extensible object or a class instance, never a frozen one: instrumentation such as
// @nestjs/observe hands providers out through a Proxy whose `get` returns wrapped functions, and a Proxy may not
// do that for a non-configurable, read-only property (it throws a TypeError on every read).
const configProvider: Provider = {
  provide: GATEHOUSE_CONFIG,
  inject: [GATEHOUSE_OPTIONS],
  useFactory: (options: GatehouseModuleOptions): AdapterConfig => adapterConfig(options, WHERE),
};

const clientProvider: Provider = {
  provide: Gatehouse,
  inject: [GATEHOUSE_CONFIG],
  useFactory: (config: AdapterConfig): Gatehouse => config.client,
};

/**
 * The Gatehouse module: a global module that provides the {@link Gatehouse} client, the options
 * ({@link GATEHOUSE_OPTIONS}), the checked configuration ({@link GATEHOUSE_CONFIG}) and the
 * {@link PermissionGuard}. It registers no guard by itself: add `{ provide: APP_GUARD, useClass: PermissionGuard }`
 * or `@UseGuards(PermissionGuard)`.
 *
 * @example
 * ```ts
 * const engine = await Engine.create({ schema });
 * @Module({
 *   imports: [
 *     GatehouseModule.forRoot({
 *       pdp: new EmbeddedPdp(engine),
 *       tenant: firstOf(fromHeader('x-tenant-id'), fromSubdomain()),
 *       subject: (req) => (req.user as { id: string } | undefined)?.id, // an opaque user id
 *     }),
 *   ],
 *   providers: [{ provide: APP_GUARD, useClass: PermissionGuard }],
 * })
 * export class AppModule {}
 * ```
 * @publicApi
 */
@Module({})
export class GatehouseModule {
  /**
   * Configures the module with options known up front (checked here).
   * @param options - `pdp` or `client`, the `subject` and `tenant` resolvers, … (core's `AdapterOptions`)
   * @throws {@link InvalidRequestError} when an option is malformed or unknown
   */
  public static forRoot(options: GatehouseModuleOptions): DynamicModule {
    checkAdapterOptions(options, WHERE);
    return GatehouseModule.build([{ provide: GATEHOUSE_OPTIONS, useValue: { ...options } }], []);
  }

  /**
   * Configures the module with options built by a factory (from `ConfigService`, an async `Engine.create`, …).
   * @param options - `useFactory`, with `inject` and `imports` for what it needs
   * @throws {@link InvalidRequestError} when `useFactory` is not a function (and, when the app starts, when the
   *   options it returns are malformed)
   * @example
   * ```ts
   * GatehouseModule.forRootAsync({
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({
   *     pdp: new RemotePdp({ url: config.getOrThrow('PDP_URL') }),
   *     tenant: fromHeader('x-tenant-id'),
   *     subject: (req) => (req.user as { id: string } | undefined)?.id,
   *   }),
   * })
   * ```
   */
  public static forRootAsync(options: GatehouseModuleAsyncOptions): DynamicModule {
    if (typeof options.useFactory !== 'function') {
      throw InvalidRequestError.badValue(`${WHERE}.forRootAsync() options.useFactory`, options.useFactory, 'a function returning the options');
    }
    const factory = options.useFactory as (...args: unknown[]) => GatehouseModuleOptions | Promise<GatehouseModuleOptions>;
    const provider: Provider = {
      provide: GATEHOUSE_OPTIONS,
      inject: [...(options.inject ?? [])],
      useFactory: async (...args: unknown[]) => {
        const given = await factory(...args);
        checkAdapterOptions(given, WHERE);
        return { ...given };
      },
    };
    return GatehouseModule.build([provider], [...(options.imports ?? [])]);
  }

  private static build(optionsProviders: Provider[], imports: DynamicModule['imports']): DynamicModule {
    return {
      module: GatehouseModule,
      global: true,
      imports: imports ?? [],
      providers: [...optionsProviders, configProvider, clientProvider, PermissionGuard, GatehouseLifecycle],
      exports: [Gatehouse, GATEHOUSE_OPTIONS, GATEHOUSE_CONFIG, PermissionGuard],
    };
  }
}
