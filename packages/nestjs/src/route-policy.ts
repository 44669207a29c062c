import type { Reflector } from '@nestjs/core';
import { resolveResource } from '@gatehouse/core/adapter';
import type { RequestGate } from '@gatehouse/core/adapter';
import type { DecisionReason } from '@gatehouse/core';

import { ANY_PERMISSION_METADATA, PERMISSIONS_METADATA, PUBLIC_METADATA } from './constants.js';
import type { GatehouseRequest } from './request-binding.js';
import type { Requirement } from './requirement.js';

/** What a route requires, read once per (controller, handler) from metadata. @internal */
export interface RoutePolicy {
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

/** A requirement that was not met. @internal */
export interface Denial {
  readonly requirement: Requirement;
  readonly reason: DecisionReason;
  readonly anyOf?: readonly Requirement[];
}

const EMPTY: readonly never[] = [];

/** Reads a route's requirements from the metadata of its controller and handler. @internal */
export function readRoutePolicy(reflector: Reflector, controller: object, handler: object): RoutePolicy {
  const targets = [handler as () => unknown, controller as () => unknown];
  const isPublic = reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, targets) === true;
  const all = [
    ...(reflector.get<Requirement[] | undefined>(PERMISSIONS_METADATA, controller as () => unknown) ?? EMPTY),
    ...(reflector.get<Requirement[] | undefined>(PERMISSIONS_METADATA, handler as () => unknown) ?? EMPTY),
  ];
  const anyOf = [
    ...(reflector.get<Requirement[][] | undefined>(ANY_PERMISSION_METADATA, controller as () => unknown) ?? EMPTY),
    ...(reflector.get<Requirement[][] | undefined>(ANY_PERMISSION_METADATA, handler as () => unknown) ?? EMPTY),
  ];
  const single = all.length === 1 && anyOf.length === 0 ? all[0] : undefined;
  return { isPublic, all, anyOf, single, open: all.length === 0 && anyOf.length === 0 };
}

/** The resource a requirement names for a request (`type`, `type:id`). @throws InvalidRequestError without an id. @internal */
export function resourceOf(requirement: Requirement, req: GatehouseRequest): string {
  if (requirement.id === undefined) return requirement.resource ?? requirement.resourceType;
  return resolveResource(requirement.resourceType, requirement.id, req);
}

/** How a requirement is named in a denial's message. @internal */
export function describeRequirement(requirement: Requirement, req: GatehouseRequest): string {
  if (requirement.id === undefined) return requirement.resource ?? requirement.resourceType;
  return `${requirement.resourceType}:${requirement.id(req) ?? ''}`;
}

async function denialOf(requirement: Requirement, req: GatehouseRequest, gate: RequestGate): Promise<Denial | undefined> {
  const decision = await gate.check(requirement.action, resourceOf(requirement, req));
  return decision.allowed ? undefined : { requirement, reason: decision.reason ?? 'denied' };
}

async function groupDenial(group: readonly Requirement[], req: GatehouseRequest, gate: RequestGate): Promise<Denial | undefined> {
  const denials = await Promise.all(group.map(async (r) => await denialOf(r, req, gate)));
  if (denials.includes(undefined)) return undefined;
  const shown = denials.find((d) => d?.reason === 'pdp_unavailable') ?? denials[0];
  return shown === undefined ? undefined : { ...shown, anyOf: group };
}

/** Checks every requirement of a route together: the first denial, or `undefined` when all are met. @internal */
export async function decideAll(policy: RoutePolicy, req: GatehouseRequest, gate: RequestGate): Promise<Denial | undefined> {
  const denials = await Promise.all([
    ...policy.all.map(async (r) => await denialOf(r, req, gate)),
    ...policy.anyOf.map(async (group) => await groupDenial(group, req, gate)),
  ]);
  return denials.find((d) => d !== undefined);
}
