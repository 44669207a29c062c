import { parseAttribute, parseTuple } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';

import { DocumentStore } from './document.store.js';
import type { PolicyWriter } from './policy-writer.js';
import type { PolicySetup } from './policy-setup.js';
import { documentAttributes, readSchema, readSeed } from './seed.js';

/**
 * A remote PDP (`gatehouse serve`): checks go through `RemotePdp`; writes and the seed go to the server's
 * Permify-shaped HTTP API. The seed is idempotent: tenants that exist are kept, tuples that exist are no-ops.
 */
export async function remotePolicy(url: string, apiKey?: string): Promise<PolicySetup> {
  const post = async (path: string, body: unknown, tolerate: number[] = []): Promise<void> => {
    const res = await fetch(new URL(path, url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok && !tolerate.includes(res.status)) throw new Error(`PDP ${path}: HTTP ${res.status} ${text}`);
  };
  const write = async (tenant: string, tuples: string[], attributes: string[] = []): Promise<void> => {
    await post(`/v1/tenants/${tenant}/data/write`, {
      metadata: { schema_version: '' },
      tuples: tuples.map((t) => toWire(parseTuple(t))),
      attributes: attributes.map((a) => {
        const { entity, attribute, value } = parseAttribute(a);
        return { entity, attribute, value: { '@type': 'type.googleapis.com/base.v1.BooleanValue', data: value } };
      }),
    });
  };

  const seed = readSeed();
  await post('/v1/tenants/t1/schemas/write', { schema: readSchema() });
  for (const [tenant, data] of Object.entries(seed.tenants)) {
    await post('/v1/tenants/create', { id: tenant, name: data.name }, [400, 409]);
    await write(tenant, data.tuples, documentAttributes(data.documents));
  }
  const pdp = new RemotePdp({ url, ...(apiKey === undefined ? {} : { apiKey }) });
  const writer: PolicyWriter = {
    write,
    forgetDocument: async (tenant, id) => {
      await post(`/v1/tenants/${tenant}/data/delete`, {
        tuple_filter: { entity: { type: 'document', ids: [id] } },
        attribute_filter: { entity: { type: 'document', ids: [id] } },
      });
    },
    // The module's client does not close the PDP it was given; the app that made it does.
    close: async () => {
      await pdp.close();
    },
  };
  return { pdp, writer, documents: DocumentStore.fromSeed(seed), mode: 'remote' };
}

function toWire(tuple: ReturnType<typeof parseTuple>): object {
  return { entity: tuple.entity, relation: tuple.relation, subject: { relation: '', ...tuple.subject } };
}
