import type { ExplanationNode } from '@gatehouse/core';

/** An API error: HTTP status, the server's `{code, message, details}` reason and message. */
export class ApiError extends Error {
  public constructor(
    public readonly status: number,
    public readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface WireTuple {
  readonly entity: { readonly type: string; readonly id: string };
  readonly relation: string;
  readonly subject: { readonly type: string; readonly id: string; readonly relation?: string };
}

export interface WireAttribute {
  readonly entity: { readonly type: string; readonly id: string };
  readonly attribute: string;
  readonly value: unknown;
}

export interface Diagnostic {
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
}

export interface CheckQuery {
  readonly subject: string;
  readonly permission: string;
  readonly entity: string;
  /** JSON text of `{tuples, attributes, data}`, or empty. */
  readonly context: string;
}

export interface ExplainAnswer {
  readonly allowed: boolean;
  readonly snapToken: string;
  readonly tree: ExplanationNode;
}

export interface ValidationAnswer {
  readonly passed: number;
  readonly failed: number;
  readonly errors: readonly { line: number; column: number; message: string }[];
  readonly failures: readonly { scenario: string; kind: string; query: string; expected: unknown; actual: unknown }[];
  /** Every assertion in file order. */
  readonly outcomes: readonly { scenario: string; kind: string; query: string; expected: unknown; actual: unknown; passed: boolean }[];
}

/** `user:alice` → subject; `team:eng#member` → a userset; a bare id is a user. */
export function subjectOf(text: string): { type: string; id: string; relation?: string } {
  const t = text.trim();
  const [ref = '', relation] = t.split('#');
  const colon = ref.indexOf(':');
  const type = colon === -1 ? 'user' : ref.slice(0, colon);
  const id = colon === -1 ? ref : ref.slice(colon + 1);
  return relation === undefined || relation === '' ? { type, id } : { type, id, relation };
}

/** `document:1` → entity; `document` → a type-level entity. */
export function entityOf(text: string): { type: string; id: string } {
  const t = text.trim();
  const colon = t.indexOf(':');
  return colon === -1 ? { type: t, id: '' } : { type: t.slice(0, colon), id: t.slice(colon + 1) };
}

/** `document:1#viewer@user:alice`. */
export function tupleText(t: WireTuple): string {
  const rel = t.subject.relation === undefined || t.subject.relation === '' ? '' : `#${t.subject.relation}`;
  return `${t.entity.type}:${t.entity.id}#${t.relation}@${t.subject.type}:${t.subject.id}${rel}`;
}

function contextOf(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(0, 'GH_ERR_INVALID_REQUEST', `contextual data is not JSON: ${(err as Error).message}`);
  }
}

/**
 * The Gatehouse API as the console uses it: every call sends the API key as a bearer header (never in a URL) to
 * the server that served the page.
 */
export class Api {
  public constructor(private readonly key: string) {}

  private async post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const res = await fetch(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      cache: 'no-store',
      ...(signal === undefined ? {} : { signal }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'GH_ERR_PROTOCOL', `the server answered ${String(res.status)} with a body that is not JSON`);
    }
    if (!res.ok) {
      const e = json as { message?: unknown; details?: { reason?: unknown }[] };
      const reason = typeof e.details?.[0]?.reason === 'string' ? e.details[0].reason : `HTTP_${String(res.status)}`;
      throw new ApiError(res.status, reason, typeof e.message === 'string' ? e.message : `HTTP ${String(res.status)}`);
    }
    return json as T;
  }

  private t(tenant: string): string {
    return `/v1/tenants/${encodeURIComponent(tenant)}`;
  }

  public async tenants(): Promise<string[]> {
    const ids: string[] = [];
    let token = '';
    for (let i = 0; i < 100; i++) {
      const page = await this.post<{ tenants: { id: string }[]; continuous_token: string }>('/v1/tenants/list', { page_size: 100, continuous_token: token });
      ids.push(...page.tenants.map((t) => t.id));
      token = page.continuous_token;
      if (token === '') break;
    }
    return ids;
  }

  public async compile(tenant: string, schema: string, signal?: AbortSignal): Promise<Diagnostic[]> {
    return (await this.post<{ diagnostics: Diagnostic[] }>(`${this.t(tenant)}/schemas/compile`, { schema }, signal)).diagnostics;
  }

  public async source(tenant: string, version?: string): Promise<{ version: string; schema: string }> {
    const r = await this.post<{ schema_version: string; schema: string }>(
      `${this.t(tenant)}/schemas/source`,
      version === undefined ? {} : { metadata: { schema_version: version } },
    );
    return { version: r.schema_version, schema: r.schema };
  }

  public async writeSchema(tenant: string, schema: string): Promise<string> {
    return (await this.post<{ schema_version: string }>(`${this.t(tenant)}/schemas/write`, { schema })).schema_version;
  }

  public async versions(tenant: string): Promise<{ head: string; versions: { version: string; createdAt: string }[] }> {
    const r = await this.post<{ head: string; schemas: { version: string; created_at: string }[] }>(`${this.t(tenant)}/schemas/list`, { page_size: 100 });
    return { head: r.head, versions: r.schemas.map((s) => ({ version: s.version, createdAt: s.created_at })) };
  }

  public async relationships(
    tenant: string,
    filter: { entityType: string; entityId: string; relation: string; subjectType: string; subjectId: string },
    pageSize: number,
    token: string,
  ): Promise<{ tuples: WireTuple[]; next: string }> {
    const r = await this.post<{ tuples: WireTuple[]; continuous_token: string }>(`${this.t(tenant)}/data/relationships/read`, {
      filter: {
        entity: { type: filter.entityType, ids: filter.entityId === '' ? [] : [filter.entityId] },
        relation: filter.relation,
        subject: { type: filter.subjectType, ids: filter.subjectId === '' ? [] : [filter.subjectId] },
      },
      page_size: pageSize,
      continuous_token: token,
    });
    return { tuples: r.tuples, next: r.continuous_token };
  }

  public async attributes(
    tenant: string,
    filter: { entityType: string; entityId: string; attribute: string },
    pageSize: number,
    token: string,
  ): Promise<{ attributes: WireAttribute[]; next: string }> {
    const r = await this.post<{ attributes: WireAttribute[]; continuous_token: string }>(`${this.t(tenant)}/data/attributes/read`, {
      filter: {
        entity: { type: filter.entityType, ids: filter.entityId === '' ? [] : [filter.entityId] },
        attributes: filter.attribute === '' ? [] : [filter.attribute],
      },
      page_size: pageSize,
      continuous_token: token,
    });
    return { attributes: r.attributes, next: r.continuous_token };
  }

  public async writeTuple(tenant: string, tuple: string): Promise<string> {
    return (await this.post<{ snap_token: string }>(`${this.t(tenant)}/data/write`, { tuples: [tuple] })).snap_token;
  }

  public async writeAttribute(tenant: string, attribute: string): Promise<string> {
    return (await this.post<{ snap_token: string }>(`${this.t(tenant)}/data/write`, { attributes: [attribute] })).snap_token;
  }

  public async deleteTuple(tenant: string, tuple: string): Promise<string> {
    return (await this.post<{ snap_token: string }>(`${this.t(tenant)}/data/delete`, { tuples: [tuple] })).snap_token;
  }

  /** A check with its explanation; `atLeast` asks for a view at least as fresh as that snap token. */
  public async explain(tenant: string, q: CheckQuery, signal?: AbortSignal, atLeast?: string): Promise<ExplainAnswer> {
    const context = contextOf(q.context);
    const r = await this.post<{ can: string; metadata: { snap_token: string }; tree: ExplanationNode }>(
      `${this.t(tenant)}/permissions/explain`,
      {
        subject: subjectOf(q.subject),
        permission: q.permission.trim(),
        entity: entityOf(q.entity),
        ...(context === undefined ? {} : { context }),
        ...(atLeast === undefined ? {} : { metadata: { snap_token: atLeast } }),
      },
      signal,
    );
    return { allowed: r.can === 'CHECK_RESULT_ALLOWED', snapToken: r.metadata.snap_token, tree: r.tree };
  }

  public async lookupEntity(tenant: string, q: { subject: string; permission: string; entityType: string }, pageSize: number, token: string): Promise<{ ids: string[]; next: string }> {
    const r = await this.post<{ entity_ids: string[]; continuous_token: string }>(`${this.t(tenant)}/permissions/lookup-entity`, {
      subject: subjectOf(q.subject),
      permission: q.permission.trim(),
      entity_type: q.entityType.trim(),
      page_size: pageSize,
      continuous_token: token,
    });
    return { ids: r.entity_ids, next: r.continuous_token };
  }

  public async lookupSubject(
    tenant: string,
    q: { entity: string; permission: string; subjectType: string },
    pageSize: number,
    token: string,
  ): Promise<{ ids: string[]; next: string }> {
    const [type = '', relation] = q.subjectType.trim().split('#');
    const r = await this.post<{ subject_ids: string[]; continuous_token: string }>(`${this.t(tenant)}/permissions/lookup-subject`, {
      entity: entityOf(q.entity),
      permission: q.permission.trim(),
      subject_reference: relation === undefined ? { type } : { type, relation },
      page_size: pageSize,
      continuous_token: token,
    });
    return { ids: r.subject_ids, next: r.continuous_token };
  }

  public async validate(yaml: string): Promise<ValidationAnswer> {
    return await this.post<ValidationAnswer>('/v1/validate', { yaml });
  }

  /** Opens the tenant's change feed (see {@link watch} in feed.ts); the key goes in a header, not the URL. */
  public async openWatch(tenant: string, signal: AbortSignal, lastEventId?: string): Promise<Response> {
    const res = await fetch(`${this.t(tenant)}/watch`, {
      headers: {
        authorization: `Bearer ${this.key}`,
        accept: 'text/event-stream',
        ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
      },
      cache: 'no-store',
      signal,
    });
    if (!res.ok || res.body === null) throw new ApiError(res.status, `HTTP_${String(res.status)}`, `the change feed answered ${String(res.status)}`);
    return res;
  }
}
