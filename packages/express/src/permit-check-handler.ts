import { InvalidRequestError, type BoundGate } from '@gatehouse/core';
import {
  adapterConfig,
  handlePermitCheck,
  httpAnswer,
  PERMIT_CHECK_MAX_BULK,
  positiveOption,
  type AdapterOptions,
  type HttpAnswer,
  type PermitCheckOptions,
} from '@gatehouse/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DEFAULT_POLICY, fail, send } from './http-failure.js';
import { readJsonBody } from './read-json-body.js';
import { bind, expressAdapter, mountedBinding, PolicyGate, Refusal, type ExpressAdapter } from './request-binding.js';

/**
 * Options of {@link permitCheckHandler}: `maxBulk` and `bodyLimit`; and, to bind requests without a mounted
 * `gatehouse()`, the adapter options (`pdp` or `client`, `subject`, `tenant`, … — the same as `gatehouse()`'s).
 */
export type PermitCheckHandlerOptions = PermitCheckOptions & {
  /** Largest request body read when no body parser ran, in bytes. @defaultValue 1048576 */
  readonly bodyLimit?: number;
} & (Partial<Record<keyof AdapterOptions, undefined>> | AdapterOptions<Request>);

const OWN_KEYS = ['maxBulk', 'bodyLimit'];

/**
 * The backend endpoint `permit-fe-sdk` calls (`backendUrl`), answering for the authenticated subject with core's
 * `handlePermitCheck`:
 * - `GET ?user&action&resource` → `{ permitted }` (what `loadLocalState(list)` and `addKeyToState` send);
 * - `POST ?user` with `{ action, resource, resourceAttributes? }` → `{ permitted }`;
 * - `POST ?user` with `{ resourcesAndActions: [{ action, resource, resourceAttributes? }, …] }` →
 *   `{ permittedList }` in request order (what `loadLocalStateBulk` sends); an item that cannot be checked is
 *   `false`, at most `maxBulk` (100) items.
 *
 * The subject is the request's (the adapter's `subject` resolver, an opaque id): the SDK's `?user=` and
 * `userAttributes` are ignored. Answers follow docs/adapters.md (401 anonymous, 400 bad subject / tenant /
 * envelope, 405 other methods), JSON `{ statusCode, error, message, reason }`. `@gatehouse/nestjs` exports a
 * `permitCheckHandler(options)` of the same shape (a controller there).
 *
 * @param options - `maxBulk`, `bodyLimit`; adapter options to bind requests itself (else `req.gate` of a mounted
 *   `gatehouse()` is used).
 * @returns an Express handler; mount it with `app.all(path, …)` (it answers GET and POST).
 * @throws {@link InvalidRequestError} when an option is malformed or unknown.
 * @example
 * ```ts
 * app.use(gatehouse({ pdp, tenant: fromHeader('x-tenant-id'), subject: (req) => req.get('x-user') }));
 * app.all('/api/permit-check', permitCheckHandler());
 * // browser: Permit({ loggedInUser: 'alice', backendUrl: '/api/permit-check' }).loadLocalStateBulk([...])
 * ```
 */
export function permitCheckHandler(options: PermitCheckHandlerOptions = {}): RequestHandler {
  const given: unknown = options;
  if (typeof given !== 'object' || given === null) {
    throw InvalidRequestError.badValue('permitCheckHandler() options', given, 'an object');
  }
  const raw = options as Record<string, unknown>;
  const own = Object.keys(raw).some((key) => !OWN_KEYS.includes(key) && raw[key] !== undefined);
  const adapter: ExpressAdapter | undefined = own
    ? expressAdapter(adapterConfig<Request>(options as AdapterOptions<Request>, 'permitCheckHandler()', OWN_KEYS), false)
    : undefined;
  const maxBulk = positiveOption('permitCheckHandler()', 'maxBulk', raw.maxBulk, PERMIT_CHECK_MAX_BULK);
  const bodyLimit = positiveOption('permitCheckHandler()', 'bodyLimit', raw.bodyLimit, 1_048_576);

  /** The request's gate, or the answer (or error) that ends the request. */
  const gateOf = (req: Request, res: Response): BoundGate | Refusal | Error => {
    if (adapter !== undefined) {
      const bound = bind(adapter, req, res);
      return bound instanceof PolicyGate ? bound : new Refusal(bound, adapter);
    }
    return mountedBinding(req) ?? new Error('permitCheckHandler() without adapter options needs app.use(gatehouse(...)) mounted before it');
  };

  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const gate = gateOf(req, res);
    if (gate instanceof Error) {
      next(gate);
      return;
    }
    if (gate instanceof Refusal) {
      fail(gate.answer, res, next, gate.adapter.config);
      return;
    }
    const policy = gate instanceof PolicyGate ? gate.adapter.config : DEFAULT_POLICY;
    let body: unknown;
    try {
      body = req.method === 'POST' ? await readJsonBody(req, bodyLimit) : undefined;
    } catch (err: unknown) {
      if (!(err instanceof InvalidRequestError)) throw err;
      fail(httpAnswer(400, err.message, 'invalid_request'), res, next, policy, err);
      return;
    }
    const answer = await handlePermitCheck(gate, { method: req.method, query: req.query, body }, { maxBulk });
    if (answer.status === 200 || answer.status === 405) send(answer, res);
    else fail(answer as HttpAnswer, res, next, policy);
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    handle(req, res, next).catch(next);
  };
}
