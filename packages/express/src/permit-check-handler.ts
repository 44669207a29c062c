import {
  InvalidRequestError,
  TENANT_PATTERN,
  type BoundGate,
  type Gatehouse,
  type Resource,
  type SubjectInput,
  type TenantResolver,
} from '@gatehouse/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { policyOf } from './gatehouse-middleware.js';
import { invalidRequest, unauthenticated, type Failure } from './http-failure.js';
import { readJsonBody } from './read-json-body.js';
import { asRequestLike } from './request-like.js';

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
  /** Most checks one bulk request may carry. @defaultValue 1000 */
  readonly maxBulk?: number;
  /** Largest request body read when no body parser ran, in bytes. @defaultValue 1048576 */
  readonly bodyLimit?: number;
}

type Checker = (action: string, resource: Resource) => Promise<boolean>;

/**
 * The backend endpoint `permit-fe-sdk` calls (`backendUrl`), answering for the authenticated subject:
 * - `GET ?user&action&resource` → `{ permitted }` (what `loadLocalState(list)` and `addKeyToState` send);
 * - `POST ?user` with `{ action, resource, resourceAttributes? }` → `{ permitted }`;
 * - `POST ?user` with `{ resourcesAndActions: [{ action, resource, resourceAttributes? }, …] }` →
 *   `{ permittedList }` in request order (what `loadLocalStateBulk` sends); an item that cannot be checked is
 *   `false`.
 *
 * Resources are `"type"` (type-level) or `"type:key"`; `resourceAttributes` become contextual attributes of the
 * resource for that check. The SDK's `?user=` and `userAttributes` are ignored: the subject (and any attributes of
 * it) come from the server side. 401 without a subject, 400 for malformed input, both as JSON
 * `{ error, message, reason }`.
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
  const maxBulk = positive('options.maxBulk', options.maxBulk, 1000);
  const bodyLimit = positive('options.bodyLimit', options.bodyLimit, 1_048_576);

  const bind = (req: Request): BoundGate | Failure | Error => {
    if (client === undefined) {
      if (policyOf(req) === undefined) {
        return new Error('permitCheckHandler() without a client needs the gatehouse() middleware mounted before it');
      }
      return req.gate ?? unauthenticated();
    }
    const fixed = options.tenant;
    const tenant = typeof fixed === 'function' ? fixed(asRequestLike(req)) : fixed;
    if (tenant !== undefined && tenant !== '' && !TENANT_PATTERN.test(tenant)) {
      return invalidRequest(InvalidRequestError.badTenant(tenant));
    }
    const subject = options.subject?.(req);
    if (subject === undefined || subject === null || subject === '') return unauthenticated();
    return tenant === undefined || tenant === '' ? client.bind(client.defaultTenant, subject) : client.bind(tenant, subject);
  };

  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.status(405).set('Allow', 'GET, POST').json({ error: 'method_not_allowed', message: `${req.method} is not supported: use GET or POST`, reason: 'invalid_request' });
      return;
    }
    try {
      const bound = bind(req);
      if (bound instanceof Error) {
        next(bound);
        return;
      }
      if ('status' in bound) {
        res.status(bound.status).json(bound.body);
        return;
      }
      const checker: Checker = async (action, resource) => (await bound.check(action, resource)).allowed;
      if (req.method === 'GET') {
        const { action, resource } = req.query;
        res.json({ permitted: await checker(text('action', action), toResource(resource, undefined)) });
        return;
      }
      const body = await readJsonBody(req, bodyLimit);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw InvalidRequestError.badValue('request body', body, 'a JSON object { action, resource } or { resourcesAndActions: [...] }');
      }
      const fields = body as Record<string, unknown>;
      if ('resourcesAndActions' in fields) {
        res.json({ permittedList: await bulk(checker, fields.resourcesAndActions, maxBulk) });
        return;
      }
      const action = text('action', fields.action);
      res.json({ permitted: await checker(action, toResource(fields.resource, fields.resourceAttributes)) });
    } catch (err: unknown) {
      if (err instanceof InvalidRequestError) res.status(400).json(invalidRequest(err).body);
      else next(err);
    }
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    handle(req, res, next).catch(next);
  };
}

async function bulk(checker: Checker, items: unknown, maxBulk: number): Promise<boolean[]> {
  if (!Array.isArray(items)) {
    throw InvalidRequestError.badValue('resourcesAndActions', items, 'an array of { action, resource, resourceAttributes? }');
  }
  if (items.length > maxBulk) {
    throw InvalidRequestError.badValue('resourcesAndActions', `${String(items.length)} items`, `at most ${String(maxBulk)} items`);
  }
  // One malformed item must not cost the others their answers (the SDK rejects the whole load on an error).
  return await Promise.all(
    items.map(async (item: unknown) => {
      try {
        if (typeof item !== 'object' || item === null) return false;
        const { action, resource, resourceAttributes } = item as Record<string, unknown>;
        return await checker(text('action', action), toResource(resource, resourceAttributes));
      } catch (err: unknown) {
        if (err instanceof InvalidRequestError) return false;
        throw err;
      }
    }),
  );
}

function text(what: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw InvalidRequestError.badValue(what, value, 'a non-empty string');
  return value;
}

/** `"type"` or `"type:key"` (split at the first `:`, as the SDK joins them) plus contextual attributes. */
function toResource(value: unknown, attributes: unknown): Resource {
  const resource = text('resource', value);
  const colon = resource.indexOf(':');
  const type = colon === -1 ? resource : resource.slice(0, colon);
  const id = colon === -1 ? undefined : resource.slice(colon + 1);
  const attrs = resourceAttributes(attributes);
  if (id === undefined) return attrs === undefined ? { type } : { type, attributes: attrs };
  return attrs === undefined ? { type, id } : { type, id, attributes: attrs };
}

function resourceAttributes(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw InvalidRequestError.badValue('resourceAttributes', value, 'an object of attribute values');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  for (const [key, v] of entries) {
    if (!isAttributeValue(v)) {
      throw InvalidRequestError.badValue(`resourceAttributes.${key}`, v, 'a boolean, string, number or an array of one of them');
    }
  }
  return Object.fromEntries(entries);
}

function isAttributeValue(v: unknown): boolean {
  const scalar = (x: unknown): boolean => typeof x === 'boolean' || typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
  return scalar(v) || (Array.isArray(v) && v.every(scalar));
}

function positive(what: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw InvalidRequestError.badValue(what, value, 'a positive integer');
  return value;
}
