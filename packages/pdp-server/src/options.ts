import type { FastifyBaseLogger } from 'fastify';
import type { Engine, EvaluationBudget, Store } from '@gatehouse/engine';
import type { ServerAdminOptions } from './admin-setup.js';
import type { ApiKeySpec } from './api-keys.js';
import type { SeedData } from './seed.js';

/** Limits on request sizes; every one is checked before the engine sees the request. */
export interface ServerLimits {
  /** Items of a bulk check (Gatehouse `bulk-check` and Permit `/allowed/bulk`). @defaultValue 100 */
  readonly maxBatchSize?: number;
  /** Tuples plus attributes of one write, ids of one filter. @defaultValue 1000 */
  readonly maxWriteSize?: number;
  /** `page_size` of reads and lookups. @defaultValue 1000 */
  readonly maxPageSize?: number;
  /** `metadata.depth` of a permission request. @defaultValue 100 */
  readonly maxDepth?: number;
  /** Contextual tuples (and, separately, attributes) of one request. @defaultValue 1000 */
  readonly maxContextItems?: number;
  /** Length of a schema text. @defaultValue 262144 */
  readonly maxSchemaBytes?: number;
  /** Nesting of arrays and objects in a JSON body. @defaultValue 32 */
  readonly maxJsonDepth?: number;
}

/** Rate limiting per API key (per client address in `--dev` without keys). */
export interface RateLimitOptions {
  /** Requests allowed per window. */
  readonly max: number;
  /** The window. @defaultValue 1000 */
  readonly timeWindowMs?: number;
}

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** Serve this engine (it is not closed by `close()`). When absent, one is created from `schema`/`rbac`/`store`. */
  readonly engine?: Engine;
  /** Schema-language text of the default tenant. */
  readonly schema?: string;
  /** RBAC YAML (docs/semantics.md#the-rbac-file) of the default tenant, instead of `schema`. */
  readonly rbac?: string;
  /** The engine's store. @defaultValue a new MemoryStore */
  readonly store?: Store;
  /**
   * Data loaded at start (relationships and attributes, per tenant). With a `store`, it is applied only when the
   * store has never committed anything (head snap token `0`), so a restart does not bring back deleted tuples;
   * with an `engine`, it is always applied.
   */
  readonly data?: SeedData;
  /** Apply `data` even when the `store` already holds data. @defaultValue false */
  readonly reseed?: boolean;
  /** Accepted bearer keys. Required unless `dev`. */
  readonly apiKeys?: readonly (string | ApiKeySpec)[];
  /**
   * A key that reads `GET /metrics` and nothing else (Prometheus scrapers). Tenant-scoped API keys get 403 on
   * `/metrics`, whose counts cover every tenant; unscoped API keys read it too.
   */
  readonly metricsKey?: string;
  /**
   * The step budget and request-size limits of every evaluation of an engine the server creates (ignored with
   * `engine`); over it a request answers 422 `GH_ERR_BUDGET_EXCEEDED`. See docs/budgets.md.
   * @defaultValue the engine's `DEFAULT_BUDGET` (100,000 steps)
   */
  readonly budget?: EvaluationBudget;
  /** Allow running without API keys (every request is then accepted). @defaultValue false */
  readonly dev?: boolean;
  /** Off unless given. A number is requests per second per key. */
  readonly rateLimit?: number | RateLimitOptions;
  /** Largest accepted request body in bytes. @defaultValue 1048576 */
  readonly bodyLimit?: number;
  /** Request limits. */
  readonly limits?: ServerLimits;
  /** Most open watch (SSE) streams in all; one more is refused with 429. @defaultValue 1000 */
  readonly maxWatchers?: number;
  /** Most open watch streams of one API key (all of `--dev` counts as one key); one more is refused with 429. @defaultValue 100 */
  readonly maxWatchersPerKey?: number;
  /** Interval of `: ping` comments on watch streams. @defaultValue 15000 */
  readonly heartbeatMs?: number;
  /** pino level (`silent` in tests). @defaultValue 'info' */
  readonly logLevel?: string;
  /** A pino logger to use instead of a new one. */
  readonly logger?: FastifyBaseLogger;
  /** Address `listen()` binds. @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** Port `listen()` binds; 0 picks a free one. @defaultValue 7766 */
  readonly port?: number;
  /** Serve the console (`@gatehouse/console`, an optional peer) at `/ui/`. @defaultValue false */
  readonly ui?: boolean;
  /** Tenant administration: the admin store (PostgreSQL with `--postgres`), audit retention, invitations. */
  readonly admin?: ServerAdminOptions;
}

/** The defaults of {@link ServerLimits}. */
export const DEFAULT_LIMITS: Required<ServerLimits> = {
  maxBatchSize: 100,
  maxWriteSize: 1000,
  maxPageSize: 1000,
  maxDepth: 100,
  maxContextItems: 1000,
  maxSchemaBytes: 256 * 1024,
  maxJsonDepth: 32,
};
