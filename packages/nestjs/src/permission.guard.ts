import { Inject, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Gatehouse } from '@gatehouse/core';
import {
  checkNow,
  deniedAnswer,
  describeCheck,
  errorAnswer,
  RequestGate,
  resolveResource,
} from '@gatehouse/core/adapter';
import type { Decision, DecisionReason, SubjectInput } from '@gatehouse/core';

import { ANY_PERMISSION_METADATA, GATEHOUSE_OPTIONS, PERMISSIONS_METADATA, PUBLIC_METADATA } from './constants.js';
import type { GatehouseModuleOptions } from './gatehouse-options.interface.js';
import { httpException } from './http-errors.js';
import { resolveSubject, resolveTenant } from './request-binder.js';
import type { GatehouseRequest } from './request-binder.js';
import type { Requirement } from './requirement.js';

/** What a route requires, read once per (controller, handler) from metadata. */
interface RoutePolicy {
  readonly isPublic: boolean;
  /** Every one must allow. */
  readonly all: readonly Requirement[];
  /** In each group, one must allow. */
  readonly anyOf: readonly (readonly Requirement[])[];
  /** The only requirement, when there is exactly one (the common case, checked without arrays). */
  readonly single: Requirement | undefined;
  /** No requirement at all: bind `req.gate` when possible, never reject. */
  readonly open: boolean;
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * The guard behind `@Permission()`, `@AnyPermission()` and `@Public()`. Register it globally
 * (`{ provide: APP_GUARD, useClass: PermissionGuard }`) or per controller (`@UseGuards(PermissionGuard)`).
 *
 * Per request it resolves the subject (401 when absent) and the tenant (400 when malformed), sets
 * `req.gate` to the request-bound client, and checks the route's requirements: 403 with
 * `{ statusCode, error, message, reason }` on a denial, 503 on an outage with `surfaceOutages`.
 * Routes without requirements pass; `req.gate` is set on them when the request carries a subject.
 * Metadata is read once per handler and cached.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [GatehouseModule.forRoot({ pdp, tenant: fromHeader('x-tenant-id'), subject: (req) => req.user?.id })],
 *   providers: [{ provide: APP_GUARD, useClass: PermissionGuard }],
 * })
 * export class AppModule {}
 * ```
 * @publicApi
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  private readonly policies = new WeakMap<object, Map<object, RoutePolicy>>();

  public constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Gatehouse) private readonly gate: Gatehouse,
    @Inject(GATEHOUSE_OPTIONS) private readonly options: GatehouseModuleOptions,
  ) {}

  /** @internal Called by Nest for each request. */
  public canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policyFor(context.getClass(), context.getHandler());
    if (policy.isPublic) return true;
    if (context.getType() !== 'http') {
      if (policy.open) return true;
      throw new Error(`PermissionGuard: @Permission() works on HTTP routes only, not in a "${context.getType()}" context`);
    }
    // getArgByIndex(0) is the HTTP request; switchToHttp() would allocate three closures per request.
    const req = context.getArgByIndex<GatehouseRequest>(0);
    if (policy.open) {
      this.tryBind(req);
      return true;
    }
    const subject = resolveSubject(this.options, req);
    const tenant = resolveTenant(this.options, req, this.gate.defaultTenant);
    this.bind(req, tenant, subject);
    const single = policy.single;
    return single === undefined ? this.authorize(policy, req, tenant, subject) : this.authorizeOne(single, req, tenant, subject);
  }

  private bind(req: GatehouseRequest, tenant: string, subject: SubjectInput): void {
    // The subject is validated by the check itself (400 when malformed); binding is deferred to first use.
    req.gate = new RequestGate(this.gate, tenant, subject);
  }

  private tryBind(req: GatehouseRequest): void {
    try {
      const subject = this.options.subject(req);
      if (subject !== undefined) req.gate = this.gate.bind(resolveTenant(this.options, req, this.gate.defaultTenant), subject);
    } catch {
      // An open route does not need the binding; @Gate() then gives undefined.
    }
  }

  /**
   * The common case, one requirement. An allowed cache hit returns `true` synchronously (no promise for Nest to
   * await); anything else — a miss, a denial, an error — is a promise.
   */
  private authorizeOne(requirement: Requirement, req: GatehouseRequest, tenant: string, subject: SubjectInput): boolean | Promise<boolean> {
    let decision: Decision | Promise<Decision>;
    try {
      decision = checkNow(this.gate, { tenant, subject, action: requirement.action, resource: resourceOf(requirement, req) });
    } catch (err) {
      return Promise.reject(this.asHttpError(err));
    }
    if (decision instanceof Promise) return this.settleOne(decision, requirement, req);
    if (decision.allowed) return true;
    return Promise.reject(this.deny({ requirement, reason: decision.reason ?? 'denied' }, req));
  }

  private async settleOne(pending: Promise<Decision>, requirement: Requirement, req: GatehouseRequest): Promise<boolean> {
    let decision: Decision;
    try {
      decision = await pending;
    } catch (err) {
      throw this.asHttpError(err);
    }
    if (decision.allowed) return true;
    throw this.deny({ requirement, reason: decision.reason ?? 'denied' }, req);
  }

  private async authorize(policy: RoutePolicy, req: GatehouseRequest, tenant: string, subject: SubjectInput): Promise<boolean> {
    let denial: Denial | undefined;
    try {
      denial = await this.checkAll(policy, req, tenant, subject);
    } catch (err) {
      throw this.asHttpError(err);
    }
    if (denial === undefined) return true;
    throw this.deny(denial, req);
  }

  private async checkAll(policy: RoutePolicy, req: GatehouseRequest, tenant: string, subject: SubjectInput): Promise<Denial | undefined> {
    const denials = await Promise.all([
      ...policy.all.map(async (r) => await this.denialOf(r, req, tenant, subject)),
      ...policy.anyOf.map(async (group) => await this.groupDenial(group, req, tenant, subject)),
    ]);
    return denials.find((d) => d !== undefined);
  }

  private async groupDenial(
    group: readonly Requirement[],
    req: GatehouseRequest,
    tenant: string,
    subject: SubjectInput,
  ): Promise<Denial | undefined> {
    const denials = await Promise.all(group.map(async (r) => await this.denialOf(r, req, tenant, subject)));
    if (denials.includes(undefined)) return undefined;
    const shown = denials.find((d) => d?.reason === 'pdp_unavailable') ?? denials[0];
    return shown === undefined ? undefined : { ...shown, anyOf: group };
  }

  private async denialOf(requirement: Requirement, req: GatehouseRequest, tenant: string, subject: SubjectInput): Promise<Denial | undefined> {
    const decision = await this.check(requirement, req, tenant, subject);
    return decision.allowed ? undefined : { requirement, reason: decision.reason ?? 'denied' };
  }

  private async check(requirement: Requirement, req: GatehouseRequest, tenant: string, subject: SubjectInput): Promise<Decision> {
    return await this.gate.check({ tenant, subject, action: requirement.action, resource: resourceOf(requirement, req) });
  }

  /** Maps what a check may reject with (a client with `throwOnError`, a bad id) to an HTTP answer. */
  private asHttpError(err: unknown): Error {
    const answer = errorAnswer(err, 'the request', this.options);
    if (answer !== undefined) return httpException(answer);
    return err instanceof Error ? err : new Error(`a resource id resolver threw ${String(err)}`, { cause: err });
  }

  private deny(denial: Denial, req: GatehouseRequest): Error {
    const { requirement, reason } = denial;
    const what = denial.anyOf === undefined
      ? describeCheck(requirement.action, describeRequirement(requirement, req))
      : `any of ${denial.anyOf.map((r) => describeCheck(r.action, describeRequirement(r, req))).join(', ')}`;
    return httpException(deniedAnswer({ reason }, what, this.options));
  }

  private policyFor(controller: object, handler: object): RoutePolicy {
    let byHandler = this.policies.get(controller);
    if (byHandler === undefined) this.policies.set(controller, (byHandler = new Map<object, RoutePolicy>()));
    let policy = byHandler.get(handler);
    if (policy === undefined) byHandler.set(handler, (policy = this.readPolicy(controller, handler)));
    return policy;
  }

  private readPolicy(controller: object, handler: object): RoutePolicy {
    const targets = [handler as () => unknown, controller as () => unknown];
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, targets) === true;
    const all = [
      ...(this.reflector.get<Requirement[] | undefined>(PERMISSIONS_METADATA, controller as () => unknown) ?? EMPTY),
      ...(this.reflector.get<Requirement[] | undefined>(PERMISSIONS_METADATA, handler as () => unknown) ?? EMPTY),
    ];
    const anyOf = [
      ...(this.reflector.get<Requirement[][] | undefined>(ANY_PERMISSION_METADATA, controller as () => unknown) ?? EMPTY),
      ...(this.reflector.get<Requirement[][] | undefined>(ANY_PERMISSION_METADATA, handler as () => unknown) ?? EMPTY),
    ];
    const single = all.length === 1 && anyOf.length === 0 ? all[0] : undefined;
    return Object.freeze({ isPublic, all, anyOf, single, open: all.length === 0 && anyOf.length === 0 });
  }
}

interface Denial {
  readonly requirement: Requirement;
  readonly reason: DecisionReason;
  readonly anyOf?: readonly Requirement[];
}

function resourceOf(requirement: Requirement, req: GatehouseRequest): string {
  if (requirement.id === undefined) return requirement.resource ?? requirement.resourceType;
  return resolveResource(requirement.resourceType, requirement.id, req);
}

function describeRequirement(requirement: Requirement, req: GatehouseRequest): string {
  if (requirement.id === undefined) return requirement.resource ?? requirement.resourceType;
  return `${requirement.resourceType}:${requirement.id(req) ?? ''}`;
}
