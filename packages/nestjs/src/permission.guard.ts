import { Inject, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { bindRequest, deniedAnswer, describeCheck, errorAnswer, RequestGate } from '@gatehouse/core/adapter';
import type { AdapterConfig, HttpAnswer } from '@gatehouse/core/adapter';
import type { Decision } from '@gatehouse/core';

import { GATEHOUSE_CONFIG } from './constants.js';
import { httpException } from './http-errors.js';
import type { GatehouseRequest } from './request-binding.js';
import { decideAll, describeRequirement, readRoutePolicy, resourceOf } from './route-policy.js';
import type { Denial, RoutePolicy } from './route-policy.js';
import type { Requirement } from './requirement.js';

/**
 * The guard behind `@Permission()`, `@AnyPermission()` and `@Public()`. Register it globally
 * (`{ provide: APP_GUARD, useClass: PermissionGuard }`) or per controller (`@UseGuards(PermissionGuard)`).
 *
 * Per request it binds the request (core's `bindRequest`: 401 without a subject, 400 for an invalid subject — a
 * string is an opaque id, never parsed — or a missing or malformed tenant), sets `req.gate`, and checks the route's
 * requirements: 403 `{ statusCode, error, message, reason }` on a denial, 503 on an outage with `surfaceOutages`
 * (docs/adapters.md). Routes without requirements pass; `req.gate` is set on them when the request can be bound.
 *
 * Subclass it to change a step, as `@nestjs/throttler`'s `ThrottlerGuard` allows: the `protected` hooks are
 * {@link PermissionGuard.shouldSkip}, {@link PermissionGuard.getRequest}, {@link PermissionGuard.bindRequest} and
 * {@link PermissionGuard.authorizationError}.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class AppPermissionGuard extends PermissionGuard {
 *   protected override shouldSkip(context: ExecutionContext): boolean {
 *     return context.getType() !== 'http'; // let microservice handlers through
 *   }
 * }
 * // providers: [{ provide: APP_GUARD, useClass: AppPermissionGuard }]
 * ```
 * @publicApi
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  /** Route policies by handler; `controller` tells a handler shared by two controllers (inheritance) apart. */
  private readonly policies = new Map<object, { controller: object; policy: RoutePolicy }>();
  private readonly shared = new WeakMap<object, Map<object, RoutePolicy>>();

  public constructor(
    @Inject(Reflector) protected readonly reflector: Reflector,
    @Inject(GATEHOUSE_CONFIG) protected readonly config: AdapterConfig,
  ) {}

  /** @internal Called by Nest for each request. */
  public canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policyFor(context.getClass(), context.getHandler());
    if (policy.isPublic || this.shouldSkip(context)) return true;
    if (context.getType() !== 'http') {
      if (policy.open) return true;
      throw new Error(`PermissionGuard: @Permission() works on HTTP routes only, not in a "${context.getType()}" context`);
    }
    const req = this.getRequest(context);
    const bound = this.bindRequest(req);
    if (!(bound instanceof RequestGate)) {
      if (policy.open) return true;
      throw this.authorizationError(context, bound);
    }
    req.gate = bound;
    if (policy.open) return true;
    const single = policy.single;
    return single === undefined ? this.authorizeAll(context, policy, req, bound) : this.authorizeOne(context, single, req, bound);
  }

  /**
   * Whether to let the request through without resolving anything (after `@Public()`, which is read first).
   * @returns false by default.
   */
  protected shouldSkip(_context: ExecutionContext): boolean {
    return false;
  }

  /**
   * The HTTP request of the context (Express's `req`, Fastify's request); `req.gate` is set on it.
   * @returns `context.getArgByIndex(0)` by default (what `switchToHttp().getRequest()` gives, without its closures).
   */
  protected getRequest(context: ExecutionContext): GatehouseRequest {
    return context.getArgByIndex<GatehouseRequest>(0);
  }

  /**
   * Binds the request to its subject and tenant: a `RequestGate`, or the answer that refuses the request (401, 400).
   * Override to read them another way; call `super.bindRequest(req)` for the module's resolvers.
   */
  protected bindRequest(req: GatehouseRequest): RequestGate | HttpAnswer {
    return bindRequest(this.config, req);
  }

  /**
   * The error thrown for an answer: an `HttpException` with `{ statusCode, error, message, reason }`, or core's
   * `AuthorizationFailure` with `onDeny: 'next'`.
   */
  protected authorizationError(_context: ExecutionContext, answer: HttpAnswer, cause?: unknown): Error {
    return httpException(answer, this.config, cause);
  }

  /**
   * The common case, one requirement. An allowed cache hit returns `true` synchronously (no promise for Nest to
   * await); anything else — a miss, a denial, an error — is a promise.
   */
  private authorizeOne(context: ExecutionContext, requirement: Requirement, req: GatehouseRequest, gate: RequestGate): boolean | Promise<boolean> {
    let decision: Decision | Promise<Decision>;
    try {
      decision = gate.checkNow(requirement.action, resourceOf(requirement, req));
    } catch (err) {
      return Promise.reject(this.failure(context, err));
    }
    if (decision instanceof Promise) return this.settleOne(context, decision, requirement, req);
    if (decision.allowed) return true;
    return Promise.reject(this.deny(context, { requirement, reason: decision.reason ?? 'denied' }, req));
  }

  private async settleOne(context: ExecutionContext, pending: Promise<Decision>, requirement: Requirement, req: GatehouseRequest): Promise<boolean> {
    let decision: Decision;
    try {
      decision = await pending;
    } catch (err) {
      throw this.failure(context, err);
    }
    if (decision.allowed) return true;
    throw this.deny(context, { requirement, reason: decision.reason ?? 'denied' }, req);
  }

  private async authorizeAll(context: ExecutionContext, policy: RoutePolicy, req: GatehouseRequest, gate: RequestGate): Promise<boolean> {
    let denial: Denial | undefined;
    try {
      denial = await decideAll(policy, req, gate);
    } catch (err) {
      throw this.failure(context, err);
    }
    if (denial === undefined) return true;
    throw this.deny(context, denial, req);
  }

  /** Maps what a check may reject with (a client with `throwOnError`, a bad id) to an HTTP answer. */
  private failure(context: ExecutionContext, err: unknown): Error {
    const answer = errorAnswer(err, 'the request', this.config);
    if (answer !== undefined) return this.authorizationError(context, answer, err);
    return err instanceof Error ? err : new Error(`a resource id resolver threw ${String(err)}`, { cause: err });
  }

  private deny(context: ExecutionContext, denial: Denial, req: GatehouseRequest): Error {
    const { requirement, reason } = denial;
    const what = denial.anyOf === undefined
      ? describeCheck(requirement.action, describeRequirement(requirement, req))
      : `any of ${denial.anyOf.map((r) => describeCheck(r.action, describeRequirement(r, req))).join(', ')}`;
    return this.authorizationError(context, deniedAnswer({ reason }, what, this.config));
  }

  private policyFor(controller: object, handler: object): RoutePolicy {
    const known = this.policies.get(handler);
    if (known?.controller === controller) return known.policy;
    let byHandler = this.shared.get(controller);
    if (byHandler === undefined) this.shared.set(controller, (byHandler = new Map<object, RoutePolicy>()));
    let policy = byHandler.get(handler);
    if (policy === undefined) byHandler.set(handler, (policy = readRoutePolicy(this.reflector, controller, handler)));
    if (known === undefined) this.policies.set(handler, { controller, policy });
    return policy;
  }
}
