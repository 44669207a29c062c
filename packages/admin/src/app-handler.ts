import { resolveRequestSubject, resolveRequestTenant } from '@gatehouse/core/adapter';
import type { HttpAnswer, HttpErrorBody, RequestResolver } from '@gatehouse/core/adapter';
import type { GateRequest, RequestLike, Subject } from '@gatehouse/core';
import { adminErrorAnswer, handleAdminRequest } from './http-handler.js';
import type { AdminPath } from './http-handler.js';
import type { AdminBackend } from './types.js';

/**
 * Options shared by the Express router and the Nest module: `tenant`, `defaultTenant`, `missingTenant` and
 * `subject` mean what they mean for every Gatehouse adapter (`@gatehouse/core/adapter`).
 */
export interface AdminRoutesOptions<TReq = RequestLike> {
  /** The embedded `AdminService` or a `RemoteAdmin`. */
  readonly backend: AdminBackend;
  /**
   * The request's tenant: a resolver or a fixed tenant id. When absent, the tenant of `req.gate` (set by
   * `@gatehouse/express`'s `gatehouse()`); without either, `defaultTenant`.
   */
  readonly tenant?: RequestResolver<TReq> | string;
  /** @defaultValue 't1' */
  readonly defaultTenant?: string;
  /** A request whose resolver finds no tenant: 400 `missing_tenant`, or `defaultTenant`. @defaultValue 'reject' */
  readonly missingTenant?: 'reject' | 'default';
  /**
   * The request's authenticated user (an opaque user id, or a `{ type: 'user', id }` subject): the actor of every
   * call. When absent, the subject of `req.gate`. Never read from the body.
   */
  readonly subject?: (req: TReq) => string | Subject | null | undefined;
}

/** The error body of the app routes: the adapters' `{statusCode, error, message, reason}`, plus the missing permission on a 403. */
export type AdminAppErrorBody = HttpErrorBody & { readonly permission?: string };

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  415: 'Unsupported Media Type',
  503: 'Service Unavailable',
};

const REASONS: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  503: 'unavailable',
};

function answer(status: number, message: string, reason: string, permission?: string): HttpAnswer<AdminAppErrorBody> {
  return { status, body: { statusCode: status, error: TITLES[status] ?? 'Error', message, reason, ...(permission === undefined || permission === '' ? {} : { permission }) } };
}

function userOf(subject: string | Subject): string | undefined {
  if (typeof subject === 'string') return subject.startsWith('user:') ? subject.slice(5) : undefined;
  return subject.type === 'user' && (subject.relation ?? '') === '' ? subject.id : undefined;
}

/** The request's tenant and acting user, or the answer that refuses it (401, 400, 403). @internal */
export function requestParty<TReq extends RequestLike>(options: AdminRoutesOptions<TReq>, req: TReq & GateRequest): { tenant: string; userId: string } | HttpAnswer<AdminAppErrorBody> {
  const gate = req.gate;
  const given = options.subject !== undefined ? options.subject(req) : gate?.subject;
  const subject = resolveRequestSubject(given, { subjectType: 'user' });
  if (typeof subject === 'object' && 'status' in subject) return subject;
  const userId = userOf(subject);
  if (userId === undefined) return answer(403, 'only users manage members: the request’s subject is not a user', 'forbidden');
  const fixed = typeof options.tenant === 'string' ? options.tenant : undefined;
  const resolver = typeof options.tenant === 'function' ? (options.tenant as (r: RequestLike) => string | undefined) : undefined;
  let tenant: string | HttpAnswer;
  if (fixed !== undefined) tenant = fixed;
  else if (resolver === undefined && gate !== undefined) tenant = gate.tenant;
  else tenant = resolveRequestTenant(resolver, req, { defaultTenant: options.defaultTenant ?? 't1', missingTenant: options.missingTenant ?? 'reject' });
  if (typeof tenant !== 'string') return tenant;
  return { tenant, userId };
}

/**
 * Answers one admin request of an app: the actor is the request's subject and the tenant the request's tenant,
 * never the body's. Framework-neutral; the Express router and the Nest controller write the answer.
 * @param options - the backend and how to read the request's tenant and subject.
 * @param path - the operation.
 * @param req - the request (its parsed JSON body in `req.body`).
 * @returns the status and JSON body to send.
 * @throws what the backend throws that is not an admin error (a bug: the framework answers 500).
 */
export async function answerAdminRequest<TReq extends RequestLike>(options: AdminRoutesOptions<TReq>, path: AdminPath, req: TReq & GateRequest): Promise<HttpAnswer<unknown>> {
  // Only JSON: an HTML form of another site can post urlencoded or multipart bodies with the user's cookies (CSRF),
  // and some frameworks (Nest) parse those too; it cannot send application/json without a CORS preflight.
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    return answer(415, 'the admin routes take a JSON body: send "content-type: application/json"', 'unsupported_media_type');
  }
  const party = requestParty(options, req);
  if (!('userId' in party)) return party;
  try {
    const body = await handleAdminRequest(options.backend, path, party.tenant, req.body, { kind: 'app', userId: party.userId });
    return { status: 200, body };
  } catch (err) {
    const a = adminErrorAnswer(err);
    if (a === undefined) throw err;
    return answer(a.status, a.message, REASONS[a.status] ?? 'invalid_request', a.permission);
  }
}
