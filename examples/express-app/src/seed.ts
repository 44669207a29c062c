import { readFile } from 'node:fs/promises';
import type { Engine } from '@gatehouse/engine';
import { parse } from 'yaml';
import { DocumentStore } from './document-store.js';

/** One stored document (the content; who may touch it is the PDP's business). */
export interface DocumentRecord {
  id: string;
  title: string;
  body: string;
}

/** The shape of `seed.yaml`. */
export interface Seed {
  tenants: Record<
    string,
    { name: string; tuples: string[]; attributes: string[]; documents: DocumentRecord[] }
  >;
}

/** Reads `seed.yaml`. */
export async function readSeed(file: URL): Promise<Seed> {
  return parse(await readFile(file, 'utf8')) as Seed;
}

/**
 * Creates the seed's tenants in the engine, writes their tuples and attributes, and returns the documents.
 * The default tenant `t1` exists already; every other tenant is created.
 */
export async function applySeed(engine: Engine, seed: Seed): Promise<DocumentStore> {
  const documents = new DocumentStore();
  for (const [tenant, data] of Object.entries(seed.tenants)) {
    if (tenant !== engine.defaultTenant) await engine.createTenant(tenant, { name: data.name });
    await engine.write({ tenant, tuples: data.tuples, attributes: data.attributes });
    for (const doc of data.documents) documents.put(tenant, { ...doc });
  }
  return documents;
}
