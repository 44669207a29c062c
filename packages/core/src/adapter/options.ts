import type { DecisionCacheOptions } from '../decision-cache.js';
import { InvalidRequestError } from '../errors.js';
import { Gatehouse } from '../gatehouse.js';
import type { GatehouseOptions } from '../gatehouse.js';
import { NAME_PATTERN, TENANT_PATTERN } from '../parse.js';
import type { RequestLike } from '../resolvers.js';
import type { Pdp } from '../types.js';
import type { TenantPolicy } from './request-tenant.js';
import type { RequestSubject, SubjectPolicy } from './request-subject.js';

/** Reads a value (the tenant) from a request of the adapter's framework; `undefined` when absent. */
export type RequestResolver<TReq = RequestLike> = (req: TReq) => string | undefined;

/**
 * The options every Gatehouse adapter takes (`gatehouse()` in Express, `GatehouseModule.forRoot()` in Nest, the
 * permit-fe-sdk handlers, `@gatehouse/admin`'s routes): the same names for the same ideas everywhere. Give
 * exactly one of `pdp` and `client`. What each option does to an answer is in docs/adapters.md.
 */
export interface AdapterOptions<TReq = RequestLike> {
  /** The policy decision point (`new EmbeddedPdp(engine)`, `new RemotePdp({ url })`); the adapter builds a client. */
  readonly pdp?: Pdp;
  /** A `Gatehouse` client you built, used as it is (and never closed by the adapter). */
  readonly client?: Gatehouse;
  /** Decision cache of the client the adapter builds from `pdp` (not with `client`). @defaultValue the client's default */
  readonly cache?: DecisionCacheOptions | false;
  /** Other options of the client the adapter builds from `pdp` (`timeoutMs`, `onDecision`, …; not with `client`). */
  readonly clientOptions?: Omit<GatehouseOptions, 'pdp' | 'cache' | 'defaultTenant'>;
  /**
   * Where the request's tenant comes from: a resolver (`fromHeader('x-tenant-id')`, `fromSubdomain()`,
   * `firstOf(...)`) or a fixed tenant id. Without it every request is in `defaultTenant` (a single-tenant app).
   */
  readonly tenant?: RequestResolver<TReq> | string;
  /**
   * Tenant of every request when there is no `tenant` resolver, and of requests that name none with
   * `missingTenant: 'default'`.
   * @defaultValue the client's default tenant (`t1`)
   */
  readonly defaultTenant?: string;
  /**
   * A request whose resolver finds no tenant: `'reject'` answers 400 (`missing_tenant`); `'default'` (opt-in)
   * puts it in `defaultTenant`.
   * @defaultValue `'reject'`
   */
  readonly missingTenant?: 'reject' | 'default';
  /**
   * The authenticated subject of the request: an id string (an OPAQUE id of `subjectType`, never parsed), a
   * `Subject` object to name another type, or `undefined`/`null` for an anonymous request (401). See
   * {@link RequestSubject}.
   */
  readonly subject: (req: TReq) => RequestSubject;
  /** The type of the ids `subject` returns as strings. @defaultValue `'user'` */
  readonly subjectType?: string;
  /** Accept a userset (`{ type, id, relation }`) from `subject`. @defaultValue false */
  readonly allowSubjectRelations?: boolean;
  /**
   * `'respond'`: the adapter answers 400/401/403/503 itself as JSON `{ statusCode, error, message, reason }`.
   * `'next'`: it hands the framework an {@link AuthorizationFailure} (Express: `next(err)`; Nest: the guard throws
   * it to the app's exception filters) and the app answers.
   * @defaultValue `'respond'`
   */
  readonly onDeny?: 'respond' | 'next';
  /**
   * Answer 503 when the PDP is unavailable. Off: an outage is a denial (403, reason `pdp_unavailable`), which does
   * not tell clients that the PDP is down.
   * @defaultValue false
   */
  readonly surfaceOutages?: boolean;
}

/**
 * {@link AdapterOptions} checked once, with the client built: what an adapter reads on each request. A plain,
 * extensible object (never frozen: a DI container may hand it out through a Proxy, whose invariants forbid
 * answering anything but the stored value for a frozen property — `@nestjs/observe` wraps functions it reads).
 */
export interface AdapterConfig<TReq = RequestLike> {
  /** The client every check goes through. */
  readonly client: Gatehouse;
  /** True when the adapter built the client from `pdp` (and so closes it when the app stops). */
  readonly ownsClient: boolean;
  /** The tenant resolver; `undefined` when every request is in `tenantPolicy.defaultTenant`. */
  readonly tenant: RequestResolver<TReq> | undefined;
  readonly tenantPolicy: Required<TenantPolicy>;
  readonly subject: (req: TReq) => RequestSubject;
  readonly subjectPolicy: Required<SubjectPolicy>;
  readonly onDeny: 'respond' | 'next';
  readonly surfaceOutages: boolean;
}

/** The option names of {@link AdapterOptions}, for adapters that check for unknown keys. */
export const ADAPTER_OPTION_NAMES: readonly string[] = [
  'pdp',
  'client',
  'cache',
  'clientOptions',
  'tenant',
  'defaultTenant',
  'missingTenant',
  'subject',
  'subjectType',
  'allowSubjectRelations',
  'onDeny',
  'surfaceOutages',
];

function bad(where: string, name: string, value: unknown, expected: string): InvalidRequestError {
  return InvalidRequestError.badValue(`${where} options.${name}`, value, expected);
}

function oneOf<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw bad(where, name, value, allowed.map((a) => `"${a}"`).join(' or '));
  }
  return value as T;
}

/** A `Gatehouse` by its methods (a second install of core, or a DI proxy, fails `instanceof`). */
function isClient(value: unknown): value is Gatehouse {
  const client = value as Partial<Record<'check' | 'bind' | 'close', unknown>> | null;
  return typeof client === 'object' && client !== null && typeof client.check === 'function' && typeof client.bind === 'function' && typeof client.close === 'function';
}

function flag(where: string, name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw bad(where, name, value, 'a boolean');
  return value;
}

/**
 * A positive integer option, or its default.
 * @throws {@link InvalidRequestError} naming the option.
 * @example
 * ```ts
 * const maxBulk = positiveOption('permitCheckHandler()', 'maxBulk', options.maxBulk, 100);
 * ```
 */
export function positiveOption(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw bad(where, name, value, 'a positive integer');
  return value;
}

/**
 * Checks an adapter's options once, where the adapter is configured, and builds its client from `pdp`.
 * Every malformed option is an {@link InvalidRequestError} naming it; so is an option name the adapter does not
 * know (a misspelt `missingTenant` must not silently fall back to the default).
 *
 * @param options - the adapter's options.
 * @param where - names the adapter in messages (`'gatehouse()'`, `'GatehouseModule'`).
 * @param extraKeys - option names of that adapter beyond {@link AdapterOptions} (`shareRequestShape`, `maxBulk`).
 * @returns the checked configuration (see {@link AdapterConfig}).
 * @throws {@link InvalidRequestError} for a malformed or unknown option.
 * @example
 * ```ts
 * const config = adapterConfig({ pdp, tenant: fromHeader('x-tenant-id'), subject: (req) => req.user?.id }, 'myAdapter()');
 * ```
 */
export function adapterConfig<TReq = RequestLike>(
  options: AdapterOptions<TReq>,
  where: string,
  extraKeys: readonly string[] = [],
): AdapterConfig<TReq> {
  checkAdapterOptions(options, where, extraKeys);
  return buildConfig(options);
}

/**
 * Checks an adapter's options without building anything (a Nest module checks them when it is defined and builds
 * the client when the app starts). Same checks and errors as {@link adapterConfig}.
 * @throws {@link InvalidRequestError} for a malformed or unknown option.
 * @example
 * ```ts
 * checkAdapterOptions(options, 'GatehouseModule');
 * ```
 */
export function checkAdapterOptions<TReq = RequestLike>(
  options: AdapterOptions<TReq>,
  where: string,
  extraKeys: readonly string[] = [],
): void {
  const given: unknown = options;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw InvalidRequestError.badValue(`${where} options`, given, 'an object { pdp | client, subject, tenant?, … }');
  }
  for (const key of Object.keys(options)) {
    if (!ADAPTER_OPTION_NAMES.includes(key) && !extraKeys.includes(key)) {
      throw InvalidRequestError.badValue(`${where} options`, key, `known option names (${[...ADAPTER_OPTION_NAMES, ...extraKeys].join(', ')})`);
    }
  }
  const raw = options as Partial<Record<keyof AdapterOptions, unknown>>;
  const hasPdp = raw.pdp !== undefined;
  const hasClient = raw.client !== undefined;
  if (hasPdp === hasClient) {
    throw InvalidRequestError.badValue(`${where} options`, hasPdp ? 'both pdp and client' : 'neither pdp nor client', 'exactly one of options.pdp and options.client');
  }
  if (hasPdp && typeof (raw.pdp as { check?: unknown }).check !== 'function') {
    throw bad(where, 'pdp', raw.pdp, 'a Pdp (EmbeddedPdp, RemotePdp)');
  }
  if (hasClient && !isClient(raw.client)) throw bad(where, 'client', raw.client, 'a Gatehouse client');
  if (hasClient && (raw.cache !== undefined || raw.clientOptions !== undefined)) {
    throw bad(where, raw.cache === undefined ? 'clientOptions' : 'cache', 'with options.client', 'client options only with options.pdp (configure your own client instead)');
  }
  if (raw.clientOptions !== undefined && (typeof raw.clientOptions !== 'object' || raw.clientOptions === null)) {
    throw bad(where, 'clientOptions', raw.clientOptions, 'an object of Gatehouse client options');
  }
  if (typeof raw.subject !== 'function') throw bad(where, 'subject', raw.subject, 'a function (req) => subject id | Subject | undefined');
  const tenant = raw.tenant;
  if (tenant !== undefined && typeof tenant !== 'function' && (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant))) {
    throw bad(where, 'tenant', tenant, 'a tenant resolver such as fromHeader("x-tenant-id"), or a tenant id');
  }
  if (raw.defaultTenant !== undefined && (typeof raw.defaultTenant !== 'string' || !TENANT_PATTERN.test(raw.defaultTenant))) {
    throw bad(where, 'defaultTenant', raw.defaultTenant, 'a tenant id (letters, digits, "_.-")');
  }
  const subjectType = raw.subjectType ?? 'user';
  if (typeof subjectType !== 'string' || !NAME_PATTERN.test(subjectType)) {
    throw bad(where, 'subjectType', subjectType, 'a type name of letters and "_" only');
  }
  oneOf(where, 'missingTenant', raw.missingTenant, ['reject', 'default'], 'reject');
  oneOf(where, 'onDeny', raw.onDeny, ['respond', 'next'], 'respond');
  flag(where, 'surfaceOutages', raw.surfaceOutages);
  flag(where, 'allowSubjectRelations', raw.allowSubjectRelations);
}

/** Builds the configuration of options {@link checkAdapterOptions} accepted. */
function buildConfig<TReq>(options: AdapterOptions<TReq>): AdapterConfig<TReq> {
  const { client: given, pdp, cache, clientOptions, tenant, defaultTenant, subject } = options;
  let client = given;
  if (client === undefined) {
    if (pdp === undefined) throw new InvalidRequestError('adapter options: exactly one of options.pdp and options.client');
    client = new Gatehouse({
      ...clientOptions,
      pdp,
      ...(cache === undefined ? {} : { cache }),
      ...(defaultTenant === undefined ? {} : { defaultTenant }),
    });
  }
  return {
    client,
    ownsClient: given === undefined,
    tenant: typeof tenant === 'string' ? () => tenant : tenant,
    tenantPolicy: { defaultTenant: defaultTenant ?? client.defaultTenant, missingTenant: options.missingTenant ?? 'reject' },
    subject,
    subjectPolicy: { subjectType: options.subjectType ?? 'user', allowSubjectRelations: options.allowSubjectRelations ?? false },
    onDeny: options.onDeny ?? 'respond',
    surfaceOutages: options.surfaceOutages ?? false,
  };
}
