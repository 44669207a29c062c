import { InvalidRequestError, type BoundGate, type Gatehouse } from '@gatehouse/core';
import { adapterConfig, type AdapterOptions } from '@gatehouse/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { combined, single, type AuthorizeCheck, type ResourceSpec } from './authorize.js';
import { bind, expressAdapter, type ExpressAdapter } from './request-binding.js';

declare global {
  // Declaration merging is how Express types its request extensions; a namespace is the only way in.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The request's client, bound to its tenant and subject; set by `gatehouse()` (or a bound
       * `gate.authorize()`). `undefined` when the request has no valid subject or tenant: `authorize()` then
       * answers 401 or 400.
       */
      gate?: BoundGate | undefined;
    }
  }
}

/**
 * Options of {@link gatehouse}: core's one adapter options type (`@gatehouse/core/adapter`, the same names in
 * every adapter; docs/adapters.md), with Express's request, plus `shareRequestShape`.
 */
export type GatehouseMiddlewareOptions = AdapterOptions<Request> & {
  /**
   * Opt-in V8 tuning, NOT a Gatehouse feature: switches each request and response this middleware sees to V8
   * dictionary properties (two symbol properties added and deleted again), which on Express 5 / node 20 makes
   * property reads in later middleware hit V8's inline caches (Express gives each request a hidden class of its
   * own). It changes how V8 represents Express's objects for every later middleware; nothing a program can observe
   * changes. Measure before turning it on (bench/RESULTS.md).
   * @defaultValue false
   */
  readonly shareRequestShape?: boolean;
};

/** `authorize()` bound to one `gatehouse()` instance; binds the request itself when that instance did not. */
export interface BoundAuthorize {
  (action: string, resource: ResourceSpec): RequestHandler;
  /** Lets the request through when ANY of the checks is allowed (see `authorize.any`). */
  any(...checks: AuthorizeCheck[]): RequestHandler;
  /** Lets the request through when ALL of the checks are allowed (see `authorize.all`). */
  all(...checks: AuthorizeCheck[]): RequestHandler;
}

/** The middleware returned by {@link gatehouse}, with the client it checks through and a bound `authorize`. */
export type GatehouseMiddleware = RequestHandler & {
  /** The `Gatehouse` client behind `req.gate` (built from `pdp`, or the one given). */
  readonly client: Gatehouse;
  /**
   * `authorize()` that binds the request itself (subject, tenant, `req.gate`) unless this middleware already
   * did: one Express layer per guarded route, with or without `app.use(gate)`.
   */
  readonly authorize: BoundAuthorize;
  /** @internal The checked options, for the adapter's own handlers (`permitCheckHandler`). */
  readonly adapter: ExpressAdapter;
};

/**
 * Express middleware that binds each request to its subject and tenant and sets `req.gate`, the request's
 * {@link BoundGate}. It never answers: a request it cannot bind (anonymous, an invalid subject, no tenant) goes on
 * with `req.gate` undefined, and `authorize()` answers it (401 / 400). What the resolvers throw goes to `next(err)`.
 *
 * The subject resolver returns the authenticated user's id: an OPAQUE id of `subjectType` (default `user`), never
 * parsed (`tenant:acme#admin` is refused with 400, not read as a userset), or a `Subject` object for another type.
 * The tenant is resolved where the middleware is mounted: a path-parameter resolver needs the parameter in the
 * mount path (`app.use('/t/:tenantId', gatehouse(...))`).
 *
 * Nothing of Express is changed: no prototype, no representation switch (`shareRequestShape` is opt-in).
 *
 * @param options - the PDP or client, the tenant and subject resolvers and how failures are answered.
 * @returns the middleware; `.client` is the `Gatehouse` client, `.authorize` binds by itself.
 * @throws {@link InvalidRequestError} when an option is malformed or unknown (checked once, here).
 * @example
 * ```ts
 * import express from 'express';
 * import { Engine, EmbeddedPdp } from '@gatehouse/engine';
 * import { fromHeader, fromParam, gatehouse } from '@gatehouse/express';
 *
 * const engine = await Engine.create({ schema });
 * const app = express();
 * const gate = gatehouse({
 *   pdp: new EmbeddedPdp(engine),
 *   tenant: fromHeader('x-tenant-id'),
 *   subject: (req) => req.get('x-user'), // an id, never parsed
 * });
 * app.get('/documents/:id', gate.authorize('view', { type: 'document', id: fromParam('id') }), (req, res) => {
 *   res.json({ id: req.params.id, tenant: req.gate?.tenant });
 * });
 * ```
 */
export function gatehouse(options: GatehouseMiddlewareOptions): GatehouseMiddleware {
  const config = adapterConfig<Request>(options, 'gatehouse()', ['shareRequestShape']);
  const share: unknown = options.shareRequestShape;
  if (share !== undefined && typeof share !== 'boolean') {
    throw InvalidRequestError.badValue('gatehouse() options.shareRequestShape', share, 'a boolean');
  }
  const adapter = expressAdapter(config, share === true);
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    try {
      bind(adapter, req, res);
    } catch (err: unknown) {
      next(err);
      return;
    }
    next();
  };
  const bound = Object.assign((action: string, resource: ResourceSpec) => single(adapter, action, resource), {
    any: (...checks: AuthorizeCheck[]) => combined(adapter, 'any', checks),
    all: (...checks: AuthorizeCheck[]) => combined(adapter, 'all', checks),
  });
  return Object.assign(middleware, { client: config.client, authorize: bound, adapter });
}
