import { parseAttribute, parseTuple } from '../parse.js';
import { stableStringify } from '../internal/stable-key.js';
import type {
  AttributeValue,
  CheckContext,
  CheckRequest,
  Decision,
  LookupResourcesRequest,
  LookupResourcesResult,
  LookupSubjectsRequest,
  LookupSubjectsResult,
  Resource,
  Subject,
  SubjectPermissionsRequest,
  SubjectPermissionsResult,
} from '../types.js';
import { SCHEMA_HASH } from '../internal/schema-drift.js';
import { badShape, field } from './http.js';
import { postPlan } from './plan-protocol.js';
import { inChunks } from './protocol.js';
import type { PlanRequest, QueryPlan } from '../query-plan.js';
import type { Post, WireProtocol } from './protocol.js';

const ALLOWED = 'CHECK_RESULT_ALLOWED';
const DENIED = 'CHECK_RESULT_DENIED';
const BULK_LIMIT = 100;
const PAGE_SIZE = 1000;
const MAX_PAGES = 10_000;

const ANY_KIND: Record<string, string> = {
  boolean: 'Boolean', string: 'String', integer: 'Integer', double: 'Double',
};

/** An attribute value in Permify's protobuf `Any` JSON form. */
export function anyValue(value: AttributeValue, valueType?: string): { '@type': string; data: AttributeValue } {
  let kind = valueType?.replace('[]', '');
  if (kind === undefined || ANY_KIND[kind] === undefined) {
    const sample: unknown = Array.isArray(value) ? value[0] : value;
    kind = typeof sample === 'boolean' ? 'boolean'
      : typeof sample === 'string' ? 'string'
        : Array.isArray(value) ? (value as readonly number[]).every(Number.isInteger) ? 'integer' : 'double'
          : Number.isInteger(sample) ? 'integer' : 'double';
  }
  const name = `${ANY_KIND[kind] ?? 'String'}${Array.isArray(value) ? 'Array' : ''}Value`;
  return { '@type': `type.googleapis.com/base.v1.${name}`, data: value };
}

function entityJson(resource: Resource): { type: string; id: string } {
  return { type: resource.type, id: resource.id ?? '' };
}

function subjectJson(subject: Subject): { type: string; id: string; relation: string } {
  return { type: subject.type, id: subject.id, relation: subject.relation ?? '' };
}

function attributesOf(type: string, id: string, attributes: Readonly<Record<string, unknown>>): object[] {
  return Object.entries(attributes).map(([attribute, value]) => ({
    entity: { type, id },
    attribute,
    value: anyValue(value as AttributeValue),
  }));
}

/** The Permify `context` of a request: its contextual tuples and attributes, plus the subject's and resource's attributes. */
export function contextJson(context: CheckContext | undefined, subject?: Subject, resource?: Resource): object {
  const tuples = (context?.tuples ?? []).map((input) => {
    const t = parseTuple(input);
    return { entity: { type: t.entity.type, id: t.entity.id }, relation: t.relation, subject: subjectJson(t.subject) };
  });
  const attributes: object[] = (context?.attributes ?? []).map((input) => {
    const a = parseAttribute(input);
    return { entity: { type: a.entity.type, id: a.entity.id }, attribute: a.attribute, value: anyValue(a.value, a.valueType) };
  });
  if (subject?.attributes !== undefined) attributes.push(...attributesOf(subject.type, subject.id, subject.attributes));
  if (resource?.attributes !== undefined && resource.id !== undefined) {
    attributes.push(...attributesOf(resource.type, resource.id, resource.attributes));
  }
  return { tuples, attributes, data: context?.data ?? {} };
}

function metadata(request: { consistency?: { atLeastAsFresh?: string }; depth?: number }, extra: object = {}): object {
  return { snap_token: request.consistency?.atLeastAsFresh ?? '', schema_version: '', depth: request.depth ?? 20, ...extra };
}

/** A value as JSON text, for error messages. */
export function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function decision(answer: unknown, path: string, tenant: string, snapFallback?: unknown): Decision {
  const can = field(answer, 'can');
  if (can !== ALLOWED && can !== DENIED) throw badShape(path, `"can": ${show(can)}`, tenant);
  const snap = field(answer, 'metadata', 'snap_token') ?? snapFallback;
  const allowed = can === ALLOWED;
  const base: Decision = { allowed, reason: allowed ? 'allowed' : 'denied' };
  return typeof snap === 'string' && snap !== '' ? { ...base, snapToken: snap } : base;
}

function ids(answer: unknown, key: string, path: string, tenant: string): { ids: string[]; next: string } {
  const list = field(answer, key);
  if (!Array.isArray(list) || !list.every((id) => typeof id === 'string')) {
    throw badShape(path, `no string array "${key}"`, tenant);
  }
  const next = field(answer, 'continuous_token');
  return { ids: list, next: typeof next === 'string' ? next : '' };
}

/** The Gatehouse (Permify-shaped) REST protocol under `/v1/tenants/{tenant}/permissions/…`. */
export class GatehouseProtocol implements WireProtocol {
  public constructor(private readonly prefix: string) {}

  #path(tenant: string, op: string): string {
    return `${this.prefix}/v1/tenants/${encodeURIComponent(tenant)}/permissions/${op}`;
  }

  public async schemaHash(tenant: string, post: Post): Promise<string | undefined> {
    const answer = await post({ path: `${this.prefix}/v1/tenants/${encodeURIComponent(tenant)}/schemas/read`, tenant, body: {} });
    const hash = field(answer, 'schema_hash');
    return typeof hash === 'string' && SCHEMA_HASH.test(hash) ? hash : undefined;
  }

  public async check(request: CheckRequest, post: Post): Promise<Decision> {
    const path = this.#path(request.tenant, 'check');
    const answer = await post({
      path,
      tenant: request.tenant,
      body: {
        metadata: metadata(request),
        entity: entityJson(request.resource),
        permission: request.action,
        subject: subjectJson(request.subject),
        context: contextJson(request.context, request.subject, request.resource),
      },
    });
    return decision(answer, path, request.tenant);
  }

  public async checkMany(requests: readonly CheckRequest[], post: Post): Promise<Decision[]> {
    // bulk-check shares metadata and context among its items: group by them, keep the caller's order.
    const groups = new Map<string, { context: object; items: { index: number; request: CheckRequest }[] }>();
    requests.forEach((request, index) => {
      const context = contextJson(request.context, request.subject, request.resource);
      const key = stableStringify([request.tenant, metadata(request), context]);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { context, items: [{ index, request }] });
      else group.items.push({ index, request });
    });
    const out: Decision[] = new Array<Decision>(requests.length);
    await Promise.all([...groups.values()].map(async ({ context, items }) => {
      const [first] = items;
      if (first === undefined) return;
      const { tenant } = first.request;
      const path = this.#path(tenant, 'bulk-check');
      const decided = await inChunks(items, BULK_LIMIT, async (chunk) => {
        const answer = await post({
          path,
          tenant,
          body: {
            metadata: metadata(first.request),
            items: chunk.map(({ request: r }) => ({
              entity: entityJson(r.resource), permission: r.action, subject: subjectJson(r.subject),
            })),
            context,
          },
        });
        const results = field(answer, 'results');
        if (!Array.isArray(results) || results.length !== chunk.length) {
          throw badShape(path, `${Array.isArray(results) ? String(results.length) : 'no'} results for ${String(chunk.length)} items`, tenant);
        }
        return results.map((result) => decision(result, path, tenant, field(answer, 'metadata', 'snap_token')));
      });
      decided.forEach((d, i) => {
        const item = items[i];
        if (item !== undefined) out[item.index] = d;
      });
    }));
    return out;
  }

  public async subjectPermissions(request: SubjectPermissionsRequest, post: Post): Promise<SubjectPermissionsResult> {
    const path = this.#path(request.tenant, 'subject-permission');
    const answer = await post({
      path,
      tenant: request.tenant,
      body: {
        metadata: metadata(request, { only_permission: true }),
        entity: entityJson(request.resource),
        subject: subjectJson(request.subject),
        context: contextJson(request.context, request.subject, request.resource),
      },
    });
    const results = field(answer, 'results');
    if (typeof results !== 'object' || results === null || Array.isArray(results)) {
      throw badShape(path, 'no "results" object', request.tenant);
    }
    const permissions: Record<string, boolean> = {};
    for (const [name, can] of Object.entries(results as Record<string, unknown>)) {
      if (can !== ALLOWED && can !== DENIED) throw badShape(path, `"${name}": ${JSON.stringify(can)}`, request.tenant);
      permissions[name] = can === ALLOWED;
    }
    return { permissions };
  }

  public async lookupResources(request: LookupResourcesRequest, post: Post): Promise<LookupResourcesResult> {
    const path = this.#path(request.tenant, 'lookup-entity');
    return await paginate(path, request.tenant, 'entity_ids', post, (token) => ({
      metadata: metadata(request),
      entity_type: request.resourceType,
      permission: request.action,
      subject: subjectJson(request.subject),
      context: contextJson(request.context, request.subject),
      page_size: PAGE_SIZE,
      continuous_token: token,
    }));
  }

  public async plan(request: PlanRequest, post: Post): Promise<QueryPlan> {
    return await postPlan(this.#path(request.tenant, 'plan'), request, post);
  }

  public async lookupSubjects(request: LookupSubjectsRequest, post: Post): Promise<LookupSubjectsResult> {
    const path = this.#path(request.tenant, 'lookup-subject');
    return await paginate(path, request.tenant, 'subject_ids', post, (token) => ({
      metadata: metadata(request),
      entity: entityJson(request.resource),
      permission: request.action,
      subject_reference: { type: request.subjectType, relation: request.subjectRelation ?? '' },
      context: contextJson(request.context, undefined, request.resource),
      page_size: PAGE_SIZE,
      continuous_token: token,
    }));
  }
}

async function paginate(
  path: string,
  tenant: string,
  key: string,
  post: Post,
  body: (token: string) => object,
): Promise<{ ids: string[] }> {
  const all: string[] = [];
  let token = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await post({ path, tenant, body: body(token) });
    const { ids: found, next } = ids(answer, key, path, tenant);
    all.push(...found);
    if (next === '' || next === token || found.length === 0) return { ids: all };
    token = next;
  }
  throw badShape(path, `more than ${String(MAX_PAGES)} pages`, tenant);
}
