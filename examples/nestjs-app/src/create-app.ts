import { NestFactory } from '@nestjs/core';
import type { INestApplication, LogLevel } from '@nestjs/common';

import { AppModule } from './app.module.js';
import { embeddedPolicy } from './embedded-policy.js';
import type { PolicySetup } from './policy-setup.js';
import { remotePolicy } from './remote-policy.js';

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
  const setup = options.pdpUrl === undefined ? await embeddedPolicy() : await remotePolicy(options.pdpUrl, options.apiKey);
  const app = await NestFactory.create(AppModule.register(setup), { logger: options.logger ?? false });
  app.enableShutdownHooks();
  return { app, setup };
}
