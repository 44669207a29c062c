import { ConflictError, InvalidRequestError, NotFoundError, PdpProtocolError, PdpUnavailableError } from '@gatehouse/core';
import { AdminForbiddenError, InvitationGoneError } from '../errors.js';
import type { AdminActor, AdminBackend, AdminCall, AuditEntry, AuditFilter, Invitation, Member, Page, PageRequest, RolesView } from '../types.js';
import { tenantId } from '../validate.js';
import { auditFromWire, invitationFromWire, memberFromWire, rolesFromWire } from '../wire.js';
import type { WireAuditEntry, WireInvitation, WireMember, WireRoles } from '../wire.js';

/** Options of {@link RemoteAdmin}. */
export interface RemoteAdminOptions {
  /** The PDP server's base URL, e.g. `http://127.0.0.1:7766`. */
  readonly url: string;
  /** Its API key (sent as `Authorization: Bearer …`). */
  readonly apiKey?: string;
  /** Deadline of each call. @defaultValue 5000 */
  readonly timeoutMs?: number;
  /** The `fetch` to use. @defaultValue globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The fields an answer must have, and their kinds. */
type Shape = Readonly<Record<string, 'array' | 'object' | 'string'>>;
const SNAP: Shape = { snap_token: 'string' };

interface ErrorBody {
  message?: unknown;
  details?: { reason?: unknown; permission?: unknown }[];
}

function actorField(actor: AdminActor): { actor?: string } {
  return 'userId' in actor ? { actor: actor.userId } : {};
}

function pageFields(p: PageRequest): Record<string, unknown> {
  return { ...(p.pageSize === undefined ? {} : { page_size: p.pageSize }), ...(p.continuousToken === undefined ? {} : { continuous_token: p.continuousToken }) };
}

/**
 * The admin operations over a remote PDP server (`POST /v1/tenants/{t}/members/…`): what an app that uses a remote
 * PDP gives the Express router or the Nest module. Loads no engine. Errors come back as the same typed errors the
 * embedded service throws (403 {@link AdminForbiddenError}, 404 `NotFoundError`, 409 `ConflictError`, 410
 * {@link InvitationGoneError}, 400 `InvalidRequestError`; `PdpUnavailableError` when the server cannot be reached).
 * A `{ trusted }` actor is sent without `actor`: the call then acts as the API key.
 * @example
 * ```ts
 * const backend = new RemoteAdmin({ url: 'http://127.0.0.1:7766', apiKey: process.env.GATEHOUSE_API_KEY });
 * app.use('/admin', adminRouter({ backend }));
 * ```
 */
export class RemoteAdmin implements AdminBackend {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  public constructor(options: RemoteAdminOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw InvalidRequestError.badValue('options.url', options.url, 'an http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw InvalidRequestError.badValue('options.url', options.url, 'an http(s) URL');
    this.base = url.href.replace(/\/+$/, '');
    this.headers = { 'content-type': 'application/json', ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }) };
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  public async listRoles(call: AdminCall): Promise<RolesView> {
    return rolesFromWire(await this.post<WireRoles>(call.tenant, 'roles/list', actorField(call.actor), { roles: 'array', permissions: 'object' }));
  }

  public async listMembers(call: AdminCall & PageRequest & { readonly query?: string }): Promise<Page<Member>> {
    const r = await this.post<{ members: WireMember[]; continuous_token: string }>(call.tenant, 'members/list', {
      ...actorField(call.actor),
      ...pageFields(call),
      ...(call.query === undefined ? {} : { query: call.query }),
    }, { members: 'array', continuous_token: 'string' });
    return { items: r.members.map(memberFromWire), continuousToken: r.continuous_token };
  }

  public async invite(call: AdminCall & { readonly email: string; readonly name?: string; readonly roles: readonly string[] }): Promise<{ invitation: Invitation; token: string }> {
    const r = await this.post<{ invitation: WireInvitation; token: string }>(call.tenant, 'members/invite', {
      ...actorField(call.actor),
      email: call.email,
      roles: call.roles,
      ...(call.name === undefined ? {} : { name: call.name }),
    }, { invitation: 'object', token: 'string' });
    return { invitation: invitationFromWire(r.invitation), token: r.token };
  }

  public async acceptInvitation(call: { readonly tenant: string; readonly token: string; readonly userId: string }): Promise<Member> {
    const r = await this.post<{ member: WireMember }>(call.tenant, 'invitations/accept', { token: call.token, user_id: call.userId }, { member: 'object' });
    return memberFromWire(r.member);
  }

  public async listInvitations(call: AdminCall & PageRequest): Promise<Page<Invitation>> {
    const r = await this.post<{ invitations: WireInvitation[]; continuous_token: string }>(call.tenant, 'invitations/list', { ...actorField(call.actor), ...pageFields(call) }, { invitations: 'array', continuous_token: 'string' });
    return { items: r.invitations.map(invitationFromWire), continuousToken: r.continuous_token };
  }

  public async revokeInvitation(call: AdminCall & { readonly invitationId: string }): Promise<Invitation> {
    const r = await this.post<{ invitation: WireInvitation }>(call.tenant, 'invitations/revoke', { ...actorField(call.actor), invitation_id: call.invitationId }, { invitation: 'object' });
    return invitationFromWire(r.invitation);
  }

  public async assignRole(call: AdminCall & { readonly userId: string; readonly role: string }): Promise<{ snapToken: string }> {
    const r = await this.post<{ snap_token: string }>(call.tenant, 'members/roles/assign', { ...actorField(call.actor), user_id: call.userId, role: call.role }, SNAP);
    return { snapToken: r.snap_token };
  }

  public async revokeRole(call: AdminCall & { readonly userId: string; readonly role: string }): Promise<{ snapToken: string }> {
    const r = await this.post<{ snap_token: string }>(call.tenant, 'members/roles/revoke', { ...actorField(call.actor), user_id: call.userId, role: call.role }, SNAP);
    return { snapToken: r.snap_token };
  }

  public async removeMember(call: AdminCall & { readonly userId: string }): Promise<{ snapToken: string }> {
    const r = await this.post<{ snap_token: string }>(call.tenant, 'members/remove', { ...actorField(call.actor), user_id: call.userId }, SNAP);
    return { snapToken: r.snap_token };
  }

  public async listAudit(call: AdminCall & PageRequest & { readonly filter?: AuditFilter }): Promise<Page<AuditEntry>> {
    const r = await this.post<{ entries: WireAuditEntry[]; continuous_token: string }>(call.tenant, 'audit/list', {
      ...actorField(call.actor),
      ...pageFields(call),
      ...(call.filter === undefined ? {} : { filter: call.filter }),
    }, { entries: 'array', continuous_token: 'string' });
    return { items: r.entries.map(auditFromWire), continuousToken: r.continuous_token };
  }

  private async post<T>(tenant: string, path: string, body: Record<string, unknown>, shape: Shape): Promise<T> {
    const t = tenantId(tenant);
    const url = `${this.base}/v1/tenants/${encodeURIComponent(t)}/${path}`;
    let res: Response;
    try {
      res = await this.fetchFn(url, { method: 'POST', headers: this.headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new PdpUnavailableError(`admin call ${path} to ${this.base} failed: ${(err as Error).message}`, { cause: err, tenant: t });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch (err) {
      throw new PdpProtocolError(`admin call ${path}: the answer is not JSON (HTTP ${String(res.status)})`, { cause: err, tenant: t, status: res.status });
    }
    if (res.ok) {
      const answer = parsed as Record<string, unknown> | null;
      const wrong = Object.entries(shape).find(([key, kind]) => {
        const v = answer?.[key];
        return kind === 'array' ? !Array.isArray(v) : kind === 'object' ? typeof v !== 'object' || v === null : typeof v !== 'string';
      });
      if (typeof answer !== 'object' || answer === null || wrong !== undefined) {
        throw new PdpProtocolError(`admin call ${path}: the answer lacks ${wrong === undefined ? 'a JSON object' : `"${wrong[0]}" (${wrong[1]})`}`, { tenant: t, status: res.status });
      }
      return answer as T;
    }
    throw errorOf(res.status, parsed as ErrorBody, t, path);
  }
}

function errorOf(status: number, body: ErrorBody, tenant: string, path: string): Error {
  const message = typeof body.message === 'string' ? body.message : `admin call ${path} failed with HTTP ${String(status)}`;
  const detail = Array.isArray(body.details) ? body.details[0] : undefined;
  switch (status) {
    case 400:
      return new InvalidRequestError(message, { tenant });
    case 403:
      return new AdminForbiddenError(typeof detail?.permission === 'string' ? detail.permission : '', message, { tenant });
    case 404:
      return new NotFoundError(message, { tenant });
    case 409:
      return new ConflictError(message, { tenant });
    case 410:
      return new InvitationGoneError(message.includes('used') ? 'accepted' : message.includes('revoked') ? 'revoked' : 'expired', { tenant });
    default:
      if (status === 401) return new PdpProtocolError(`admin call ${path}: the PDP refused the API key (${message})`, { tenant, status });
      if (status >= 500 || status === 429) return new PdpUnavailableError(`admin call ${path}: HTTP ${String(status)}: ${message}`, { tenant });
      return new PdpProtocolError(`admin call ${path}: unexpected HTTP ${String(status)}: ${message}`, { tenant, status });
  }
}
