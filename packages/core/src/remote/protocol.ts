import type {
  CheckRequest,
  Decision,
  LookupResourcesRequest,
  LookupResourcesResult,
  LookupSubjectsRequest,
  LookupSubjectsResult,
  SubjectPermissionsRequest,
  SubjectPermissionsResult,
} from '../types.js';
import type { JsonPost } from './http.js';
import type { PlanRequest, QueryPlan } from '../query-plan.js';

/** Posts a body and returns the parsed JSON answer (errors already typed). */
export type Post = (post: JsonPost) => Promise<unknown>;

/** How a remote PDP's wire protocol maps the Pdp operations. */
export interface WireProtocol {
  check(request: CheckRequest, post: Post): Promise<Decision>;
  /** Requests here share tenant; the protocol splits further as its bulk endpoint requires. */
  checkMany(requests: readonly CheckRequest[], post: Post): Promise<Decision[]>;
  subjectPermissions(request: SubjectPermissionsRequest, post: Post): Promise<SubjectPermissionsResult>;
  lookupResources(request: LookupResourcesRequest, post: Post): Promise<LookupResourcesResult>;
  lookupSubjects(request: LookupSubjectsRequest, post: Post): Promise<LookupSubjectsResult>;
  /** The query plan (`/permissions/plan`), when the protocol has one. */
  plan?(request: PlanRequest, post: Post): Promise<QueryPlan>;
  /** The tenant's schema-types hash, when the protocol can read it. */
  schemaHash?(tenant: string, post: Post): Promise<string | undefined>;
}

/** Runs `fn` over chunks of at most `size` items, in parallel, and joins the answers in order. */
export async function inChunks<T, R>(items: readonly T[], size: number, fn: (chunk: readonly T[]) => Promise<R[]>): Promise<R[]> {
  const chunks: (readonly T[])[] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  const answers = await Promise.all(chunks.map(fn));
  return answers.flat();
}
