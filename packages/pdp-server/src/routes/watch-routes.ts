import { InvalidRequestError, NotFoundError } from '@gatehouse/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { overLimit } from '../http-error.js';
import { pathTenant, useTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import { compareTokens } from '../watch-hub.js';
import type { EngineChangeLike } from '../watch-hub.js';

/** Most tenants one `GET /v1/watch?tenant=…` may name (more do not fit a request line anyway). */
export const MAX_WATCH_TENANTS = 1000;

/**
 * A durable store answers one `changesSince` read with at most this many changes. A tenant whose replay
 * reaches it may have been cut short, so it gets a `reset` event instead of a partial history.
 */
const REPLAY_LIMIT = 10_000;

function resumeToken(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as { snap_token?: unknown }).snap_token;
  const token = typeof header === 'string' && header !== '' ? header : typeof query === 'string' && query !== '' ? query : undefined;
  if (token !== undefined && (token.length > 256 || !/^[\x21-\x7e]+$/.test(token))) {
    throw InvalidRequestError.badValue('Last-Event-ID', token, 'a snap token returned by this server');
  }
  return token;
}

/** The tenants named by `?tenant=a&tenant=b`, validated and in the key's scope; `undefined` when none are named. */
function tenantFilter(request: FastifyRequest): Set<string> | undefined {
  const q = (request.query as { tenant?: unknown }).tenant;
  if (q === undefined) return undefined;
  const named: unknown[] = Array.isArray(q) ? q : [q];
  if (named.length > MAX_WATCH_TENANTS) throw overLimit('the number of ?tenant= filters', MAX_WATCH_TENANTS, named.length);
  // Unknown tenants are fine: they produce no events until they are created.
  return new Set(named.map((t) => useTenant(request, t)));
}

function resetEvent(tenant: string, snapToken: string): EngineChangeLike {
  return { tenant, snapToken, kind: 'reset', changes: [] };
}

/**
 * The change feed as server-sent events: `GET /v1/tenants/{t}/watch` (one tenant) and `GET /v1/watch`
 * (every tenant the key may use, or those named by `?tenant=`, existing or not). One `change` event per
 * committed write, `id` = its snap token (one sequence across tenants); resumable with `Last-Event-ID`
 * (or `?snap_token=`) across tenants; `: ping` heartbeats. A tenant whose history cannot be replayed
 * exactly gets a `reset` event (`{tenant, kind: 'reset'}`) instead.
 */
export function watchRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, watch, heartbeatMs } = ctx;

  /** The history of one tenant after `from`, or a `reset` when it cannot be given exactly. */
  async function history(tenant: string, from: string, head: string): Promise<EngineChangeLike[]> {
    let changes: EngineChangeLike[];
    try {
      changes = await engine.changesSince(tenant, from);
    } catch (err) {
      // Not (or no longer) a tenant of this server's view: it may have been deleted while the client was
      // away, or created by another replica that this view has not caught up with. Either way the client
      // must drop what it knows of it; later events arrive live.
      if (err instanceof NotFoundError) return [resetEvent(tenant, head)];
      throw err;
    }
    return changes.length >= REPLAY_LIMIT ? [resetEvent(tenant, head)] : changes;
  }

  async function replayOf(tenants: ReadonlySet<string> | undefined, from: string, head: string): Promise<EngineChangeLike[]> {
    const ids = tenants ?? new Set(await allTenants());
    const lists = await Promise.all([...ids].map(async (t) => await history(t, from, head)));
    const seen = new Set<string>();
    const events = lists.flat().filter((e) => {
      const key = `${e.tenant}\u0000${e.snapToken}\u0000${e.kind}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    // A reset is written last, with an id no lower than any replayed change, so ids stay increasing.
    const resets = events.filter((e) => e.kind === 'reset');
    const changes = events.filter((e) => e.kind !== 'reset').sort((a, b) => compareTokens(a.snapToken, b.snapToken));
    const top = changes.reduce((max, e) => (compareTokens(e.snapToken, max) > 0 ? e.snapToken : max), head);
    return [...changes, ...resets.map((r) => resetEvent(r.tenant, top))];
  }

  async function serve(request: FastifyRequest, reply: FastifyReply, tenants: ReadonlySet<string> | undefined, headOf: string): Promise<void> {
    let from = resumeToken(request);
    // Registered before the head is read and history replayed, so no commit falls between replay and live.
    const handle = watch.open(reply.raw, tenants, request.principal?.id ?? 'anonymous');
    const head = engine.headSnapToken(headOf);
    let replay: EngineChangeLike[] = [];
    try {
      if (from !== undefined && /^\d+$/.test(from) && compareTokens(from, head) > 0) {
        // A token from the future (another server, or this one before a restart without durable history):
        // nothing can be replayed exactly, so every tenant is reset and the client's id moves to our head.
        replay = tenants === undefined ? [resetEvent('*', head)] : [...tenants].map((t) => resetEvent(t, head));
        from = undefined;
      } else if (from !== undefined && from !== head) {
        // (At the head there is nothing to replay: every later commit reaches the stream live.)
        replay = await replayOf(tenants, from, head);
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
    watch.start(handle, replay, heartbeatMs, from);
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
    engine.headSnapToken(tenant); // 404 for an unknown tenant
    await serve(request, reply, new Set([tenant]), tenant);
  });

  app.get('/v1/watch', async (request, reply) => {
    // Without a filter a tenant-scoped key gets exactly its own tenants; an unscoped key gets every tenant.
    const tenants = tenantFilter(request) ?? request.principal?.tenants;
    await serve(request, reply, tenants, engine.defaultTenant);
  });
}
