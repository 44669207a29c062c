import { NestFactory } from '@nestjs/core';
import { ConsoleLogger } from '@nestjs/common';
import type { INestApplication, LogLevel } from '@nestjs/common';

import { AppModule, ObserveInstrument } from './app.module.js';
import { configurePolicy } from './policy.module.js';
import type { PolicyOptions } from './policy.module.js';

/** Options of {@link createApp}. */
export interface CreateAppOptions extends PolicyOptions {
  /** Nest log levels; none by default. */
  readonly logger?: LogLevel[] | false;
}

/**
 * Builds the document service (not listening yet) the way `main.ts` does — `AppModule` with Observe's
 * `instrument` — on the embedded engine or a remote PDP. For tests and embedding.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<INestApplication> {
  configurePolicy({ pdpUrl: options.pdpUrl, apiKey: options.apiKey });
  try {
    const levels = options.logger ?? false;
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest's options are a plain object in every Nest app
    const app = await NestFactory.create(AppModule, {
      instrument: ObserveInstrument,
      logger: levels === false ? false : new ConsoleLogger({ logLevels: levels, colors: false }),
    });
    app.enableShutdownHooks();
    return app;
  } finally {
    configurePolicy(undefined);
  }
}
