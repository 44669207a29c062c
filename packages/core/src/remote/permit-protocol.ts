import { InvalidRequestError } from '../errors.js';
import { DEFAULT_SUBJECT_TYPE } from '../parse.js';
import type {
  CheckContext,
  CheckRequest,
  Decision,
  LookupResourcesRequest,
  LookupResourcesResult,
  LookupSubjectsResult,
  Resource,
  Subject,
  SubjectPermissionsRequest,
  SubjectPermissionsResult,
} from '../types.js';
import { badShape, field } from './http.js';
import { show } from './gatehouse-protocol.js';
import { inChunks } from './protocol.js';
import type { Post, WireProtocol } from './protocol.js';

const BULK_LIMIT = 100;

function user(subject: Subject): object {
  if (subject.type !== DEFAULT_SUBJECT_TYPE || subject.relation !== undefined) {
    throw InvalidRequestError.badValue(
      'subject',
      subject,
      `a "${DEFAULT_SUBJECT_TYPE}:<key>" subject: the permit protocol has users only, no usersets`,
    );
  }
  return subject.attributes === undefined ? { key: subject.id } : { key: subject.id, attributes: subject.attributes };
}

function resource(r: Resource, tenant: string): object {
  return {
    type: r.type,
    ...(r.id === undefined ? {} : { key: r.id }),
    tenant,
    ...(r.attributes === undefined ? {} : { attributes: r.attributes }),
  };
}

function context(c: CheckContext | undefined): Record<string, unknown> {
  if ((c?.tuples?.length ?? 0) > 0 || (c?.attributes?.length ?? 0) > 0) {
    throw InvalidRequestError.badValue(
      'context',
      c,
      'only context.data with the permit protocol (contextual tuples and attributes are a Gatehouse-protocol feature)',
    );
  }
  return { ...(c?.data ?? {}) };
}

function checkBody(request: CheckRequest): object {
  return {
    user: user(request.subject),
    action: request.action,
    resource: resource(request.resource, request.tenant),
    context: context(request.context),
  };
}

function allowOf(answer: unknown, path: string, tenant: string): Decision {
  const allow = field(answer, 'allow') ?? field(answer, 'result', 'allow');
  if (typeof allow !== 'boolean') throw badShape(path, `"allow": ${show(allow)}`, tenant);
  return { allowed: allow, reason: allow ? 'allowed' : 'denied' };
}

/** Permit.io's PDP protocol (`/allowed`, `/allowed/bulk`, `/user-permissions`); the tenant travels in `resource.tenant`. */
export class PermitProtocol implements WireProtocol {
  public constructor(private readonly prefix: string) {}

  public async check(request: CheckRequest, post: Post): Promise<Decision> {
    const path = `${this.prefix}/allowed`;
    return allowOf(await post({ path, tenant: request.tenant, body: checkBody(request) }), path, request.tenant);
  }

  public async checkMany(requests: readonly CheckRequest[], post: Post): Promise<Decision[]> {
    const path = `${this.prefix}/allowed/bulk`;
    const tenant = requests[0]?.tenant ?? '';
    const bodies = requests.map(checkBody);
    return await inChunks(bodies, BULK_LIMIT, async (chunk) => {
      const answer = await post({ path, tenant, body: chunk });
      const list = field(answer, 'allow') ?? field(answer, 'result', 'allow');
      if (!Array.isArray(list) || list.length !== chunk.length) {
        throw badShape(path, `${Array.isArray(list) ? String(list.length) : 'no'} decisions for ${String(chunk.length)} checks`, tenant);
      }
      return list.map((item) => allowOf(item, path, tenant));
    });
  }

  async #userPermissions(
    subject: Subject,
    tenant: string,
    scope: { resources?: string[]; resource_types?: string[] },
    post: Post,
  ): Promise<{ path: string; entries: Record<string, unknown> }> {
    const path = `${this.prefix}/user-permissions`;
    const answer = await post({ path, tenant, body: { user: user(subject), tenants: [tenant], ...scope } });
    const inner = field(answer, 'result') === undefined ? answer : field(answer, 'result', 'permissions');
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw badShape(path, 'no permissions object', tenant);
    return { path, entries: inner as Record<string, unknown> };
  }

  public async subjectPermissions(request: SubjectPermissionsRequest, post: Post): Promise<SubjectPermissionsResult> {
    const r = request.resource;
    const scope = r.id === undefined ? { resource_types: [r.type] } : { resources: [`${r.type}:${r.id}`] };
    const { path, entries } = await this.#userPermissions(request.subject, request.tenant, scope, post);
    const permissions: Record<string, boolean> = {};
    const keys = [`__tenant:${request.tenant}`, ...(r.id === undefined ? [] : [`${r.type}:${r.id}`])];
    for (const key of keys) {
      for (const permission of permissionList(entries[key], path, request.tenant)) {
        const colon = permission.indexOf(':');
        if (permission.slice(0, colon) === r.type) permissions[permission.slice(colon + 1)] = true;
      }
    }
    return { permissions };
  }

  /** Instances the user holds the permission on through instance roles (tenant-wide roles cover every id and are not listed). */
  public async lookupResources(request: LookupResourcesRequest, post: Post): Promise<LookupResourcesResult> {
    const { path, entries } = await this.#userPermissions(
      request.subject,
      request.tenant,
      { resource_types: [request.resourceType] },
      post,
    );
    const prefix = `${request.resourceType}:`;
    const wanted = `${request.resourceType}:${request.action}`;
    const ids: string[] = [];
    for (const [key, entry] of Object.entries(entries)) {
      if (key.startsWith(prefix) && permissionList(entry, path, request.tenant).includes(wanted)) ids.push(key.slice(prefix.length));
    }
    return { ids: ids.sort() };
  }

  public lookupSubjects(): Promise<LookupSubjectsResult> {
    return Promise.reject(new InvalidRequestError('lookupSubjects is not part of the permit protocol; use protocol "gatehouse"'));
  }
}

function permissionList(entry: unknown, path: string, tenant: string): string[] {
  if (entry === undefined) return [];
  const list = field(entry, 'permissions');
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) throw badShape(path, 'an entry without a permissions list', tenant);
  return list;
}
