import { InvalidRequestError } from '@gatehouse/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pathTenant, useTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import { compareTokens } from '../watch-hub.js';
import type { EngineChangeLike } from '../watch-hub.js';

function resumeToken(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as { snap_token?: unknown }).snap_token;
  const token = typeof header === 'string' && header !== '' ? header : typeof query === 'string' && query !== '' ? query : undefined;
  if (token !== undefined && (token.length > 256 || !/^[\x21-\x7e]+$/.test(token))) {
    throw InvalidRequestError.badValue('Last-Event-ID', token, 'a snap token returned by this server');
  }
  return token;
}

/**
 * The change feed as server-sent events: `GET /v1/tenants/{t}/watch` (one tenant) and `GET /v1/watch`
 * (every tenant the key may use, or those named by `?tenant=`). One `change` event per committed write,
 * `id` = its snap token; resumable with `Last-Event-ID` (or `?snap_token=`); `: ping` heartbeats.
 */
export function watchRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, watch, heartbeatMs } = ctx;

  async function serve(request: FastifyRequest, reply: FastifyReply, tenants: ReadonlySet<string> | undefined, head: string): Promise<void> {
    const from = resumeToken(request);
    const handle = watch.open(reply.raw, tenants);
    let replay: EngineChangeLike[] = [];
    try {
      if (from !== undefined) {
        const ids = tenants ?? new Set(await allTenants());
        const lists = await Promise.all([...ids].map(async (t) => (await engine.changesSince(t, from)) as EngineChangeLike[]));
        const seen = new Set<string>();
        replay = lists
          .flat()
          .filter((e) => {
            const key = `${e.tenant}\u0000${e.snapToken}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          })
          .sort((a, b) => compareTokens(a.snapToken, b.snapToken));
      }
    } catch (err) {
      watch.drop(handle);
      throw err;
    }
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': request.id,
    });
    // An id-only block moves the client's Last-Event-ID to the head without dispatching an event, so a
    // reconnect resumes from here even when nothing changes meanwhile.
    reply.raw.write(`retry: 1000\n${from === undefined ? `id: ${head}\n` : ''}\n: connected\n\n`);
    watch.start(handle, replay, heartbeatMs);
  }

  async function allTenants(): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await engine.listTenants(token === undefined ? { pageSize: 1000 } : { pageSize: 1000, continuousToken: token });
      ids.push(...page.tenants.map((t) => t.id));
      token = page.continuousToken || undefined;
    } while (token !== undefined);
    return ids;
  }

  app.get('/v1/tenants/:tenant/watch', async (request, reply) => {
    const tenant = pathTenant(request);
    const head = engine.headSnapToken(tenant);
    await serve(request, reply, new Set([tenant]), head);
  });

  app.get('/v1/watch', async (request, reply) => {
    const q = (request.query as { tenant?: unknown }).tenant;
    const named = q === undefined ? undefined : (Array.isArray(q) ? q : [q]).map((t) => useTenant(request, t));
    const scope = request.principal?.tenants;
    const tenants = named !== undefined ? new Set(named) : scope;
    // Unknown tenants named in the query are a 404 now rather than a silent stream.
    for (const t of named ?? []) engine.headSnapToken(t);
    await serve(request, reply, tenants, engine.headSnapToken(engine.defaultTenant));
  });
}
