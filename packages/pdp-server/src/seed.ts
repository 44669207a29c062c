import { assertTenant, InvalidRequestError } from '@gatehouse/core';
import { MAX_WRITE_ITEMS, type Engine } from '@gatehouse/engine';
import { parse as parseYaml } from 'yaml';

/** Facts of one tenant in the validation-file string forms. */
export interface TenantSeed {
  /** Display name when the tenant is created. */
  readonly name?: string;
  /** The tenant's own schema; without one it uses the default tenant's. */
  readonly schema?: string;
  /** `document:1#owner@user:alice`, … */
  readonly relationships?: readonly string[];
  /** `document:1$public|boolean:true`, … */
  readonly attributes?: readonly string[];
}

/**
 * The `--data` file: relationships and attributes of the default tenant at the top level, other tenants
 * under `tenants:` (created when missing).
 */
export interface SeedData extends TenantSeed {
  readonly tenants?: Readonly<Record<string, TenantSeed>>;
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InvalidRequestError(`invalid data file: ${where} must be a list of strings`);
  }
  return value;
}

function tenantSeed(value: unknown, where: string): TenantSeed {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError(`invalid data file: ${where} must be a mapping`);
  }
  const v = value as Record<string, unknown>;
  const relationships = stringList(v.relationships, `${where}.relationships`);
  const attributes = stringList(v.attributes, `${where}.attributes`);
  for (const k of ['name', 'schema'] as const) {
    if (v[k] !== undefined && typeof v[k] !== 'string') throw new InvalidRequestError(`invalid data file: ${where}.${k} must be a string`);
  }
  return {
    ...(relationships === undefined ? {} : { relationships }),
    ...(attributes === undefined ? {} : { attributes }),
    ...(typeof v.name === 'string' ? { name: v.name } : {}),
    ...(typeof v.schema === 'string' ? { schema: v.schema } : {}),
  };
}

/**
 * Parses a `--data` file (YAML or JSON).
 * @throws {@link InvalidRequestError} naming the bad key.
 * @example
 * ```ts
 * parseSeedData('relationships: ["document:1#owner@user:alice"]\ntenants: { acme: { relationships: [] } }');
 * ```
 */
export function parseSeedData(text: string): SeedData {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new InvalidRequestError(`invalid data file: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || doc === undefined) return {};
  const top = tenantSeed(doc, 'the document');
  const tenantsRaw = (doc as Record<string, unknown>).tenants;
  if (tenantsRaw === undefined || tenantsRaw === null) return top;
  if (typeof tenantsRaw !== 'object' || Array.isArray(tenantsRaw)) throw new InvalidRequestError('invalid data file: tenants must be a mapping');
  const tenants: Record<string, TenantSeed> = {};
  for (const [id, seed] of Object.entries(tenantsRaw)) tenants[assertTenant(id)] = tenantSeed(seed, `tenants.${id}`);
  return { ...top, tenants };
}

async function writeFacts(engine: Engine, tenant: string, seed: TenantSeed): Promise<void> {
  const tuples = seed.relationships ?? [];
  const attributes = seed.attributes ?? [];
  // The engine refuses writes over MAX_WRITE_ITEMS, so a large seed goes in chunks.
  for (let i = 0; i < tuples.length; i += MAX_WRITE_ITEMS) {
    await engine.write({ tenant, tuples: tuples.slice(i, i + MAX_WRITE_ITEMS) });
  }
  for (let i = 0; i < attributes.length; i += MAX_WRITE_ITEMS) {
    await engine.write({ tenant, attributes: attributes.slice(i, i + MAX_WRITE_ITEMS) });
  }
}

/**
 * Writes seed data into the engine (in writes of at most 1,000 facts), creating tenants that do not exist yet.
 * @throws engine errors for data that breaks the schema (the write holding the bad line changes nothing).
 * @example
 * ```ts
 * await applySeedData(engine, parseSeedData(readFileSync('data.yaml', 'utf8')));
 * ```
 */
export async function applySeedData(engine: Engine, data: SeedData): Promise<void> {
  if (data.schema !== undefined) await engine.writeSchema(engine.defaultTenant, data.schema);
  await writeFacts(engine, engine.defaultTenant, data);
  for (const [id, seed] of Object.entries(data.tenants ?? {})) {
    if (id !== engine.defaultTenant) {
      const existing = await tenantExists(engine, id);
      if (!existing) await engine.createTenant(id, seed.name === undefined ? {} : { name: seed.name });
    }
    if (seed.schema !== undefined) await engine.writeSchema(id, seed.schema);
    await writeFacts(engine, id, seed);
  }
}

async function tenantExists(engine: Engine, id: string): Promise<boolean> {
  try {
    await engine.readRelationships({ tenant: id, pageSize: 1 });
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'GH_ERR_NOT_FOUND') return false;
    throw err;
  }
}
