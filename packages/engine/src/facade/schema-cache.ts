import { NotFoundError } from '@gatehouse/core';

import { planSchema } from '../eval/plan.js';
import type { SchemaPlan } from '../eval/plan.js';
import { compileSchema } from '../schema/index.js';
import type { CompiledSchema } from '../schema/index.js';
import type { MemoryStore } from '../store/memory-store.js';
import type { SchemaRecord } from '../store/store.js';

/** A schema version as the engine evaluates it. */
export interface ResolvedSchema {
  readonly record: SchemaRecord;
  readonly compiled: CompiledSchema;
  readonly plan: SchemaPlan;
}

/**
 * Compiles each stored schema version once (keyed by its record, so a reloaded view compiles afresh) and resolves
 * which version a request reads: the tenant's own, else the default tenant's, the head unless one is named.
 * @internal
 */
export class SchemaCache {
  private readonly cache = new WeakMap<SchemaRecord, { readonly compiled: CompiledSchema; readonly plan: SchemaPlan }>();
  private compilations = 0;
  private hits = 0;

  public constructor(private readonly defaultTenant: string) {}

  /**
   * The schema version `version` (the head when absent or `''`) of `tenant` in `view`, compiled and planned.
   * @throws {@link NotFoundError} when the tenant has no schema or no such version.
   */
  public resolve(view: MemoryStore, tenant: string, version: string | undefined): ResolvedSchema {
    const own = view.schemasOf(tenant);
    const inherited = own.length === 0 ? view.schemasOf(this.defaultTenant) : own;
    const record = version === undefined || version === '' ? inherited.at(-1) : inherited.find((s) => s.version === version);
    if (record === undefined) {
      throw new NotFoundError(
        version ? `schema version ${JSON.stringify(version)} does not exist in tenant ${JSON.stringify(tenant)}` : `tenant ${JSON.stringify(tenant)} has no schema`,
        { tenant },
      );
    }
    let entry = this.cache.get(record);
    if (entry === undefined) {
      const compiled = compileSchema(record.source);
      entry = { compiled, plan: planSchema(compiled, view) };
      this.cache.set(record, entry);
      this.compilations++;
    } else {
      this.hits++;
    }
    return { record, compiled: entry.compiled, plan: entry.plan };
  }

  /** Misses (`schemaCompilations`) and hits (`schemaCacheHits`) since the cache was made. */
  public stats(): { readonly schemaCompilations: number; readonly schemaCacheHits: number } {
    return { schemaCompilations: this.compilations, schemaCacheHits: this.hits };
  }
}
