import { Global, Inject, Injectable, Module } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';

import { DocumentStore } from './document.store.js';
import { POLICY_WRITER } from './policy-writer.js';
import type { PolicyWriter } from './policy-writer.js';
import type { PolicySetup } from './policy-setup.js';

/** Where the PDP is: the embedded engine by default, or a PDP server. */
export interface PolicyOptions {
  /** A Gatehouse PDP server to use instead of the embedded engine (`GATEHOUSE_PDP_URL`). */
  readonly pdpUrl?: string | undefined;
  /** Its API key, when it wants one (`GATEHOUSE_API_KEY`). */
  readonly apiKey?: string | undefined;
}

/** Injection token of the {@link PolicySetup} (the PDP, the writer, the documents). */
export const POLICY_SETUP = Symbol('PolicySetup');

let configured: PolicyOptions | undefined;

/**
 * Sets where the next app built from `AppModule` finds its PDP (tests, `createApp`); without it the environment
 * decides (`GATEHOUSE_PDP_URL`, `GATEHOUSE_API_KEY`).
 */
export function configurePolicy(options: PolicyOptions | undefined): void {
  configured = options;
}

function policyOptions(): PolicyOptions {
  return configured ?? { pdpUrl: process.env.GATEHOUSE_PDP_URL, apiKey: process.env.GATEHOUSE_API_KEY };
}

/** Closes the policy writer (the embedded engine, the remote PDP) when the app stops. */
@Injectable()
class PolicyLifecycle implements OnApplicationShutdown {
  public constructor(@Inject(POLICY_WRITER) private readonly writer: PolicyWriter) {}

  public async onApplicationShutdown(): Promise<void> {
    await this.writer.close();
  }
}

/** The PDP (embedded or remote), the writer of new facts and the documents, for the whole app. */
@Global()
@Module({
  providers: [
    {
      provide: POLICY_SETUP,
      // Loaded on demand: the remote mode never loads the engine, the embedded mode never loads undici.
      useFactory: async (): Promise<PolicySetup> => {
        const { pdpUrl, apiKey } = policyOptions();
        return pdpUrl === undefined
          ? await (await import('./embedded-policy.js')).embeddedPolicy()
          : await (await import('./remote-policy.js')).remotePolicy(pdpUrl, apiKey);
      },
    },
    { provide: DocumentStore, inject: [POLICY_SETUP], useFactory: (setup: PolicySetup) => setup.documents },
    { provide: POLICY_WRITER, inject: [POLICY_SETUP], useFactory: (setup: PolicySetup) => setup.writer },
    PolicyLifecycle,
  ],
  exports: [POLICY_SETUP, DocumentStore, POLICY_WRITER],
})
export class PolicyModule {}
