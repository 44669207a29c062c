import { Inject, Injectable, Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  createPermitCheckController,
  firstOf,
  fromHeader,
  fromSubdomain,
  GatehouseModule,
  PermissionGuard,
} from '@gatehouse/nestjs';

import { DocumentsController } from './documents.controller.js';
import { DocumentStore } from './document.store.js';
import { FakeAuthGuard } from './fake-auth.guard.js';
import type { DemoUser } from './fake-auth.guard.js';
import { HealthController } from './health.controller.js';
import { MeController } from './me.controller.js';
import { POLICY_WRITER } from './policy-writer.js';
import type { PolicyWriter } from './policy-writer.js';
import type { PolicySetup } from './policy-setup.js';

/** Closes the policy writer (the embedded engine) when the app stops. */
@Injectable()
class PolicyLifecycle implements OnApplicationShutdown {
  public constructor(@Inject(POLICY_WRITER) private readonly writer: PolicyWriter) {}

  public async onApplicationShutdown(): Promise<void> {
    await this.writer.close();
  }
}

/** The document service: Gatehouse module, fake auth, then the permission guard on every route. */
@Module({})
export class AppModule {
  public static register(setup: PolicySetup): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatehouseModule.forRoot({
          pdp: setup.pdp,
          // `x-tenant-id: acme`, or the subdomain of `acme.localhost`.
          tenant: firstOf(fromHeader('x-tenant-id'), fromSubdomain({ baseDomain: 'localhost' })),
          subject: (req) => (req.user as DemoUser | undefined)?.id,
          missingTenant: 'reject',
        }),
      ],
      controllers: [HealthController, MeController, DocumentsController, createPermitCheckController('permit-check')],
      providers: [
        { provide: DocumentStore, useValue: setup.documents },
        { provide: POLICY_WRITER, useValue: setup.writer },
        PolicyLifecycle,
        // Global guards run in this order: authentication first, then authorization.
        { provide: APP_GUARD, useClass: FakeAuthGuard },
        { provide: APP_GUARD, useClass: PermissionGuard },
      ],
    };
  }
}
