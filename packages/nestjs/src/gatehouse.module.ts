import { Inject, Injectable, Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Gatehouse } from '@gatehouse/core';

import { GATEHOUSE_OPTIONS } from './constants.js';
import type { GatehouseModuleAsyncOptions, GatehouseModuleOptions } from './gatehouse-options.interface.js';
import { normalizeOptions } from './normalize-options.js';
import { PermissionGuard } from './permission.guard.js';

/** Closes the client the module created (not one passed as `client`) once the app has stopped serving. */
@Injectable()
class GatehouseLifecycle implements OnApplicationShutdown {
  public constructor(
    @Inject(Gatehouse) private readonly gate: Gatehouse,
    @Inject(GATEHOUSE_OPTIONS) private readonly options: GatehouseModuleOptions,
  ) {}

  public async onApplicationShutdown(): Promise<void> {
    if (this.options.client === undefined) await this.gate.close();
  }
}

const clientProvider: Provider = {
  provide: Gatehouse,
  inject: [GATEHOUSE_OPTIONS],
  useFactory: (options: GatehouseModuleOptions): Gatehouse => {
    if (options.client !== undefined) return options.client;
    if (options.pdp === undefined) throw new TypeError('GatehouseModule: expected options.pdp or options.client');
    return new Gatehouse({
      ...options.clientOptions,
      pdp: options.pdp,
      ...(options.cache === undefined ? {} : { cache: options.cache }),
      ...(options.defaultTenant === undefined ? {} : { defaultTenant: options.defaultTenant }),
    });
  },
};

/**
 * The Gatehouse module: a global module that provides the {@link Gatehouse} client, the options
 * ({@link GATEHOUSE_OPTIONS}) and the {@link PermissionGuard}. It registers no guard by itself: add
 * `{ provide: APP_GUARD, useClass: PermissionGuard }` or `@UseGuards(PermissionGuard)`.
 *
 * @example
 * ```ts
 * const engine = await Engine.create({ schema });
 * @Module({
 *   imports: [
 *     GatehouseModule.forRoot({
 *       pdp: new EmbeddedPdp(engine),
 *       tenant: firstOf(fromHeader('x-tenant-id'), fromSubdomain()),
 *       subject: (req) => (req.user as { id: string } | undefined)?.id,
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
   * Configures the module with options known up front.
   * @param options - `pdp` or `client`, and the `tenant` and `subject` resolvers
   * @throws TypeError when an option is malformed
   */
  public static forRoot(options: GatehouseModuleOptions): DynamicModule {
    const normalized = normalizeOptions(options);
    return GatehouseModule.build([{ provide: GATEHOUSE_OPTIONS, useValue: normalized }], []);
  }

  /**
   * Configures the module with options built by a factory (from `ConfigService`, an async `Engine.create`, …).
   * @param options - `useFactory`, with `inject` and `imports` for what it needs
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
      throw new TypeError('GatehouseModule.forRootAsync(): expected options.useFactory to be a function');
    }
    const factory = options.useFactory as (...args: unknown[]) => GatehouseModuleOptions | Promise<GatehouseModuleOptions>;
    const provider: Provider = {
      provide: GATEHOUSE_OPTIONS,
      inject: [...(options.inject ?? [])],
      useFactory: async (...args: unknown[]) => normalizeOptions(await factory(...args)),
    };
    return GatehouseModule.build([provider], [...(options.imports ?? [])]);
  }

  private static build(optionsProviders: Provider[], imports: DynamicModule['imports']): DynamicModule {
    return {
      module: GatehouseModule,
      global: true,
      imports: imports ?? [],
      providers: [...optionsProviders, clientProvider, PermissionGuard, GatehouseLifecycle],
      exports: [Gatehouse, GATEHOUSE_OPTIONS, PermissionGuard],
    };
  }
}
