import { readFileSync } from 'node:fs';

/**
 * One document of the demo service. `public` is kept in the row, where a list route's query plan reads it, and
 * written to the PDP as the `public` attribute, where a check of one document reads it; the app writes both.
 */
export interface DocumentRecord {
  id: string;
  title: string;
  body: string;
  public?: boolean;
}

/** The seed file: per tenant, its role and document tuples and its documents. */
export interface Seed {
  readonly tenants: Readonly<Record<string, { name: string; tuples: string[]; documents: DocumentRecord[] }>>;
}

/** The PDP attributes of some documents: `document:<id>$public|boolean:true` for each public one. */
export function documentAttributes(documents: readonly DocumentRecord[]): string[] {
  return documents.filter((doc) => doc.public === true).map((doc) => `document:${doc.id}$public|boolean:true`);
}

/** The policy folder, next to `src/` and `dist/`, so it is found from both. */
const POLICY_DIR = new URL('../policy/', import.meta.url);

/** The schema text (`policy/schema.perm`). */
export function readSchema(): string {
  return readFileSync(new URL('schema.perm', POLICY_DIR), 'utf8');
}

/** The seed data (`policy/seed.json`). */
export function readSeed(): Seed {
  return JSON.parse(readFileSync(new URL('seed.json', POLICY_DIR), 'utf8')) as Seed;
}
