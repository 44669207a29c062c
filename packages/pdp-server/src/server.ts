import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import { InvalidRequestError } from '@gatehouse/core';
import { Engine } from '@gatehouse/engine';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { setUpAdmin } from './admin-setup.js';
import type { ServerAdmin } from './admin-setup.js';
import { ApiKeyring, bearerToken, parseApiKey } from './api-keys.js';
import type { Principal } from './api-keys.js';
import { bodySchemas } from './body-schemas.js';
import { HttpStatusError, toHttpError, unauthenticated } from './http-error.js';
import { parseJsonBody } from './json-body.js';
import { jsonDepthExceeds } from './json-depth.js';
import { devHostRefusal, isLoopbackHost } from './loopback.js';
import { ServerMetrics } from './metrics.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { DEFAULT_LIMITS } from './options.js';
import { PageTokens } from './page-token.js';
import type { ServerOptions } from './options.js';
import { bodyAuthorization } from './permit-input.js';
import type { RouteContext } from './route-context.js';
import { consoleRoot, consoleRoutes, loadConsoleFiles } from './routes/console-routes.js';
import { adminRoutes } from './routes/admin-routes.js';
import { dataRoutes } from './routes/data-routes.js';
import { explainRoutes } from './routes/explain-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { permissionRoutes } from './routes/permission-routes.js';
import { planRoutes } from './routes/plan-routes.js';
import { permitRoutes } from './routes/permit-routes.js';
import { schemaRoutes } from './routes/schema-routes.js';
import { schemaToolRoutes } from './routes/schema-tool-routes.js';
import { tenancyRoutes } from './routes/tenancy-routes.js';
import { validateRoutes } from './routes/validate-routes.js';
import { watchRoutes } from './routes/watch-routes.js';
import { applySeedData } from './seed.js';
import { StoreCensus } from './store-census.js';
import { WatchHub } from './watch-hub.js';

/** A running (or ready to listen) Gatehouse PDP server. */
export interface GatehouseServer {
  /** The fastify instance (for `app.inject()` in tests, or extra routes). */
  readonly app: FastifyInstance;
  /** The engine it serves. */
  readonly engine: Engine;
  /**
   * Starts listening. Resolves with the bound address.
   * @param options - host and port; the server options' `host`/`port` by default.
   */
  listen(options?: { host?: string; port?: number }): Promise<{ url: string; host: string; port: number }>;
  /** Stops accepting requests, lets in-flight ones finish, ends watch streams, closes an engine it created. */
  close(): Promise<void>;
}

const DEV_PRINCIPAL: Principal = { id: 'dev', tenants: undefined };
const PERMIT_PATHS = new Set(['/allowed', '/allowed/bulk', '/allowed/all-tenants', '/user-permissions', '/user-tenants']);

/**
 * Creates the PDP server: the Gatehouse API (Permify-shaped), the Permit PDP API, the SSE change feed,
 * health and metrics. Refuses to start without an API key unless `dev` is set.
 *
 * @param options - see {@link ServerOptions}.
 * @returns the server, not yet listening.
 * @throws {@link InvalidRequestError} for bad options (no key without `dev`, a malformed key); engine
 *   errors for a bad schema or seed data.
 * @example
 * ```ts
 * const server = await createServer({ schema, apiKeys: ['s3cret'] });
 * const { url } = await server.listen({ port: 0 });
 * // curl -H 'authorization: Bearer s3cret' -d '{…}' $url/v1/tenants/t1/permissions/check
 * await server.close();
 * ```
 */
export async function createServer(options: ServerOptions = {}): Promise<GatehouseServer> {
  const keys = (options.apiKeys ?? []).map((k) => (typeof k === 'string' ? parseApiKey(k, true) : k));
  if (keys.length === 0 && options.dev !== true) {
    throw new InvalidRequestError('refusing to start without an API key: give --api-key (GATEHOUSE_API_KEYS) or run with --dev');
  }
  if (options.dev === true && options.host !== undefined && !isLoopbackHost(options.host)) throw new InvalidRequestError(devHostRefusal(options.host));
  const keyring = new ApiKeyring(keys, options.metricsKey);
  const pageTokens = new PageTokens(keys.map((k) => k.key));
  // The console (--ui) is an optional peer: loaded, and its build read, before anything is opened.
  const consoleFiles = options.ui === true ? await loadConsoleFiles(await consoleRoot()) : undefined;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const ownEngine = options.engine === undefined;
  // Seed data goes only into a store that has never committed anything: a durable store that already holds
  // history keeps it (re-applying the file would bring back tuples deleted since the last start).
  let seedSkippedAt: string | undefined;
  if (options.data !== undefined && options.engine === undefined && options.store !== undefined && options.reseed !== true) {
    await options.store.open();
    const head = await options.store.headSnapToken();
    if (head !== '0') seedSkippedAt = head;
  }
  const engine =
    options.engine ??
    (await Engine.create({
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(options.rbac === undefined ? {} : { rbac: options.rbac }),
      ...(options.store === undefined ? {} : { store: options.store }),
      ...(options.budget === undefined ? {} : { budget: options.budget }),
      // Replicas with the same API keys accept each other's lookup pages.
      pageTokenKey: pageTokens.derive('engine lookup pages'),
    }));
  let admin: ServerAdmin;
  try {
    if (options.data !== undefined && seedSkippedAt === undefined) await applySeedData(engine, options.data);
    admin = await setUpAdmin(engine, options.admin);
  } catch (err) {
    if (ownEngine) await engine.close();
    throw err;
  }

  const app = Fastify({
    ...(options.logger === undefined ? { logger: { level: options.logLevel ?? 'info' } } : { loggerInstance: options.logger }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: false, allErrors: false } },
  });

  if (seedSkippedAt !== undefined) {
    app.log.info({ headSnapToken: seedSkippedAt }, 'seed data not applied: the store already holds data (its head snap token is not 0); pass reseed (--reseed) to apply it anyway');
  }

  let closing = false;
  const census = new StoreCensus(engine);
  const metrics = new ServerMetrics({
    counts: () => census.counts(),
    headSnapToken: () => engine.headSnapToken(engine.defaultTenant),
    engineStats: () => engine.stats(),
  });
  const watch = new WatchHub(engine, {
    onCount: (n) => {
      metrics.watchStreams.set(n);
    },
    onRefused: (scope) => {
      metrics.watchRefusals.inc({ scope });
    },
    ...(options.maxWatchers === undefined ? {} : { maxStreams: options.maxWatchers }),
    ...(options.maxWatchersPerKey === undefined ? {} : { maxStreamsPerKey: options.maxWatchersPerKey }),
  });
  const ctx: RouteContext = {
    engine,
    limits,
    schemas: bodySchemas(limits),
    metrics,
    watch,
    pageTokens,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    closing: () => closing,
    admin,
  };
  admin.audit.start((err) => {
    app.log.error({ err }, 'audit retention failed');
  });

  app.decorateRequest('principal', undefined);
  app.decorateRequest('authError', undefined);

  // An empty body counts as `{}` (curl -X DELETE with a JSON content type, Permify's bodiless reads).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, {});
      return;
    }
    if (jsonDepthExceeds(text, limits.maxJsonDepth)) {
      done(new HttpStatusError(400, 'GH_ERR_LIMIT', `the JSON body nests deeper than ${String(limits.maxJsonDepth)} levels`));
      return;
    }
    try {
      done(null, parseJsonBody(text));
    } catch (err) {
      done(err as Error);
    }
  });

  app.setErrorHandler((err, request, reply) => {
    const h = toHttpError(err);
    if (h.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ status: h.status, reason: h.body.details[0]?.reason }, h.body.message);
    const permit = PERMIT_PATHS.has(request.routeOptions.url ?? '');
    return reply.code(h.status).send(permit ? { ...h.body, detail: h.body.message } : h.body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 5, message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}`, details: [{ reason: 'GH_ERR_NOT_FOUND' }] }),
  );

  function identify(request: FastifyRequest, header: unknown, deferIfMissing: boolean): void {
    const token = bearerToken(header);
    if (token === undefined) {
      if (deferIfMissing) return;
      throw unauthenticated('missing API key: send "Authorization: Bearer <key>"');
    }
    const principal = keyring.authenticate(token);
    if (principal === undefined) throw unauthenticated('invalid API key');
    if (principal.metricsOnly === true && request.routeOptions.url !== '/metrics') {
      throw new HttpStatusError(403, 'GH_ERR_FORBIDDEN', 'the metrics key (--metrics-key) reads /metrics only');
    }
    request.principal = principal;
  }

  // A failed authentication is held until preParsing: the rate limiter (a route-level onRequest hook, so it runs
  // after this one) counts it first, per client address, so guessing keys is throttled too.
  app.addHook('onRequest', (request, _reply, done) => {
    const mode = request.routeOptions.config.auth;
    try {
      // An unmatched path is 404 whoever asks: authenticating there (no rate limit applies) would let a client test
      // keys without limit (401 for a bad key, 404 for a good one).
      if (mode !== 'none' && !request.is404) {
        if (keyring.size === 0) request.principal = DEV_PRINCIPAL;
        else identify(request, request.headers.authorization, mode === 'body');
      }
    } catch (err) {
      request.authError = err as Error;
    }
    done();
  });

  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (request.authError === undefined) done(null, payload);
    else done(request.authError);
  });

  // The permitio SDK's all-tenants call carries its Authorization header inside the body (permit.md §4.3).
  app.addHook('preHandler', (request, _reply, done) => {
    try {
      if (request.principal === undefined && request.routeOptions.config.auth === 'body') {
        identify(request, bodyAuthorization(request.body), false);
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });

  if (options.rateLimit !== undefined) {
    const rl = typeof options.rateLimit === 'number' ? { max: options.rateLimit } : options.rateLimit;
    if (!Number.isInteger(rl.max) || rl.max < 1) throw InvalidRequestError.badValue('options.rateLimit', rl.max, 'a positive integer');
    await app.register(rateLimit, {
      max: rl.max,
      timeWindow: rl.timeWindowMs ?? 1000,
      // Authenticated requests count per key; failed or missing authentications per client address.
      keyGenerator: (request) => request.principal?.id ?? `ip:${request.ip}`,
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        code: 'GH_ERR_RATE_LIMITED',
        message: `rate limit exceeded: at most ${String(context.max)} requests per ${context.after}`,
      }),
    });
  }

  healthRoutes(app, ctx);
  metricsRoutes(app, ctx);
  tenancyRoutes(app, ctx);
  schemaRoutes(app, ctx);
  dataRoutes(app, ctx);
  permissionRoutes(app, ctx);
  planRoutes(app, ctx);
  watchRoutes(app, ctx);
  permitRoutes(app, ctx);
  adminRoutes(app, ctx);
  schemaToolRoutes(app, ctx);
  explainRoutes(app, ctx);
  validateRoutes(app, ctx);
  if (consoleFiles !== undefined) consoleRoutes(app, consoleFiles);
  await app.ready();

  let closed: Promise<void> | undefined;
  return {
    app,
    engine,
    async listen(opts = {}) {
      const host = opts.host ?? options.host ?? '127.0.0.1';
      if (options.dev === true && !isLoopbackHost(host)) throw new InvalidRequestError(devHostRefusal(host));
      await app.listen({ host, port: opts.port ?? options.port ?? 7766 });
      const addr = app.server.address() as AddressInfo;
      const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      return { url: `http://${shown}:${String(addr.port)}`, host: addr.address, port: addr.port };
    },
    async close() {
      closed ??= (async () => {
        closing = true;
        watch.close();
        census.close();
        await app.close();
        await admin.close();
        if (ownEngine) await engine.close();
      })();
      await closed;
    },
  };
}
