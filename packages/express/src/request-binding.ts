import type { AdapterConfig, HttpAnswer } from '@gatehouse/core/adapter';
import { bindRequest, RequestGate } from '@gatehouse/core/adapter';
import type { BoundGate, Gatehouse, Subject } from '@gatehouse/core';
import type { Request, Response } from 'express';
import { shareShape } from './request-shape.js';

/** One `gatehouse()` configuration: the checked options, and the opt-in representation switch. @internal */
export interface ExpressAdapter {
  readonly config: AdapterConfig<Request>;
  readonly shareRequestShape: boolean;
  /** Builds the request's gate (made once per adapter: no closure per request). */
  readonly create: (tenant: string, subject: string | Subject) => PolicyGate;
}

/** An {@link ExpressAdapter} for checked options. @internal */
export function expressAdapter(config: AdapterConfig<Request>, shareRequestShape: boolean): ExpressAdapter {
  const adapter: ExpressAdapter = {
    config,
    shareRequestShape,
    create: (tenant, subject) => new PolicyGate(config.client, tenant, subject, adapter),
  };
  return adapter;
}

/**
 * `req.gate` as the adapter sets it: core's lazy `RequestGate`, carrying the adapter that bound it (its failure
 * policy), so an authenticated request costs one object.
 * @internal
 */
export class PolicyGate extends RequestGate {
  public constructor(client: Gatehouse, tenant: string, subject: string | Subject, public readonly adapter: ExpressAdapter) {
    super(client, tenant, subject);
  }
}

/** The answer `gatehouse()` found for a request it could not bind (anonymous, bad subject or tenant). @internal */
export class Refusal {
  public constructor(
    public readonly answer: HttpAnswer,
    public readonly adapter: ExpressAdapter,
  ) {}
}

/** Requests `gatehouse()` saw and could not bind: `authorize()` answers for them, unguarded routes never do. */
const refusals = new WeakMap<object, Refusal>();

/**
 * Binds a request as the adapter's options say (core's `bindRequest`): sets `req.gate` (a plain own property)
 * and returns it, or returns the answer that refuses the request and clears any `req.gate` an earlier middleware
 * bound. With `shareRequestShape` (opt-in), first switches `req` and `res` to dictionary properties.
 * @internal
 */
export function bind(adapter: ExpressAdapter, req: Request, res: Response): PolicyGate | HttpAnswer {
  if (adapter.shareRequestShape) {
    shareShape(req);
    shareShape(res);
  }
  const bound = bindRequest(adapter.config, req, adapter.create);
  if (bound instanceof PolicyGate) {
    req.gate = bound;
    return bound;
  }
  // An anonymous or refused request must not keep a gate an earlier middleware bound.
  if (req.gate !== undefined) req.gate = undefined;
  refusals.set(req, new Refusal(bound, adapter));
  return bound;
}

/**
 * What `gatehouse()` left on a request: its `req.gate` (or one the app set), the refusal it recorded, or
 * `undefined` when no `gatehouse()` ran and the app set no `req.gate` either.
 * @internal
 */
export function mountedBinding(req: Request): BoundGate | Refusal | undefined {
  return req.gate ?? refusals.get(req);
}
