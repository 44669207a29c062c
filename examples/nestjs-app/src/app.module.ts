import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { createObserveModule } from '@nestjs/observe';
import {
  firstOf,
  fromHeader,
  fromSubdomain,
  GatehouseModule,
  PermissionGuard,
  permitCheckHandler,
} from '@gatehouse/nestjs';
import type { RequestLike } from '@gatehouse/nestjs';

import { DocumentsController } from './documents.controller.js';
import { FakeAuthGuard } from './fake-auth.guard.js';
import type { DemoUser } from './fake-auth.guard.js';
import { HealthController } from './health.controller.js';
import { MeController } from './me.controller.js';
import { POLICY_SETUP, PolicyModule } from './policy.module.js';
import type { PolicySetup } from './policy-setup.js';

// As `nest new` (CLI 12) generates it: Observe wraps every provider in a Proxy (`instrument` in main.ts).
export const { ObserveModule, ObserveInstrument } = createObserveModule();

/** The document service: Observe, the PDP, the Gatehouse module, fake auth, then the permission guard. */
@Module({
  imports: [
    // Distributed tracing, logs and metrics (https://observe.nestjs.com). Without a key pair the collector refuses
    // the telemetry; OBSERVE_ENDPOINT points the agent elsewhere.
    ObserveModule.forRoot({
      appKey: process.env.OBSERVE_APP_KEY ?? 'YOUR_APP_KEY',
      appSecret: process.env.OBSERVE_APP_SECRET ?? 'YOUR_APP_SECRET',
      serviceId: 'gatehouse-example-nestjs',
    }),
    PolicyModule,
    GatehouseModule.forRootAsync({
      inject: [POLICY_SETUP],
      useFactory: (setup: PolicySetup) => ({
        pdp: setup.pdp,
        // `x-tenant-id: acme`, or the subdomain of `acme.localhost`; neither → 400 (missingTenant defaults to 'reject').
        tenant: firstOf(fromHeader('x-tenant-id'), fromSubdomain({ baseDomain: 'localhost' })),
        // The authenticated user's id: an opaque id, never parsed (`tenant:acme#admin` is refused, not a userset).
        subject: (req: RequestLike) => (req.user as DemoUser | undefined)?.id,
      }),
    }),
  ],
  controllers: [HealthController, MeController, DocumentsController, permitCheckHandler({ path: 'permit-check' })],
  providers: [
    // Global guards run in this order: authentication first, then authorization.
    { provide: APP_GUARD, useClass: FakeAuthGuard },
    { provide: APP_GUARD, useClass: PermissionGuard },
  ],
})
export class AppModule {}
