/**
 * The browser client of the app's admin routes: one POST per operation, JSON in and out, the app's own
 * cookies or headers through `fetchInit`. It never names the actor or the tenant; the app's request does.
 */
import { readAuditEntry, readInvitation, readMember, readPage, readRoles, readSnapToken } from './wire.js';
import type { AuditEntry, AuditFilter, Invitation, InviteResult, Member, Page, RolesAnswer } from './types.js';

/** Options of {@link AdminClient}. */
export interface AdminClientOptions {
  /** Where the app mounted its admin routes, e.g. `/api/admin` or `https://app.example/admin`. */
  readonly baseUrl: string;
  /**
   * Merged into every request: extra `headers` (an app's CSRF or bearer header), `credentials`
   * (default `same-origin`), `mode`..., or a function answering them, read for each request. The method, body
   * and `content-type` are always the client's.
   */
  readonly fetchInit?: RequestInit | (() => RequestInit | undefined) | undefined;
  /** The fetch to use. @defaultValue `globalThis.fetch` */
  readonly fetch?: typeof fetch | undefined;
}

/** A refused or failed admin request: the HTTP status, the server's error code and message. */
export class AdminRequestError extends Error {
  override readonly name = 'AdminRequestError';
  /** HTTP status; 0 when the request did not reach the server. */
  readonly status: number;
  /** The server's error code, e.g. `GH_ERR_FORBIDDEN`, when it gave one. */
  readonly code: string | undefined;

  constructor(status: number, message: string, code?: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Options of a page request. */
export interface PageOptions {
  readonly pageSize?: number | undefined;
  readonly continuousToken?: string | undefined;
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

function errorOf(status: number, body: unknown, fallback: string): AdminRequestError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const message = typeof record.message === 'string' && record.message !== '' ? record.message : fallback;
  const code = typeof record.code === 'string' ? record.code : typeof record.error === 'string' ? record.error : undefined;
  return new AdminRequestError(status, message, code);
}

function pageFields(options: PageOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.pageSize !== undefined) body.page_size = options.pageSize;
  if (options.continuousToken !== undefined && options.continuousToken !== '') body.continuous_token = options.continuousToken;
  return body;
}

/** Calls the app's admin routes (`members/list`, `members/invite`, `roles/list`, `audit/list`...). */
export class AdminClient {
  readonly baseUrl: string;
  readonly #init: () => RequestInit;
  readonly #fetch: typeof fetch;

  constructor(options: AdminClientOptions) {
    if (typeof options.baseUrl !== 'string') throw new TypeError('AdminClient: baseUrl must be a string');
    this.baseUrl = trimSlash(options.baseUrl);
    const init = options.fetchInit;
    this.#init = typeof init === 'function' ? () => init() ?? {} : () => init ?? {};
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('AdminClient: no fetch available');
    // Called as a plain function: the browser's fetch throws "Illegal invocation" when `this` is not the window.
    this.#fetch = async (input, init) => await f(input, init);
  }

  /** POSTs `body` to `<baseUrl>/<path>` and answers the parsed JSON; a non-2xx answer throws {@link AdminRequestError}. */
  async call(path: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const base = this.#init();
    const headers = new Headers(base.headers);
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json');
    const init: RequestInit = { credentials: 'same-origin', ...base, method: 'POST', headers, body: JSON.stringify(body) };
    if (signal !== undefined) init.signal = signal;
    let response: Response;
    try {
      response = await this.#fetch(`${this.baseUrl}/${path}`, init);
    } catch (err) {
      if (signal?.aborted === true) throw err;
      throw new AdminRequestError(0, `the admin service could not be reached (${(err as Error).message})`);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) throw errorOf(response.status, parsed, `${path} failed with HTTP ${String(response.status)}`);
    if (parsed === undefined) throw new AdminRequestError(response.status, `${path} answered no JSON`);
    return parsed;
  }

  /** `members/list`: a page of members (active ones first, then pending invitations), optionally those matching `query` (name, email or id). */
  async listMembers(options: PageOptions & { readonly query?: string | undefined } = {}, signal?: AbortSignal): Promise<Page<Member>> {
    const body = pageFields(options);
    if (options.query !== undefined && options.query !== '') body.query = options.query;
    return readPage(await this.call('members/list', body, signal), 'members', readMember);
  }

  /** `roles/list`: the tenant's roles, each with whether the viewer may assign it, and what else the viewer may do. */
  async listRoles(signal?: AbortSignal): Promise<RolesAnswer> {
    return readRoles(await this.call('roles/list', {}, signal));
  }

  /** `members/invite`: invites `email` with `roles`; the token is in the answer when the app's route returns it. */
  async invite(input: { readonly email: string; readonly name?: string | undefined; readonly roles: readonly string[] }): Promise<InviteResult> {
    const body: Record<string, unknown> = { email: input.email, roles: [...input.roles] };
    if (input.name !== undefined && input.name !== '') body.name = input.name;
    const answer = (await this.call('members/invite', body)) as Record<string, unknown>;
    const invitation = readInvitation(answer.invitation);
    if (invitation === undefined) throw new AdminRequestError(200, 'members/invite answered no invitation');
    return { invitation, token: typeof answer.token === 'string' ? answer.token : undefined };
  }

  /** `invitations/list`: a page of the tenant's invitations. */
  async listInvitations(options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Invitation>> {
    return readPage(await this.call('invitations/list', pageFields(options), signal), 'invitations', readInvitation);
  }

  /** `invitations/revoke`: the invitation can no longer be accepted. */
  async revokeInvitation(id: string): Promise<void> {
    await this.call('invitations/revoke', { invitation_id: id });
  }

  /** `invitations/accept`: binds the invitation to the app's signed-in user and answers the new member. */
  async acceptInvitation(token: string): Promise<Member | undefined> {
    const answer = (await this.call('invitations/accept', { token })) as Record<string, unknown>;
    return readMember(answer.member);
  }

  /** `members/roles/assign`: grants `role` to `userId`; answers the snap token of the write. */
  async assignRole(userId: string, role: string): Promise<string | undefined> {
    return readSnapToken(await this.call('members/roles/assign', { user_id: userId, role }));
  }

  /** `members/roles/revoke`: takes `role` from `userId`; answers the snap token of the write. */
  async revokeRole(userId: string, role: string): Promise<string | undefined> {
    return readSnapToken(await this.call('members/roles/revoke', { user_id: userId, role }));
  }

  /** `members/remove`: takes every role of `userId` in the tenant. */
  async removeMember(userId: string): Promise<string | undefined> {
    return readSnapToken(await this.call('members/remove', { user_id: userId }));
  }

  /** `audit/list`: a page of the audit trail, oldest first (commit order), filtered. The token resumes after the page; an empty page means caught up. */
  async listAudit(options: PageOptions & { readonly filter?: AuditFilter | undefined } = {}, signal?: AbortSignal): Promise<Page<AuditEntry>> {
    const body = pageFields(options);
    if (options.filter !== undefined && Object.keys(options.filter).length > 0) body.filter = { ...options.filter };
    return readPage(await this.call('audit/list', body, signal), 'entries', readAuditEntry);
  }
}
