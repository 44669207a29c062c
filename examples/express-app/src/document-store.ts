import type { DocumentRecord } from './seed.js';

/** The documents themselves, per tenant, in memory. A tenant's documents never show up in another tenant. */
export class DocumentStore {
  private readonly byTenant = new Map<string, Map<string, DocumentRecord>>();

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
