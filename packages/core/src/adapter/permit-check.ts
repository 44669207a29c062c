import type { BoundGate } from '../client-types.js';
import { InvalidRequestError } from '../errors.js';
import type { Resource } from '../types.js';
import { httpAnswer } from './http-answer.js';
import type { HttpAnswer, HttpErrorBody } from './http-answer.js';

/** The most checks one bulk request may carry: the client's batch size (docs/architecture.md#the-client). */
export const PERMIT_CHECK_MAX_BULK = 100;

/** What the handler reads of an HTTP request. */
export interface PermitCheckRequest {
  /** `GET` or `POST`; anything else is a 405. */
  readonly method: string;
  /** The parsed query string (`GET ?action&resource`). */
  readonly query?: Readonly<Record<string, unknown>>;
  /** The parsed JSON body (`POST`). */
  readonly body?: unknown;
}

/** What the handler answers: `{ permitted }`, `{ permittedList }`, or an error body. */
export type PermitCheckBody = { readonly permitted: boolean } | { readonly permittedList: boolean[] } | HttpErrorBody;

/** Options of {@link handlePermitCheck}. */
export interface PermitCheckOptions {
  /**
   * Most items one bulk request may carry; more is a 400.
   * @defaultValue 100 ({@link PERMIT_CHECK_MAX_BULK})
   */
  readonly maxBulk?: number;
}

/**
 * The permit-fe-sdk backend contract (protocols/permit.md §8), framework-neutral, answering for the request's
 * bound subject and tenant (`gate`), never for the `?user=` the SDK sends:
 * - `GET ?action&resource` → `200 { permitted }`;
 * - `POST { action, resource, resourceAttributes? }` → `200 { permitted }`;
 * - `POST { resourcesAndActions: [...] }` → `200 { permittedList }` in request order. An item that cannot be
 *   checked (not an object, no action, a malformed resource or attributes) is `false`: the SDK discards a whole
 *   bulk load on any error, so one bad item must not cost the others their answers.
 *
 * 400 `{ error: 'Bad Request', message, reason: 'invalid_request' }` only for a malformed envelope: a body that
 * is not an object, `resourcesAndActions` that is not an array or has more than `maxBulk` items, a single check
 * without a valid action and resource. 405 for other methods. Resources are `"type"` or `"type:key"` (split at
 * the first `:`); `resourceAttributes` are contextual attributes of that check only; `userAttributes` are
 * ignored (the browser cannot vouch for its user).
 *
 * @param gate - the request's bound gate (`req.gate`).
 * @param request - method, parsed query and parsed body.
 * @param options - `maxBulk`.
 * @returns `{ status, body }` for the adapter to write.
 * @throws what the client throws other than {@link InvalidRequestError} (PDP errors with `throwOnError`).
 * @example
 * ```ts
 * const { status, body } = await handlePermitCheck(req.gate, { method: req.method, query: req.query, body: req.body });
 * res.status(status).json(body);
 * ```
 */
export async function handlePermitCheck(
  gate: BoundGate,
  request: PermitCheckRequest,
  options: PermitCheckOptions = {},
): Promise<HttpAnswer<PermitCheckBody>> {
  const maxBulk = options.maxBulk ?? PERMIT_CHECK_MAX_BULK;
  try {
    if (request.method === 'GET') {
      const query = request.query ?? {};
      return ok({ permitted: await permitted(gate, query.action, query.resource, undefined) });
    }
    if (request.method !== 'POST') {
      const answer = httpAnswer(405, `${request.method} is not supported: use GET or POST`, 'invalid_request');
      return { ...answer, headers: { Allow: 'GET, POST' } };
    }
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw InvalidRequestError.badValue('request body', body, 'a JSON object { action, resource } or { resourcesAndActions: [...] }');
    }
    const fields = body as Record<string, unknown>;
    if (!('resourcesAndActions' in fields)) {
      return ok({ permitted: await permitted(gate, fields.action, fields.resource, fields.resourceAttributes) });
    }
    const items = fields.resourcesAndActions;
    if (!Array.isArray(items) || items.length > maxBulk) {
      throw InvalidRequestError.badValue(
        'resourcesAndActions',
        Array.isArray(items) ? `${String(items.length)} items` : items,
        `an array of at most ${String(maxBulk)} { action, resource, resourceAttributes? }`,
      );
    }
    return ok({ permittedList: await Promise.all(items.map(async (item: unknown) => await bulkItem(gate, item))) });
  } catch (err: unknown) {
    if (err instanceof InvalidRequestError) return httpAnswer(400, err.message, 'invalid_request');
    throw err;
  }
}

function ok<TBody extends PermitCheckBody>(body: TBody): HttpAnswer<TBody> {
  return { status: 200, body };
}

async function bulkItem(gate: BoundGate, item: unknown): Promise<boolean> {
  if (typeof item !== 'object' || item === null) return false;
  const { action, resource, resourceAttributes } = item as Record<string, unknown>;
  try {
    return await permitted(gate, action, resource, resourceAttributes);
  } catch (err: unknown) {
    if (err instanceof InvalidRequestError) return false;
    throw err;
  }
}

async function permitted(gate: BoundGate, action: unknown, resource: unknown, attributes: unknown): Promise<boolean> {
  const decision = await gate.check(text('action', action), toResource(resource, attributes));
  return decision.allowed;
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
  const attrs = resourceAttributes(attributes);
  const base: Resource = colon === -1 ? { type } : { type, id: resource.slice(colon + 1) };
  return attrs === undefined ? base : { ...base, attributes: attrs };
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
