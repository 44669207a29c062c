import { InvalidRequestError, NAME_PATTERN } from '@gatehouse/core';
import type { BoundGate, Decision } from '@gatehouse/core';
import {
  compileResource,
  deniedAnswer,
  describeCheck,
  describeResource,
  errorAnswer,
  RequestGate,
  type CompiledResource,
  type ResolvedResource,
  type ResourceSpec as CoreResourceSpec,
} from '@gatehouse/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DEFAULT_POLICY, fail, type FailurePolicy } from './http-failure.js';
import { bind, mountedBinding, PolicyGate, Refusal, type ExpressAdapter } from './request-binding.js';

/**
 * What `authorize()` checks: `'document:42'`, `'document'` (type-level), `{ type, id?: string | fromParam('id') }`
 * or `(req) => resource` (sync or async) — core's `ResourceSpec` with Express's request.
 */
export type ResourceSpec = CoreResourceSpec<Request>;

/** One `[action, resource]` pair of {@link authorize.any} / {@link authorize.all}. */
export type AuthorizeCheck = readonly [action: string, resource: ResourceSpec];

interface CompiledCheck {
  readonly action: string;
  readonly resource: CompiledResource<Request>;
}

function compile(action: string, resource: ResourceSpec): CompiledCheck {
  if (typeof action !== 'string' || !NAME_PATTERN.test(action)) {
    throw InvalidRequestError.badValue('authorize() action', action, 'an action name of letters and "_" only');
  }
  return { action, resource: compileResource<Request>(resource, 'authorize() resource') };
}

function misconfigured(next: NextFunction): void {
  next(new Error('authorize() ran on a request the gatehouse() middleware did not see: mount app.use(gatehouse(...)) first, or use the authorize of a gatehouse() instance (gate.authorize(...)), which binds the request itself'));
}

/**
 * The request's gate for a check, or `undefined` once the request has been answered (or passed to `next`).
 * `adapter` is the `gatehouse()` instance of a bound `gate.authorize()`: it binds the request itself unless that
 * instance already did. Without it (`authorize()` on its own), `gatehouse()` must have run on the request.
 */
function gateFor(adapter: ExpressAdapter | undefined, req: Request, res: Response, next: NextFunction): BoundGate | undefined {
  if (adapter !== undefined) {
    // Bound to a gatehouse() instance: bind the request here (one layer), without first reading req.gate (a read
    // that misses on an Express request walks its whole prototype chain; binding twice, when the app also mounts
    // the middleware, gives the same gate).
    let bound;
    try {
      bound = bind(adapter, req, res);
    } catch (err: unknown) {
      // A resolver threw: the app's error, for its error handler.
      next(err);
      return undefined;
    }
    if (bound instanceof PolicyGate) return bound;
    fail(bound, res, next, adapter.config);
    return undefined;
  }
  const mounted = mountedBinding(req);
  if (mounted === undefined) {
    misconfigured(next);
    return undefined;
  }
  if (mounted instanceof Refusal) {
    fail(mounted.answer, res, next, mounted.adapter.config);
    return undefined;
  }
  return mounted;
}

function policyOf(gate: BoundGate): FailurePolicy {
  return gate instanceof PolicyGate ? gate.adapter.config : DEFAULT_POLICY;
}

/**
 * Route middleware that lets the request through only when its subject may do `action` on `resource` in its
 * tenant, for requests that `app.use(gatehouse(...))` bound. It answers as docs/adapters.md's table says (JSON
 * `{ statusCode, error, message, reason }`): 401 without a subject, 400 for an invalid subject, a missing or
 * invalid tenant or resource id, 403 when denied (reason from the decision), 503 on a PDP outage only with
 * `surfaceOutages`. With `onDeny: 'next'` it calls `next(err)` with core's `AuthorizationFailure` instead.
 * `gate.authorize(...)` of a `gatehouse()` instance does the same without the middleware mounted (one layer).
 *
 * @param action - the permission to check (`'edit'`).
 * @param resource - `'document:42'`, `'document'`, `{ type, id?: string | fromParam('id') | … }` or
 *   `(req) => resource` (sync or async).
 * @returns an Express request handler.
 * @throws {@link InvalidRequestError} at route definition when the action or a constant resource is malformed.
 * @example
 * ```ts
 * app.patch('/documents/:id', authorize('edit', { type: 'document', id: fromParam('id') }), updateDocument);
 * app.post('/documents', authorize('create', 'document'), createDocument);
 * ```
 */
export function authorize(action: string, resource: ResourceSpec): RequestHandler {
  return single(undefined, action, resource);
}

/** @internal `authorize()`, on its own (`adapter` undefined) or bound to a `gatehouse()` instance. */
export function single(adapter: ExpressAdapter | undefined, action: string, resource: ResourceSpec): RequestHandler {
  const check = compile(action, resource);
  return (req: Request, res: Response, next: NextFunction): void => {
    const gate = gateFor(adapter, req, res, next);
    if (gate === undefined) return;
    const policy = policyOf(gate);
    let target;
    try {
      target = check.resource.resolve(req);
    } catch (err: unknown) {
      settleError(err, check, res, next, policy);
      return;
    }
    if (typeof target === 'object' && 'then' in target) {
      target.then(
        (resolved) => { decide(gate, check, resolved, res, next, policy); },
        (err: unknown) => { settleError(err, check, res, next, policy); },
      );
    } else {
      decide(gate, check, target, res, next, policy);
    }
  };
}

function decide(
  gate: BoundGate,
  check: CompiledCheck,
  resolved: ResolvedResource,
  res: Response,
  next: NextFunction,
  policy: FailurePolicy,
): void {
  let decision: Decision | Promise<Decision>;
  try {
    // The request's own RequestGate answers a cache hit synchronously: next() runs without a microtask hop.
    decision = gate instanceof RequestGate ? gate.checkNow(check.action, resolved) : gate.check(check.action, resolved);
  } catch (err: unknown) {
    // Only a replaced req.gate could throw here; this may run inside a promise callback, so never let it escape.
    settleError(err, check, res, next, policy);
    return;
  }
  if (!(decision instanceof Promise)) {
    settle(decision, check, resolved, res, next, policy);
    return;
  }
  decision.then(
    (d) => { settle(d, check, resolved, res, next, policy); },
    (err: unknown) => { settleError(err, check, res, next, policy); },
  );
}

/** Lets an allowed request through, answers a denial. */
function settle(decision: Decision, check: CompiledCheck, resolved: ResolvedResource, res: Response, next: NextFunction, policy: FailurePolicy): void {
  if (decision.allowed) next();
  else fail(deniedAnswer(decision, describeCheck(check.action, describeResource(resolved)), policy), res, next, policy);
}

function settleError(err: unknown, check: CompiledCheck, res: Response, next: NextFunction, policy: FailurePolicy): void {
  const answer = errorAnswer(err, describeCheck(check.action, 'the resource'), policy);
  if (answer === undefined) next(err);
  else fail(answer, res, next, policy, err);
}

type Outcome =
  | { readonly check: CompiledCheck; readonly resolved: ResolvedResource; readonly decision: Decision }
  | { readonly check: CompiledCheck; readonly error: unknown };

/** @internal `authorize.any()` / `authorize.all()`, on their own or bound to a `gatehouse()` instance. */
export function combined(adapter: ExpressAdapter | undefined, mode: 'any' | 'all', checks: readonly AuthorizeCheck[]): RequestHandler {
  if (checks.length === 0) {
    throw InvalidRequestError.badValue(`authorize.${mode}() checks`, checks, 'at least one [action, resource] pair');
  }
  const compiled = checks.map((pair) => {
    if (!Array.isArray(pair) || (pair as readonly unknown[]).length !== 2) {
      throw InvalidRequestError.badValue(`authorize.${mode}() check`, pair, 'an [action, resource] pair');
    }
    return compile(pair[0], pair[1]);
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    const gate = gateFor(adapter, req, res, next);
    if (gate === undefined) return;
    const policy = policyOf(gate);
    const run = async (): Promise<void> => {
      const outcomes = await Promise.all(
        compiled.map(async (check): Promise<Outcome> => {
          try {
            const resolved = await check.resource.resolve(req);
            return { check, resolved, decision: await gate.check(check.action, resolved) };
          } catch (error: unknown) {
            return { check, error };
          }
        }),
      );
      // any: one allowed answer is enough, whatever the others did. all: the first failure in order decides.
      if (mode === 'any' && outcomes.some((o) => 'decision' in o && o.decision.allowed)) {
        next();
        return;
      }
      for (const outcome of outcomes) {
        if ('error' in outcome) {
          settleError(outcome.error, outcome.check, res, next, policy);
          return;
        }
        const { check, decision, resolved } = outcome;
        if (!decision.allowed) {
          fail(deniedAnswer(decision, describeCheck(check.action, describeResource(resolved)), policy), res, next, policy);
          return;
        }
      }
      next();
    };
    run().catch(next);
  };
}

/**
 * Lets the request through when ANY of the checks is allowed (evaluated together).
 * @param checks - `[action, resource]` pairs, resources as in {@link authorize}.
 * @returns an Express request handler answering as {@link authorize} does; a denial carries the reason of the
 *   first check.
 * @example
 * ```ts
 * app.get('/documents/:id', authorize.any(['view', { type: 'document', id: fromParam('id') }], ['audit', 'document']), show);
 * ```
 */
authorize.any = (...checks: AuthorizeCheck[]): RequestHandler => combined(undefined, 'any', checks);

/**
 * Lets the request through when ALL of the checks are allowed (evaluated together).
 * @param checks - `[action, resource]` pairs, resources as in {@link authorize}.
 * @returns an Express request handler answering as {@link authorize} does; a denial carries the reason of the
 *   first denied check.
 * @example
 * ```ts
 * app.post('/documents/:id/move', authorize.all(['delete', { type: 'document', id: fromParam('id') }], ['create', 'document']), move);
 * ```
 */
authorize.all = (...checks: AuthorizeCheck[]): RequestHandler => combined(undefined, 'all', checks);
