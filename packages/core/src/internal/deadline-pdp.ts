import type {
  CallOptions,
  ChangeListener,
  CheckRequest,
  Decision,
  LookupResourcesRequest,
  LookupResourcesResult,
  LookupSubjectsRequest,
  LookupSubjectsResult,
  Pdp,
  SubjectPermissionsRequest,
  SubjectPermissionsResult,
} from '../types.js';
import { withDeadline } from './deadline.js';

/** A layer around a Pdp that gives every call a deadline, whether or not the Pdp honours signals. */
export class DeadlinePdp implements Pdp {
  readonly #pdp: Pdp;
  readonly #timeoutMs: number;

  public constructor(pdp: Pdp, timeoutMs: number) {
    this.#pdp = pdp;
    this.#timeoutMs = timeoutMs;
    if (pdp.compareSnapTokens !== undefined) {
      this.compareSnapTokens = (a: string, b: string): number => pdp.compareSnapTokens?.(a, b) ?? 0;
    }
  }

  public compareSnapTokens?: (a: string, b: string) => number;

  public async check(request: CheckRequest, options?: CallOptions): Promise<Decision> {
    return await withDeadline(async (signal) => await this.#pdp.check(request, { signal }), this.#timeoutMs, options?.signal);
  }

  public async checkMany(requests: readonly CheckRequest[], options?: CallOptions): Promise<Decision[]> {
    return await withDeadline(
      async (signal) => await this.#pdp.checkMany(requests, { signal }),
      this.#timeoutMs,
      options?.signal,
    );
  }

  public async subjectPermissions(
    request: SubjectPermissionsRequest,
    options?: CallOptions,
  ): Promise<SubjectPermissionsResult> {
    return await withDeadline(
      async (signal) => await this.#pdp.subjectPermissions(request, { signal }),
      this.#timeoutMs,
      options?.signal,
    );
  }

  public async lookupResources(request: LookupResourcesRequest, options?: CallOptions): Promise<LookupResourcesResult> {
    return await withDeadline(
      async (signal) => await this.#pdp.lookupResources(request, { signal }),
      this.#timeoutMs,
      options?.signal,
    );
  }

  public async lookupSubjects(request: LookupSubjectsRequest, options?: CallOptions): Promise<LookupSubjectsResult> {
    return await withDeadline(
      async (signal) => await this.#pdp.lookupSubjects(request, { signal }),
      this.#timeoutMs,
      options?.signal,
    );
  }

  public subscribe(listener: ChangeListener): () => void {
    return this.#pdp.subscribe(listener);
  }
}
