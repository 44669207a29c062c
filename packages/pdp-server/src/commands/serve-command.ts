import { readFile } from 'node:fs/promises';
import { InvalidRequestError } from '@gatehouse/core';
import type { Store } from '@gatehouse/engine';
import { parseApiKey, parseApiKeyList } from '../api-keys.js';
import { devHostRefusal, isLoopbackHost } from '../loopback.js';
import type { ApiKeySpec } from '../api-keys.js';
import type { CliIo } from '../main.js';
import { ADMIN_SERVE_USAGE, adminServeOptions } from './admin-serve-options.js';
import type { ServerOptions } from '../options.js';
import { parseSeedData } from '../seed.js';
import { createServer } from '../server.js';
import type { GatehouseServer } from '../server.js';

/** Usage of `gatehouse serve`. */
export const SERVE_USAGE = `Usage: gatehouse serve [options]

Runs the PDP server: the Gatehouse API (Permify-shaped REST), the Permit PDP API, the SSE change feed.

Options (each also an environment variable):
  --schema FILE        GATEHOUSE_SCHEMA       schema-language file of the default tenant (t1)
  --rbac FILE          GATEHOUSE_RBAC         RBAC YAML of the default tenant, instead of --schema
  --data FILE          GATEHOUSE_DATA         YAML/JSON: relationships, attributes, tenants: {id: {…}}; with
                                              --postgres applied only to an empty store (no transaction yet),
                                              so a restart does not bring back deleted data (logged when skipped)
  --reseed             GATEHOUSE_RESEED=1     apply --data even when the store already holds data
  --host HOST          GATEHOUSE_HOST         address to bind (default 127.0.0.1)
  --port N             GATEHOUSE_PORT         port (default 7766; 0 picks a free one)
  --api-key KEY …      GATEHOUSE_API_KEYS     bearer keys; the variable is comma-separated. KEY, KEY:* (all
                                              tenants) or KEY:tenantA+tenantB (only those; in --api-key
                                              also KEY:tenantA,tenantB). A key containing ":" ends with ":*"
  --dev                GATEHOUSE_DEV=1        allow running without a key (no authentication); only on a
                                              loopback host (127.0.0.0/8, ::1, localhost), else exit 2
  --postgres URL       GATEHOUSE_POSTGRES     store in PostgreSQL (@gatehouse/store-postgres), e.g.
                                              postgres://postgres@127.0.0.1:5432/gatehouse
  --postgres-schema S  GATEHOUSE_POSTGRES_SCHEMA  PostgreSQL schema (namespace) of the tables (default public)
${ADMIN_SERVE_USAGE}
  --rate-limit N       GATEHOUSE_RATE_LIMIT   at most N requests per second per API key;
                                              failed authentications per client address (off by default)
  --body-limit BYTES   GATEHOUSE_BODY_LIMIT   largest request body (default 1048576)
  --heartbeat-ms N     GATEHOUSE_HEARTBEAT_MS watch stream ping interval (default 15000)
  --eval-budget STEPS  GATEHOUSE_EVAL_BUDGET  steps one evaluation may take before it answers 422
                                              GH_ERR_BUDGET_EXCEEDED (default 100000; docs/budgets.md)
  --max-watchers N     GATEHOUSE_MAX_WATCHERS open watch streams in all; more are refused with 429
                                              (default 1000)
  --max-watchers-per-key N  GATEHOUSE_MAX_WATCHERS_PER_KEY  open watch streams of one API key (default 100)
  --metrics-key KEY    GATEHOUSE_METRICS_KEY  a key that reads /metrics and nothing else (tenant-scoped
                                              API keys get 403 on /metrics; unscoped keys read it)
  --log-level LEVEL    GATEHOUSE_LOG_LEVEL    pino level: fatal error warn info debug trace silent (default info)
  --ui                 GATEHOUSE_UI=1         serve the console (@gatehouse/console) at /ui/ (off by default)
  -h, --help           this text

Stops gracefully on SIGTERM or SIGINT (in-flight requests finish, watch streams end).`;

/** Parsed `serve` flags (strings as given; the env fills what is missing). */
export interface ServeFlags {
  schema?: string | undefined;
  rbac?: string | undefined;
  data?: string | undefined;
  reseed?: boolean | undefined;
  host?: string | undefined;
  port?: string | undefined;
  'api-key'?: string[] | undefined;
  dev?: boolean | undefined;
  postgres?: string | undefined;
  'postgres-schema'?: string | undefined;
  'audit-retention-days'?: string | undefined;
  'rate-limit'?: string | undefined;
  'body-limit'?: string | undefined;
  'heartbeat-ms'?: string | undefined;
  'eval-budget'?: string | undefined;
  'max-watchers'?: string | undefined;
  'max-watchers-per-key'?: string | undefined;
  'metrics-key'?: string | undefined;
  'log-level'?: string | undefined;
  ui?: boolean | undefined;
}

function intOption(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) throw InvalidRequestError.badValue(name, text, `an integer ≥ ${String(min)}`);
  return Number(text);
}

async function postgresStore(url: string, schema: string | undefined): Promise<Store> {
  // Imported by name at run time so the server works without the package; a missing build is explained.
  const name = '@gatehouse/store-postgres';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(name)) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidRequestError(
      `--postgres needs @gatehouse/store-postgres, an optional peer dependency of @gatehouse/pdp-server, which could not be loaded (${(err as Error).message}): install it next to the server ("npm install @gatehouse/store-postgres"; in the Gatehouse repository run "npm run build")`,
      { cause: err },
    );
  }
  const ctor = mod.PostgresStore as (Record<string, unknown> & (new (o: unknown) => Store)) | undefined;
  if (typeof ctor !== 'function') {
    throw new InvalidRequestError('--postgres: @gatehouse/store-postgres does not export PostgresStore (is it built?)');
  }
  const options = schema === undefined ? { connectionString: url } : { connectionString: url, schema };
  if (typeof ctor.create === 'function') return await (ctor.create as (o: unknown) => Promise<Store>)(options);
  if (typeof ctor.connect === 'function') return await (ctor.connect as (o: unknown) => Promise<Store>)(options);
  return new ctor(options);
}

/**
 * Builds {@link createServer} options from `serve` flags and the environment (flags win; API keys of
 * both are combined); reads the schema and data files and opens the PostgreSQL store when asked.
 * @throws {@link InvalidRequestError} for a bad number, key or data file; fs errors for unreadable files.
 * @example
 * ```ts
 * const server = await createServer(await serveOptions({ schema: 'schema.perm' }, process.env));
 * ```
 */
export async function serveOptions(flags: ServeFlags, env: Readonly<Record<string, string | undefined>>): Promise<ServerOptions> {
  const pick = (flag: string | undefined, name: string): string | undefined => flag ?? (env[name] === '' ? undefined : env[name]);
  const schemaFile = pick(flags.schema, 'GATEHOUSE_SCHEMA');
  const rbacFile = pick(flags.rbac, 'GATEHOUSE_RBAC');
  const dataFile = pick(flags.data, 'GATEHOUSE_DATA');
  const keys: ApiKeySpec[] = [
    ...(flags['api-key'] ?? []).map((k) => parseApiKey(k, true)),
    ...parseApiKeyList(env.GATEHOUSE_API_KEYS ?? ''),
  ];
  const dev = flags.dev === true || ['1', 'true', 'yes'].includes((env.GATEHOUSE_DEV ?? '').toLowerCase());
  const ui = flags.ui === true || ['1', 'true', 'yes'].includes((env.GATEHOUSE_UI ?? '').toLowerCase());
  const reseed = flags.reseed === true || ['1', 'true', 'yes'].includes((env.GATEHOUSE_RESEED ?? '').toLowerCase());
  const port = intOption('--port', pick(flags.port, 'GATEHOUSE_PORT'), 0);
  if (port !== undefined && port > 65535) throw InvalidRequestError.badValue('--port', port, 'a port 0-65535');
  const rateLimit = intOption('--rate-limit', pick(flags['rate-limit'], 'GATEHOUSE_RATE_LIMIT'), 1);
  const bodyLimit = intOption('--body-limit', pick(flags['body-limit'], 'GATEHOUSE_BODY_LIMIT'), 1);
  const heartbeatMs = intOption('--heartbeat-ms', pick(flags['heartbeat-ms'], 'GATEHOUSE_HEARTBEAT_MS'), 10);
  const evalBudget = intOption('--eval-budget', pick(flags['eval-budget'], 'GATEHOUSE_EVAL_BUDGET'), 1);
  const maxWatchers = intOption('--max-watchers', pick(flags['max-watchers'], 'GATEHOUSE_MAX_WATCHERS'), 1);
  const maxWatchersPerKey = intOption('--max-watchers-per-key', pick(flags['max-watchers-per-key'], 'GATEHOUSE_MAX_WATCHERS_PER_KEY'), 1);
  const metricsKey = pick(flags['metrics-key'], 'GATEHOUSE_METRICS_KEY');
  const postgres = pick(flags.postgres, 'GATEHOUSE_POSTGRES');
  const host = pick(flags.host, 'GATEHOUSE_HOST');
  // --dev takes requests without a key: never from another machine.
  if (dev && host !== undefined && !isLoopbackHost(host)) throw new InvalidRequestError(devHostRefusal(host));
  const logLevel = pick(flags['log-level'], 'GATEHOUSE_LOG_LEVEL');
  const admin = await adminServeOptions(postgres, pick(flags['postgres-schema'], 'GATEHOUSE_POSTGRES_SCHEMA'), pick(flags['audit-retention-days'], 'GATEHOUSE_AUDIT_RETENTION_DAYS'));
  return {
    ...(schemaFile === undefined ? {} : { schema: await readFile(schemaFile, 'utf8') }),
    ...(rbacFile === undefined ? {} : { rbac: await readFile(rbacFile, 'utf8') }),
    ...(dataFile === undefined ? {} : { data: parseSeedData(await readFile(dataFile, 'utf8')) }),
    ...(postgres === undefined ? {} : { store: await postgresStore(postgres, pick(flags['postgres-schema'], 'GATEHOUSE_POSTGRES_SCHEMA')) }),
    ...(admin === undefined ? {} : { admin }),
    ...(reseed ? { reseed } : {}),
    ...(ui ? { ui } : {}),
    apiKeys: keys,
    dev,
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(bodyLimit === undefined ? {} : { bodyLimit }),
    ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
    ...(evalBudget === undefined ? {} : { budget: { maxSteps: evalBudget } }),
    ...(maxWatchers === undefined ? {} : { maxWatchers }),
    ...(maxWatchersPerKey === undefined ? {} : { maxWatchersPerKey }),
    ...(metricsKey === undefined ? {} : { metricsKey }),
    ...(logLevel === undefined ? {} : { logLevel }),
  };
}

/** Runs `gatehouse serve` until SIGTERM/SIGINT (or until `io.onListening`'s server is closed). */
export async function serveCommand(flags: ServeFlags, io: CliIo): Promise<number> {
  const options = await serveOptions(flags, io.env);
  let server: GatehouseServer;
  try {
    server = await createServer(options);
  } catch (err) {
    await options.store?.close();
    await options.admin?.store?.close();
    throw err;
  }
  const { url } = await server.listen();
  const done = new Promise<void>((resolve) => {
    server.app.server.once('close', () => {
      resolve();
    });
  });
  const stop = (): void => {
    void server.close();
  };
  if (io.handleSignals) {
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }
  // Printed once the signal handlers are in place: whoever waits for this line may signal at once.
  io.stderr(`gatehouse PDP listening on ${url}${options.dev === true && (options.apiKeys ?? []).length === 0 ? ' (dev mode: no API key required)' : ''}\n`);
  if (options.ui === true) io.stderr(`gatehouse console at ${url}/ui/\n`);
  io.onListening?.(server, url);
  await done;
  await server.close();
  if (io.handleSignals) {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
  return 0;
}
