import {
  InvalidRequestError,
  TENANT_PATTERN,
  type BoundGate,
  type Gatehouse,
  type SubjectInput,
  type TenantResolver,
} from '@gatehouse/core';
import {
  handlePermitCheck,
  httpAnswer,
  PERMIT_CHECK_MAX_BULK,
  RequestGate,
  resolveRequestTenant,
  unauthenticatedAnswer,
  type HttpAnswer,
} from '@gatehouse/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { policyFor } from './gatehouse-middleware.js';
import { gateOf } from './request-gate-slot.js';
import { send } from './http-failure.js';
import { readJsonBody } from './read-json-body.js';

/** Options of {@link permitCheckHandler}. */
export interface PermitCheckHandlerOptions {
  /**
   * The client to check with. Without it, the handler uses `req.gate` (mount `gatehouse()` first) and its
   * tenant and subject.
   */
  readonly client?: Gatehouse;
  /** Same as `client` (the name core's docs use for a client instance). */
  readonly gate?: Gatehouse;
  /** With `client`: the request's tenant, a resolver or a fixed id. @defaultValue the client's default tenant */
  readonly tenant?: TenantResolver | string;
  /**
   * With `client`: the authenticated subject of the request. The `?user=` parameter the SDK sends is never used:
   * the browser says who it claims to be, the server decides who it is.
   */
  readonly subject?: (req: Request) => SubjectInput | null | undefined;
  /** Most checks one bulk request may carry (the client's batch size). @defaultValue 100 */
  readonly maxBulk?: number;
  /** Largest request body read when no body parser ran, in bytes. @defaultValue 1048576 */
  readonly bodyLimit?: number;
}

/**
 * The backend endpoint `permit-fe-sdk` calls (`backendUrl`), answering for the authenticated subject with core's
 * `handlePermitCheck`:
 * - `GET ?user&action&resource` → `{ permitted }` (what `loadLocalState(list)` and `addKeyToState` send);
 * - `POST ?user` with `{ action, resource, resourceAttributes? }` → `{ permitted }`;
 * - `POST ?user` with `{ resourcesAndActions: [{ action, resource, resourceAttributes? }, …] }` →
 *   `{ permittedList }` in request order (what `loadLocalStateBulk` sends); an item that cannot be checked is
 *   `false`, at most `maxBulk` (100) items.
 *
 * Resources are `"type"` (type-level) or `"type:key"`; `resourceAttributes` become contextual attributes of the
 * resource for that check. The SDK's `?user=` and `userAttributes` are ignored: the subject (and any attributes of
 * it) come from the server side. 401 without a subject, 400 for a malformed envelope, 405 for other methods, as
 * JSON `{ error, message, reason }` (`error` the HTTP title).
 *
 * @param options - the client (or `req.gate`), tenant and subject.
 * @returns an Express handler; mount it with `app.all(path, …)` (it answers GET and POST).
 * @throws {@link InvalidRequestError} when an option is malformed.
 * @example
 * ```ts
 * app.use(gatehouse({ pdp, tenant: fromHeader('x-tenant-id'), subject: (req) => req.get('x-user') }));
 * app.all('/api/permit-check', permitCheckHandler());
 * // browser: Permit({ loggedInUser: 'alice', backendUrl: '/api/permit-check' }).loadLocalStateBulk([...])
 * ```
 */
export function permitCheckHandler(options: PermitCheckHandlerOptions = {}): RequestHandler {
  const client = options.client ?? options.gate;
  if (client === undefined && (options.tenant !== undefined || options.subject !== undefined)) {
    throw InvalidRequestError.badValue('permitCheckHandler() options', 'tenant/subject', 'options.client with them (without a client, req.gate supplies both)');
  }
  if (client !== undefined && typeof options.subject !== 'function') {
    throw InvalidRequestError.badValue('options.subject', options.subject, 'a function (req) => subject | undefined');
  }
  if (typeof options.tenant === 'string' && !TENANT_PATTERN.test(options.tenant)) {
    throw InvalidRequestError.badTenant(options.tenant);
  }
  const maxBulk = positive('options.maxBulk', options.maxBulk, PERMIT_CHECK_MAX_BULK);
  const bodyLimit = positive('options.bodyLimit', options.bodyLimit, 1_048_576);

  const fixed = options.tenant;
  const tenantOf: TenantResolver = typeof fixed === 'function' ? fixed : () => fixed;
  const bind = (req: Request): BoundGate | HttpAnswer | Error => {
    if (client === undefined) {
      const gate = gateOf(req);
      if (policyFor(req, gate) === undefined) {
        return new Error('permitCheckHandler() without a client needs the gatehouse() middleware mounted before it');
      }
      return gate ?? unauthenticatedAnswer();
    }
    const tenant = resolveRequestTenant(tenantOf, req, { defaultTenant: client.defaultTenant });
    if (typeof tenant !== 'string') return tenant;
    const subject = options.subject?.(req);
    if (subject === undefined || subject === null || subject === '') return unauthenticatedAnswer();
    return new RequestGate(client, tenant, subject);
  };

  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const bound = bind(req);
    if (bound instanceof Error) {
      next(bound);
      return;
    }
    if ('status' in bound) {
      send(bound, res);
      return;
    }
    let body: unknown;
    try {
      body = req.method === 'POST' ? await readJsonBody(req, bodyLimit) : undefined;
    } catch (err: unknown) {
      if (!(err instanceof InvalidRequestError)) throw err;
      send(httpAnswer(400, err.message, 'invalid_request'), res);
      return;
    }
    send(await handlePermitCheck(bound, { method: req.method, query: req.query, body }, { maxBulk }), res);
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    handle(req, res, next).catch(next);
  };
}

function positive(what: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw InvalidRequestError.badValue(what, value, 'a positive integer');
  return value;
}
