import { assertTenant, InvalidRequestError } from '@gatehouse/core';
import type { Engine } from '@gatehouse/engine';
import type { FastifyRequest } from 'fastify';
import type { ServerAdmin } from './admin-setup.js';
import type { Principal } from './api-keys.js';
import type { bodySchemas } from './body-schemas.js';
import { forbiddenTenant, overLimit } from './http-error.js';
import type { ServerMetrics } from './metrics.js';
import type { ServerLimits } from './options.js';
import type { PageTokens } from './page-token.js';
import type { WatchHub } from './watch-hub.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request authenticated as; `undefined` before authentication. */
    principal: Principal | undefined;
    /** A failed authentication, answered only after the rate limiter has counted the request. */
    authError: Error | undefined;
  }
  interface FastifyContextConfig {
    /** `none`: no key needed; `body`: the key may come in the body (Permit all-tenants). */
    auth?: 'none' | 'body';
  }
}

/** What every route module needs. */
export interface RouteContext {
  readonly engine: Engine;
  readonly limits: Required<ServerLimits>;
  readonly schemas: ReturnType<typeof bodySchemas>;
  readonly metrics: ServerMetrics;
  readonly watch: WatchHub;
  /** Seals and opens opaque continuation tokens (tampered → 400). */
  readonly pageTokens: PageTokens;
  readonly heartbeatMs: number;
  /** True once `close()` started. */
  readonly closing: () => boolean;
  /** Tenant administration and the audit trail (`@gatehouse/admin`). */
  readonly admin: ServerAdmin;
}

/** True when the request's key may use the tenant. */
export function mayUse(request: FastifyRequest, tenant: string): boolean {
  const scope = request.principal?.tenants;
  return scope === undefined || scope.has(tenant);
}

/**
 * Validates a tenant id taken from a request and checks the key's scope.
 * @throws InvalidRequestError (400) for a bad id; HttpStatusError 403 when the key is scoped elsewhere.
 */
export function useTenant(request: FastifyRequest, tenant: unknown): string {
  const t = assertTenant(tenant);
  if (!mayUse(request, t)) throw forbiddenTenant(t);
  return t;
}

/** The `:tenant` path parameter, validated and in the key's scope. */
export function pathTenant(request: FastifyRequest): string {
  return useTenant(request, (request.params as { tenant?: unknown }).tenant);
}

/** `metadata.depth`: 0 or absent means the engine's default; otherwise at least 3 (as Permify). */
export function depthOf(metadata: { depth?: number } | undefined, limits: Required<ServerLimits>): number | undefined {
  const d = metadata?.depth;
  if (d === undefined || d === 0) return undefined;
  if (d < 3) throw InvalidRequestError.badValue('metadata.depth', d, 'at least 3, or 0 for the default');
  if (d > limits.maxDepth) throw overLimit('metadata.depth', limits.maxDepth, d);
  return d;
}

/** Drops `undefined` values so objects satisfy `exactOptionalPropertyTypes`. */
export function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** A non-empty string or `undefined`. */
export function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
