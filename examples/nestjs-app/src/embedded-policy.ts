import { EmbeddedPdp, Engine } from '@gatehouse/engine';

import { DocumentStore } from './document.store.js';
import type { PolicyWriter } from './policy-writer.js';
import type { PolicySetup } from './policy-setup.js';
import { documentAttributes, readSchema, readSeed } from './seed.js';

/** The embedded PDP: an in-process engine loaded with `policy/schema.perm` and `policy/seed.json`. */
export async function embeddedPolicy(): Promise<PolicySetup> {
  const seed = readSeed();
  const engine = await Engine.create({ schema: readSchema() });
  for (const [tenant, data] of Object.entries(seed.tenants)) {
    await engine.createTenant(tenant, { name: data.name });
    await engine.write({ tenant, tuples: data.tuples, attributes: documentAttributes(data.documents) });
  }
  const writer: PolicyWriter = {
    write: async (tenant, tuples, attributes = []) => {
      await engine.write({ tenant, tuples, attributes });
    },
    forgetDocument: async (tenant, id) => {
      await engine.delete({
        tenant,
        tupleFilter: { entity: { type: 'document', ids: [id] } },
        attributeFilter: { entity: { type: 'document', ids: [id] } },
      });
    },
    close: async () => {
      await engine.close();
    },
  };
  return { pdp: new EmbeddedPdp(engine), writer, documents: DocumentStore.fromSeed(seed), mode: 'embedded' };
}
