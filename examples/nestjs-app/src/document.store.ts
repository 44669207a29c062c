import type { DocumentRecord, Seed } from './seed.js';

/** The documents themselves, per tenant, in memory. Who may do what with them is the PDP's business. */
export class DocumentStore {
  private readonly byTenant = new Map<string, Map<string, DocumentRecord>>();

  public static fromSeed(seed: Seed): DocumentStore {
    const store = new DocumentStore();
    for (const [tenant, data] of Object.entries(seed.tenants)) {
      for (const doc of data.documents) store.put(tenant, { ...doc });
    }
    return store;
  }

  public list(tenant: string): DocumentRecord[] {
    return [...(this.byTenant.get(tenant)?.values() ?? [])];
  }

  public get(tenant: string, id: string): DocumentRecord | undefined {
    return this.byTenant.get(tenant)?.get(id);
  }

  public put(tenant: string, doc: DocumentRecord): void {
    let docs = this.byTenant.get(tenant);
    if (docs === undefined) this.byTenant.set(tenant, (docs = new Map()));
    docs.set(doc.id, doc);
  }

  public delete(tenant: string, id: string): boolean {
    return this.byTenant.get(tenant)?.delete(id) ?? false;
  }
}
