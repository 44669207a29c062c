import type { BoundGate } from './client-types.js';

/** What Express, Fastify and Nest requests all give: enough to resolve a tenant or an id. */
export interface RequestLike {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Express `req.hostname`, Fastify `req.hostname` (no port). */
  readonly hostname?: string;
  /** `host` as some frameworks give it (may carry a port). */
  readonly host?: string;
  /** Route parameters; Express 5 gives `string[]` for wildcards (resolvers read the first value). */
  readonly params?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly query?: Readonly<Record<string, unknown>>;
  readonly body?: unknown;
  /** Set by auth middleware (passport, a JWT guard). */
  readonly user?: unknown;
}

/**
 * Reads a value (a tenant id, a resource id) from a request; `undefined` when absent. Resolvers do not
 * validate: the adapter does (`assertTenant`) and answers 400.
 */
export type TenantResolver = (req: RequestLike) => string | undefined;

/** A request an adapter has bound: `req.gate` is the request's tenant and subject. */
export interface GateRequest {
  gate?: BoundGate;
}

function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (Array.isArray(value)) return firstString(value[0]);
  return undefined;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return firstString(value);
}

function readPath(root: unknown, path: string): unknown {
  let node = root;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Reads a header (case-insensitive; the first value when repeated).
 * @example
 * ```ts
 * const tenant = fromHeader('x-tenant-id');
 * ```
 */
export function fromHeader(name: string): TenantResolver {
  const lower = name.toLowerCase();
  return (req) => firstString(req.headers[lower] ?? req.headers[name]);
}

/**
 * Reads the left-most label of the host name: `acme.example.com` → `acme`. With `baseDomain`, only hosts
 * strictly under it resolve (`acme.example.com` under `example.com`; `example.com` itself does not).
 * @example
 * ```ts
 * const tenant = fromSubdomain({ baseDomain: 'example.com' });
 * ```
 */
export function fromSubdomain(options: { baseDomain?: string } = {}): TenantResolver {
  const base = options.baseDomain?.toLowerCase().replace(/^\./, '');
  return (req) => {
    const raw = req.hostname ?? req.host ?? firstString(req.headers.host);
    if (raw === undefined) return undefined;
    const host = raw.toLowerCase().replace(/:\d+$/, '');
    if (base !== undefined) {
      if (!host.endsWith(`.${base}`)) return undefined;
      const rest = host.slice(0, -(base.length + 1));
      const label = rest.split('.').pop();
      return label === '' ? undefined : label;
    }
    const labels = host.split('.');
    return labels.length > 2 ? labels[0] : undefined;
  };
}

/**
 * Reads a route parameter (`/tenants/:tenantId/...`). Also resolves resource ids (`fromParam('id')` in the adapters).
 * @example
 * ```ts
 * const tenant = fromPathParam('tenantId');
 * ```
 */
export function fromPathParam(name: string): TenantResolver {
  return (req) => firstString(req.params?.[name]);
}

/**
 * Reads a query-string parameter (the first value when repeated).
 * @example
 * ```ts
 * const tenant = fromQuery('tenant');
 * ```
 */
export function fromQuery(name: string): TenantResolver {
  return (req) => scalar(req.query?.[name]);
}

/**
 * Reads a claim of the authenticated user (`req.user`), dotted paths allowed (`org.id`).
 * @example
 * ```ts
 * const tenant = fromClaim('org_id');
 * ```
 */
export function fromClaim(path: string): TenantResolver {
  return (req) => scalar(readPath(req.user, path));
}

/**
 * Reads a field of the parsed body, dotted paths allowed.
 * @example
 * ```ts
 * const id = fromBody('document.id');
 * ```
 */
export function fromBody(path: string): TenantResolver {
  return (req) => scalar(readPath(req.body, path));
}

/**
 * Wraps your own function; exceptions it throws count as "absent".
 * @example
 * ```ts
 * const tenant = fromFn((req) => lookupTenantOf(req.headers.authorization));
 * ```
 */
export function fromFn(fn: (req: RequestLike) => string | undefined): TenantResolver {
  return (req) => {
    try {
      return firstString(fn(req));
    } catch {
      return undefined;
    }
  };
}

/**
 * The first resolver that finds a value.
 * @example
 * ```ts
 * const tenant = firstOf(fromHeader('x-tenant-id'), fromSubdomain(), fromClaim('org_id'));
 * ```
 */
export function firstOf(...resolvers: TenantResolver[]): TenantResolver {
  return (req) => {
    for (const resolve of resolvers) {
      const value = resolve(req);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}
