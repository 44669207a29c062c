import type { ChangeEvent, Pdp } from '../types.js';

/** The form of a schema hash: what `gatehouse generate` writes and the PDPs report. */
export const SCHEMA_HASH = /^sha256:[0-9a-f]{64}$/;

/** What {@link GatehouseOptions.onSchemaDrift} receives: the PDP's schema is not the one the types describe. */
export interface SchemaDriftEvent {
  readonly tenant: string;
  /** The hash the client was given (`schemaHash` of the generated file). */
  readonly expected: string;
  /** The hash of the tenant's schema on the PDP. */
  readonly actual: string;
}

/**
 * Compares the PDP's schema hash of each tenant the client checks in with the hash its types were generated from,
 * once per tenant and again after a schema change, and reports each different hash once. Runs beside checks,
 * never in their way: a failure to read the hash reports nothing.
 */
export class SchemaDriftWatch {
  readonly #pdp: Pdp;
  readonly #expected: string;
  readonly #report: (event: SchemaDriftEvent) => void;
  readonly #checked = new Set<string>();
  readonly #reported = new Set<string>();
  readonly #unsubscribe: () => void;

  public constructor(pdp: Pdp, expected: string, report: (event: SchemaDriftEvent) => void) {
    this.#pdp = pdp;
    this.#expected = expected;
    this.#report = report;
    this.#unsubscribe = pdp.subscribe((event: ChangeEvent) => {
      if (event.kind === 'schema' || event.kind === 'reset') {
        if (event.tenant === '*') this.#checked.clear();
        else this.#checked.delete(event.tenant);
      }
    });
  }

  /** Called for each check that reaches the PDP; reads the tenant's hash the first time. */
  public observe(tenant: string): void {
    if (this.#checked.has(tenant) || this.#pdp.schemaHash === undefined) return;
    this.#checked.add(tenant);
    this.#pdp.schemaHash(tenant).then(
      (actual) => {
        if (actual === undefined || actual === this.#expected) return;
        const key = `${tenant}\u0000${actual}`;
        if (this.#reported.has(key)) return;
        this.#reported.add(key);
        this.#report({ tenant, expected: this.#expected, actual });
      },
      () => {
        this.#checked.delete(tenant);
      },
    );
  }

  public close(): void {
    this.#unsubscribe();
  }
}

/** The default report: one warning naming the tenant and what to run. */
export function warnSchemaDrift(event: SchemaDriftEvent): void {
  console.warn(
    `gatehouse: the schema of tenant "${event.tenant}" on the PDP (${event.actual}) is not the one the types were generated from (${event.expected}); run "gatehouse generate" again`,
  );
}
