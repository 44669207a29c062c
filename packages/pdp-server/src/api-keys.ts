import { createHash, timingSafeEqual } from 'node:crypto';
import { assertTenant, InvalidRequestError } from '@gatehouse/core';

/** One configured API key: the secret, and the tenants it may use (`undefined`: every tenant). */
export interface ApiKeySpec {
  readonly key: string;
  readonly tenants?: readonly string[];
}

/** Who a request authenticated as. */
export interface Principal {
  /** A short, non-secret id of the key (for logs, metrics and rate limits): `key#<index>`. */
  readonly id: string;
  /** The tenants the key may use, or `undefined` for all. */
  readonly tenants: ReadonlySet<string> | undefined;
  /** True for the metrics key (`--metrics-key`): it reads `/metrics` and nothing else. */
  readonly metricsOnly?: boolean;
}

/** The principal of the metrics key: no tenant, `/metrics` only. */
export const METRICS_PRINCIPAL: Principal = Object.freeze({ id: 'metrics', tenants: new Set<string>(), metricsOnly: true });

/**
 * Parses one key in the flag/env syntax: `SECRET` or `SECRET:*` (every tenant), `SECRET:acme+globex`
 * (only those tenants; `,` is accepted instead of `+` in a single `--api-key` value). The split is at the
 * last `:`, so a secret that itself contains `:` must be written `SECRET:*`.
 * @throws {@link InvalidRequestError} for an empty secret or a bad tenant id.
 * @example
 * ```ts
 * parseApiKey('s3cret:acme+globex'); // { key: 's3cret', tenants: ['acme', 'globex'] }
 * ```
 */
export function parseApiKey(text: string, allowComma = false): ApiKeySpec {
  const colon = text.lastIndexOf(':');
  if (colon === -1) return checkSecret({ key: text });
  const key = text.slice(0, colon);
  const scope = text.slice(colon + 1);
  if (scope === '*') return checkSecret({ key });
  const tenants = scope.split(allowComma ? /[+,]/ : /\+/).map((t) => {
    try {
      return assertTenant(t);
    } catch {
      throw new InvalidRequestError(
        `invalid API key scope ${JSON.stringify(scope)}: expected SECRET, SECRET:* or SECRET:tenantA+tenantB (a secret containing ":" must end with ":*")`,
      );
    }
  });
  return checkSecret({ key, tenants });
}

/**
 * Parses `GATEHOUSE_API_KEYS`: comma-separated keys, each in {@link parseApiKey} syntax.
 * @example
 * ```ts
 * parseApiKeyList('admin,acme-key:acme'); // [{ key: 'admin' }, { key: 'acme-key', tenants: ['acme'] }]
 * ```
 */
export function parseApiKeyList(text: string): ApiKeySpec[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => parseApiKey(s));
}

function checkSecret(spec: ApiKeySpec): ApiKeySpec {
  if (spec.key.length < 1) throw new InvalidRequestError('invalid API key: the secret is empty');
  return spec;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The configured keys, compared in constant time: the presented key and every configured key are hashed
 * to 32 bytes and compared with `crypto.timingSafeEqual`, always against every key, so neither the
 * length nor the position of a match leaks through timing.
 * @example
 * ```ts
 * const ring = new ApiKeyring([{ key: 's3cret' }]);
 * ring.authenticate('s3cret'); // { id: 'key#0', tenants: undefined }
 * ```
 */
export class ApiKeyring {
  readonly #entries: { readonly hash: Buffer; readonly principal: Principal }[];
  readonly #size: number;

  /**
   * @param keys - the API keys.
   * @param metricsKey - a key that reads `/metrics` only ({@link METRICS_PRINCIPAL}); it must differ from every API key.
   * @throws {@link InvalidRequestError} when the metrics key is empty or is also an API key.
   */
  public constructor(keys: readonly ApiKeySpec[], metricsKey?: string) {
    this.#entries = keys.map((k, i) => ({
      hash: digest(k.key),
      principal: { id: `key#${String(i)}`, tenants: k.tenants === undefined ? undefined : new Set(k.tenants) },
    }));
    this.#size = this.#entries.length;
    if (metricsKey !== undefined) {
      if (metricsKey.length === 0) throw new InvalidRequestError('invalid metrics key: the secret is empty');
      if (keys.some((k) => k.key === metricsKey)) throw new InvalidRequestError('invalid metrics key: it is also an API key; give it a secret of its own');
      this.#entries.push({ hash: digest(metricsKey), principal: METRICS_PRINCIPAL });
    }
  }

  /** Number of configured API keys (the metrics key not included). */
  public get size(): number {
    return this.#size;
  }

  /** The principal of a presented key, or `undefined` when it matches none. */
  public authenticate(presented: string): Principal | undefined {
    const h = digest(presented);
    let found: Principal | undefined;
    for (const e of this.#entries) {
      if (timingSafeEqual(h, e.hash) && found === undefined) found = e.principal;
    }
    return found;
  }
}

/** The bearer token of an `Authorization` header value, or `undefined`. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
