import { NestFactory } from '@nestjs/core';
import { ConsoleLogger, Logger } from '@nestjs/common';
import type { INestApplication, LogLevel } from '@nestjs/common';

import { AppModule } from './app.module.js';
import type { PolicySetup } from './policy-setup.js';

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  /** A Gatehouse PDP server to use instead of the embedded engine. */
  readonly pdpUrl?: string | undefined;
  /** Its API key, when it wants one. */
  readonly apiKey?: string | undefined;
  /** Nest log levels; none by default. */
  readonly logger?: LogLevel[] | false;
}

/** Builds the document service (not listening yet), on the embedded engine or a remote PDP. */
export async function createApp(options: CreateAppOptions = {}): Promise<{ app: INestApplication; setup: PolicySetup }> {
  // Loaded on demand: the remote mode never loads the engine, the embedded mode never loads undici.
  const setup = options.pdpUrl === undefined
    ? await (await import('./embedded-policy.js')).embeddedPolicy()
    : await (await import('./remote-policy.js')).remotePolicy(options.pdpUrl, options.apiKey);
  // Plain text, no colour codes: the example's output is meant to be read and copied.
  const levels = options.logger ?? false;
  Logger.overrideLogger(levels === false ? false : new ConsoleLogger({ logLevels: levels, colors: false }));
  const app = await NestFactory.create(AppModule.register(setup));
  app.enableShutdownHooks();
  return { app, setup };
}
