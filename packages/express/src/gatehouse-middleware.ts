import {
  Gatehouse,
  InvalidRequestError,
  TENANT_PATTERN,
  type BoundGate,
  type Pdp,
  type SubjectInput,
  type TenantResolver,
} from '@gatehouse/core';
import { RequestGate, resolveRequestTenant, type HttpAnswer, type TenantPolicy } from '@gatehouse/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { fail, type FailurePolicy } from './http-failure.js';
import { clearGate, setGate, usesAccessor } from './request-gate-slot.js';
import { shareShape } from './request-shape.js';

declare global {
  // Declaration merging is how Express types its request extensions; a namespace is the only way in.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The request's client, bound to its tenant and subject; set by `gatehouse()`. `undefined` when the
       * request has no subject (anonymous): `authorize()` then answers 401.
       */
      gate?: BoundGate;
    }
  }
}

/** Options of {@link gatehouse}. Give either `pdp` or `client`. */
export type GatehouseMiddlewareOptions = (
  | {
      /** A PDP (`EmbeddedPdp`, `RemotePdp`); the middleware builds a `Gatehouse` client with default options. */
      readonly pdp: Pdp;
      readonly client?: never;
    }
  | {
      /** A `Gatehouse` client you built (cache, timeouts, decision log). */
      readonly client: Gatehouse;
      readonly pdp?: never;
    }
) & {
  /** Where the tenant comes from: `fromHeader('x-tenant-id')`, `fromSubdomain()`, `firstOf(...)`, … */
  readonly tenant: TenantResolver;
  /** Who asks: the authenticated user of the request, or `undefined` for an anonymous request. */
  readonly subject: (req: Request) => SubjectInput | null | undefined;
  /**
   * Tenant of requests where the resolver finds none (with `missingTenant: 'default'`).
   * @defaultValue the client's default tenant (`t1`)
   */
  readonly defaultTenant?: string;
  /**
   * A request without a tenant: `'default'` uses {@link GatehouseMiddlewareOptions.defaultTenant},
   * `'reject'` answers 400.
   * @defaultValue `'default'`
   */
  readonly missingTenant?: 'default' | 'reject';
  /**
   * `'respond'`: answer 400/401/403/503 as JSON `{ error, message, reason }`. `'next'`: call `next(err)` with an
   * error of core's family whose `status` is set, so the app's error handler answers.
   * @defaultValue `'respond'`
   */
  readonly onDeny?: 'respond' | 'next';
  /**
   * Answer 503 when the PDP is unreachable. Off: an outage is a denial (403, reason `pdp_unavailable`), which
   * hides the outage from clients.
   * @defaultValue false
   */
  readonly surfaceOutages?: boolean;
  /**
   * Switch each Express request and response to dictionary properties, so that their property reads in every
   * later middleware, the router and `res.json()` hit V8's inline caches. Express gives every request and response
   * a hidden class of its own, which makes each of those reads a cache miss; on Express 5 / node 20 the switch
   * saves more server CPU per request than `gatehouse()` and `authorize()` cost. Nothing a program can observe
   * changes (no property is added, removed or reordered). `false` leaves the objects as they are.
   * @defaultValue true
   */
  readonly shareRequestShape?: boolean;
};

/** The middleware returned by {@link gatehouse}, with the client it checks through. */
export type GatehouseMiddleware = RequestHandler & {
  /** The `Gatehouse` client behind `req.gate` (built from `pdp`, or the one given). */
  readonly client: Gatehouse;
};

/** The failure policy of anonymous requests `gatehouse()` saw (they have no `req.gate` to carry it). */
const anonymous = new WeakMap<object, FailurePolicy>();

/**
 * `req.gate` as `gatehouse()` sets it: core's lazy `RequestGate`, carrying the middleware's failure policy, so
 * an authenticated request costs one object and one map entry.
 * @internal
 */
class PolicyGate extends RequestGate {
  public constructor(client: Gatehouse, tenant: string, subject: SubjectInput, public readonly policy: FailurePolicy) {
    super(client, tenant, subject);
  }
}

/** The policy of a request whose `req.gate` an app set itself, after or instead of `gatehouse()`. */
const FOREIGN_GATE_POLICY: FailurePolicy = Object.freeze({ onDeny: 'respond', surfaceOutages: false });

/**
 * The failure policy for a request and its gate (`gateOf(req)`): the policy of the `gatehouse()` middleware that
 * ran on it, or `undefined` when none ran and the app set no `req.gate` either.
 * @internal
 */
export function policyFor(req: Request, gate: BoundGate | undefined): FailurePolicy | undefined {
  if (gate instanceof PolicyGate) return gate.policy;
  return anonymous.get(req) ?? (gate === undefined ? undefined : FOREIGN_GATE_POLICY);
}

/**
 * Express middleware that resolves the request's tenant and subject and sets `req.gate`, the request's
 * {@link BoundGate}. Mount it before `authorize()`.
 *
 * The tenant is resolved where the middleware is mounted: a path-parameter resolver needs the parameter in the
 * mount path (`app.use('/t/:tenantId', gatehouse(...))`).
 *
 * @param options - the PDP or client, the tenant resolver, the subject function and how failures are answered.
 * @returns the middleware; its `client` property is the `Gatehouse` client.
 * @throws {@link InvalidRequestError} when an option is malformed (checked once, here).
 * @example
 * ```ts
 * import express from 'express';
 * import { Engine, EmbeddedPdp } from '@gatehouse/engine';
 * import { authorize, fromHeader, fromParam, gatehouse } from '@gatehouse/express';
 *
 * const engine = await Engine.create({ schema });
 * const app = express();
 * app.use(gatehouse({
 *   pdp: new EmbeddedPdp(engine),
 *   tenant: fromHeader('x-tenant-id'),
 *   subject: (req) => req.get('x-user'),
 * }));
 * app.get('/documents/:id', authorize('view', { type: 'document', id: fromParam('id') }), (req, res) => {
 *   res.json({ id: req.params.id });
 * });
 * ```
 */
export function gatehouse(options: GatehouseMiddlewareOptions): GatehouseMiddleware {
  checkOptions(options);
  const defaultTenant = options.defaultTenant;
  const client = options.client ?? new Gatehouse(defaultTenant === undefined ? { pdp: options.pdp } : { pdp: options.pdp, defaultTenant });
  const tenantPolicy: TenantPolicy = { defaultTenant: defaultTenant ?? client.defaultTenant, missingTenant: options.missingTenant ?? 'default' };
  const resolveTenant = options.tenant;
  const resolveSubject = options.subject;
  const share = options.shareRequestShape ?? true;
  const policy: FailurePolicy = {
    onDeny: options.onDeny ?? 'respond',
    surfaceOutages: options.surfaceOutages ?? false,
  };

  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    const viaExpress = usesAccessor(req);
    if (share && viaExpress) {
      shareShape(req);
      shareShape(res);
    }
    let tenant: string | HttpAnswer;
    let subject: SubjectInput | null | undefined;
    try {
      tenant = resolveRequestTenant(resolveTenant, req, tenantPolicy);
      subject = resolveSubject(req);
    } catch (err: unknown) {
      next(err);
      return;
    }
    if (typeof tenant !== 'string') {
      fail(tenant, res, next, policy);
      return;
    }
    if (subject !== undefined && subject !== null && subject !== '') {
      setGate(req, new PolicyGate(client, tenant, subject, policy), viaExpress);
    } else {
      anonymous.set(req, policy);
      // An anonymous request must not keep a gate an earlier middleware bound.
      clearGate(req);
    }
    next();
  };
  return Object.assign(middleware, { client });
}

function checkOptions(options: GatehouseMiddlewareOptions): void {
  const given = options as Partial<Record<string, unknown>>;
  if ((given.pdp === undefined) === (given.client === undefined)) {
    throw InvalidRequestError.badValue('gatehouse() options', 'pdp/client', 'exactly one of options.pdp and options.client');
  }
  if (typeof given.tenant !== 'function') {
    throw InvalidRequestError.badValue('options.tenant', given.tenant, 'a tenant resolver such as fromHeader("x-tenant-id")');
  }
  if (typeof given.subject !== 'function') {
    throw InvalidRequestError.badValue('options.subject', given.subject, 'a function (req) => subject | undefined');
  }
  if (given.defaultTenant !== undefined && (typeof given.defaultTenant !== 'string' || !TENANT_PATTERN.test(given.defaultTenant))) {
    throw InvalidRequestError.badTenant(given.defaultTenant);
  }
  if (given.missingTenant !== undefined && given.missingTenant !== 'default' && given.missingTenant !== 'reject') {
    throw InvalidRequestError.badValue('options.missingTenant', given.missingTenant, '"default" or "reject"');
  }
  if (given.onDeny !== undefined && given.onDeny !== 'respond' && given.onDeny !== 'next') {
    throw InvalidRequestError.badValue('options.onDeny', given.onDeny, '"respond" or "next"');
  }
  if (given.surfaceOutages !== undefined && typeof given.surfaceOutages !== 'boolean') {
    throw InvalidRequestError.badValue('options.surfaceOutages', given.surfaceOutages, 'a boolean');
  }
  if (given.shareRequestShape !== undefined && typeof given.shareRequestShape !== 'boolean') {
    throw InvalidRequestError.badValue('options.shareRequestShape', given.shareRequestShape, 'a boolean');
  }
}
