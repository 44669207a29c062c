import { ID_PATTERN, InvalidRequestError } from '@gatehouse/core';
import type { FastifyRequest } from 'fastify';
import type { RouteContext } from './route-context.js';

/** The header naming the end user a schema or data write is made for (recorded as the audit entry's actor). */
export const ACTOR_HEADER = 'x-gatehouse-actor';

/**
 * The actor of a write through the server API: the `x-gatehouse-actor` header when given, else the API key's label.
 * @throws InvalidRequestError for a malformed header.
 */
export function writeActor(request: FastifyRequest): string {
  const given = request.headers[ACTOR_HEADER];
  if (given === undefined) return request.principal?.id ?? 'anonymous';
  if (typeof given !== 'string' || given === '*' || !ID_PATTERN.test(given)) {
    throw InvalidRequestError.badValue(`header ${ACTOR_HEADER}`, given, 'a user id of 1-128 letters, digits or "_-@.:+"');
  }
  return given;
}

/**
 * Commits a schema or data write and records it in the audit trail, once, in commit order.
 * @param ctx - the route context.
 * @param request - the request (for the actor).
 * @param tenant - the tenant written.
 * @param action - `schema.write`, `data.write`, `data.delete`.
 * @param details - what was written (kept small).
 * @param commit - the write; its snap token is recorded.
 */
export async function audited<T extends { snapToken: string }>(
  ctx: RouteContext,
  request: FastifyRequest,
  tenant: string,
  action: string,
  details: Record<string, unknown>,
  commit: () => Promise<T>,
): Promise<T> {
  const actor = writeActor(request);
  return await ctx.admin.audit.record({ tenant, actor, action, target: `tenant:${tenant}`, details }, commit);
}

/** At most `n` items of a list, as strings, for an audit entry's details. */
export function sample(items: readonly unknown[], n = 20): { items: string[]; count: number } {
  return { items: items.slice(0, n).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))), count: items.length };
}
