import { InvalidRequestError } from '../errors.js';
import { parseQueryPlan } from '../query-plan.js';
import type { PlanRequest, QueryPlan } from '../query-plan.js';
import { contextJson } from './gatehouse-protocol.js';
import { badShape, field } from './http.js';
import type { Post } from './protocol.js';

/**
 * `POST /v1/tenants/{t}/permissions/plan` `{ subject, permission, entity_type, metadata, context }` → `{ kind,
 * condition?, metadata: { snap_token } }`. The answer is checked shape by shape (`parseQueryPlan`): a plan the
 * client cannot read is a `PdpProtocolError`, never a wider filter.
 */
export async function postPlan(path: string, request: PlanRequest, post: Post): Promise<QueryPlan> {
  const answer = await post({
    path,
    tenant: request.tenant,
    body: {
      metadata: { snap_token: request.consistency?.atLeastAsFresh ?? '', schema_version: '', depth: request.depth ?? 20 },
      entity_type: request.resourceType,
      permission: request.action,
      subject: { type: request.subject.type, id: request.subject.id, relation: request.subject.relation ?? '' },
      context: contextJson(request.context, request.subject),
    },
  });
  const snap = field(answer, 'metadata', 'snap_token');
  try {
    const plan = parseQueryPlan({ kind: field(answer, 'kind'), condition: field(answer, 'condition'), ...(typeof snap === 'string' && snap !== '' ? { snapToken: snap } : {}) });
    return plan;
  } catch (err) {
    if (err instanceof InvalidRequestError) throw badShape(path, `a malformed plan (${err.message})`, request.tenant);
    throw err;
  }
}
