import { readFileSync } from 'node:fs';

/** One document of the demo service. */
export interface DocumentRecord {
  id: string;
  title: string;
  body: string;
}

/** The seed file: per tenant, its role and document tuples, attributes and document contents. */
export interface Seed {
  readonly tenants: Readonly<
    Record<string, { name: string; tuples: string[]; attributes: string[]; documents: DocumentRecord[] }>
  >;
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
