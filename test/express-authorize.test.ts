import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { createServer } from 'node:net';
import express from 'express';
import request from 'supertest';
import { ClientClosedError, ForbiddenError, Gatehouse, InvalidRequestError, PdpUnavailableError } from '@gatehouse/core';
import type { DecisionEvent } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import {
  authorize,
  fromBody,
  fromHeader,
  fromParam,
  fromQuery,
  gatehouse,
  type GatehouseMiddlewareOptions,
} from '@gatehouse/express';

// Express 4 has no types of its own under the alias; it has the same surface for what these tests use.
const express4Name = 'express4';
const express4 = (await import(express4Name)).default as typeof express;

const schema = `
entity user {}

entity tenant {
  relation admin @user
  relation editor @user
  relation member @user
}

rule unrestricted(classification string) {
  classification != 'restricted'
}

entity document {
  relation owner @user
  relation viewer @user
  attribute public boolean
  attribute classification string

  permission view = owner or viewer or tenant.admin or public or (tenant.member and unrestricted(classification))
  permission edit = owner or tenant.admin or (tenant.editor and unrestricted(classification))
  permission delete = owner or tenant.admin
  permission create = tenant.editor or tenant.admin
}
`;

let engine: Engine;
const clients: Gatehouse[] = [];

beforeAll(async () => {
  engine = await Engine.create({ schema });
  await engine.createTenant('acme');
  await engine.createTenant('globex');
  await engine.write({
    tenant: 'acme',
    tuples: [
      'document:1#owner@user:alice',
      'document:2#viewer@user:bob',
      'tenant:acme#admin@user:carol',
      'tenant:acme#editor@user:dave',
      'tenant:acme#member@user:dave',
      'tenant:acme#member@user:erin',
    ],
    attributes: ['document:3$public|boolean:true', 'document:4$classification|string:restricted'],
  });
  await engine.write({ tenant: 'globex', tuples: ['document:1#owner@user:mallory'] });
  await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:tom'] });
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await engine.close();
});

/** The closed port of a server that was listening a moment ago: connections to it are refused. */
async function deadPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

type Options = Partial<GatehouseMiddlewareOptions>;

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
])('authorize() on %s', (_name, framework) => {
  function app(options: Options = {}, mount?: (a: express.Express) => void): express.Express {
    const a = framework();
    a.use(framework.json());
    const middleware = gatehouse({
      pdp: new EmbeddedPdp(engine),
      tenant: fromHeader('x-tenant-id'),
      subject: (req) => req.get('x-user'),
      ...options,
    } as GatehouseMiddlewareOptions);
    clients.push(middleware.client);
    a.use(middleware);
    const ok = (_req: express.Request, res: express.Response): void => {
      res.json({ ok: true });
    };
    a.get('/documents/:id', authorize('view', { type: 'document', id: fromParam('id') }), ok);
    a.patch('/documents/:id', authorize('edit', { type: 'document', id: fromParam('id') }), ok);
    a.delete('/documents/:id', authorize('delete', (req) => `document:${String(req.params.id)}`), ok);
    a.post('/documents', authorize('create', 'document'), ok);
    a.get('/fixed', authorize('view', 'document:3'), ok);
    a.get('/search', authorize('view', { type: 'document', id: fromQuery('doc') }), ok);
    a.post('/share', authorize('edit', { type: 'document', id: fromBody('documentId') }), ok);
    a.get('/async/:id', authorize('view', async (req) => ({ type: 'document', id: String(req.params.id) })), ok);
    a.get('/async-failure', authorize('view', async () => { throw new Error('lookup failed'); }), ok);
    a.get('/any/:id', authorize.any(['edit', { type: 'document', id: fromParam('id') }], ['create', 'document']), ok);
    a.get('/all/:id', authorize.all(['view', { type: 'document', id: fromParam('id') }], ['create', 'document']), ok);
    a.get('/mine', async (req, res) => {
      res.json({ ids: await req.gate?.lookupResources('view', 'document'), tenant: req.gate?.tenant });
    });
    mount?.(a);
    return a;
  }

  const as = (user: string | undefined, tenant = 'acme') => {
    const headers: Record<string, string> = { 'x-tenant-id': tenant };
    if (user !== undefined) headers['x-user'] = user;
    return headers;
  };

  it('lets the owner of a document view it', async () => {
    await request(app()).get('/documents/1').set(as('alice')).expect(200, { ok: true });
  });

  it('answers 403 JSON with the reason from the decision when the subject may not view the document', async () => {
    const res = await request(app()).get('/documents/1').set(as('bob')).expect(403);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining('document:1'), reason: 'denied' });
  });

  it('answers 401 JSON when the request has no subject', async () => {
    const res = await request(app()).get('/documents/1').set(as(undefined)).expect(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String), reason: 'unauthenticated' });
  });

  it('answers 400 JSON for an invalid tenant id, before any check', async () => {
    const res = await request(app()).get('/documents/1').set(as('alice', 'no such tenant!')).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('tenant'), reason: 'invalid_tenant' });
  });

  it("checks in the default tenant when the request names none only with missingTenant 'default'", async () => {
    await request(app({ missingTenant: 'default' })).get('/documents/1').set({ 'x-user': 'tom' }).expect(200);
    await request(app({ missingTenant: 'default' })).get('/documents/1').set({ 'x-user': 'alice' }).expect(403);
    await request(app({ missingTenant: 'default', defaultTenant: 'acme' })).get('/documents/1').set({ 'x-user': 'alice' }).expect(200);
  });

  it('answers 400 missing_tenant for a request without a tenant by default (and with missingTenant reject)', async () => {
    for (const options of [{}, { missingTenant: 'reject' as const }]) {
      const res = await request(app(options)).get('/documents/1').set({ 'x-user': 'tom' }).expect(400);
      expect(res.body.reason).toBe('missing_tenant');
    }
    // An unguarded route behind gatehouse() is not answered for it: req.gate is just not set.
    await request(app()).get('/mine').set({ 'x-user': 'tom' }).expect(200, {});
  });

  it('never lets a fact of one tenant grant access in another', async () => {
    await request(app()).get('/documents/1').set(as('mallory', 'acme')).expect(403);
    await request(app()).get('/documents/1').set(as('mallory', 'globex')).expect(200);
    await request(app()).get('/documents/1').set(as('alice', 'globex')).expect(403);
  });

  it('grants tenant-wide roles, and a user may hold several of them', async () => {
    await request(app()).delete('/documents/2').set(as('carol')).expect(200);
    await request(app()).patch('/documents/2').set(as('dave')).expect(200);
    await request(app()).get('/documents/2').set(as('dave')).expect(200);
    await request(app()).patch('/documents/2').set(as('erin')).expect(403);
  });

  it('applies the ABAC rule: members see unrestricted documents only, editors edit unrestricted ones only', async () => {
    await request(app()).get('/documents/5').set(as('erin')).expect(200);
    await request(app()).get('/documents/4').set(as('erin')).expect(403);
    await request(app()).patch('/documents/4').set(as('dave')).expect(403);
    await request(app()).patch('/documents/4').set(as('carol')).expect(200);
  });

  it('checks a type-level resource against the tenant roles', async () => {
    await request(app()).post('/documents').set(as('dave')).expect(200);
    await request(app()).post('/documents').set(as('erin')).expect(403);
  });

  it('takes the resource id from a constant, the query, the body or a sync or async function', async () => {
    await request(app()).get('/fixed').set(as('zoe')).expect(200);
    await request(app()).get('/search?doc=1').set(as('alice')).expect(200);
    await request(app()).get('/search?doc=1').set(as('bob')).expect(403);
    await request(app()).post('/share').set(as('alice')).send({ documentId: '1' }).expect(200);
    await request(app()).post('/share').set(as('bob')).send({ documentId: '1' }).expect(403);
    await request(app()).delete('/documents/1').set(as('alice')).expect(200);
    await request(app()).delete('/documents/1').set(as('dave')).expect(403);
    await request(app()).get('/async/2').set(as('bob')).expect(200);
    await request(app()).get('/async/1').set(as('bob')).expect(403);
  });

  it('answers 400 when the request does not name the resource id, or names a malformed one', async () => {
    const missing = await request(app()).get('/search').set(as('alice')).expect(400);
    expect(missing.body).toMatchObject({ statusCode: 400, error: 'Bad Request', reason: 'invalid_request' });
    await request(app()).get('/documents/a%20b').set(as('alice')).expect(400);
  });

  it('hands a failing async resource function to the error handler instead of leaking a rejection', async () => {
    const seen: unknown[] = [];
    const a = app({}, (x) => {
      x.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        seen.push(err);
        res.status(500).json({ failed: true });
      });
    });
    await request(a).get('/async-failure').set(as('alice')).expect(500, { failed: true });
    expect((seen[0] as Error).message).toBe('lookup failed');
  });

  it('hands an exception of the subject or tenant resolver to the error handler, with no unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => { rejections.push(reason); };
    process.on('unhandledRejection', onRejection);
    try {
      for (const options of [
        { subject: () => { throw new Error('session store down'); } },
        { tenant: () => { throw new Error('tenant lookup down'); } },
      ] as Options[]) {
        const a = app(options, (x) => {
          x.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
            res.status(500).json({ message: err.message });
          });
        });
        const res = await request(a).get('/documents/1').set(as('alice')).expect(500);
        expect(res.body.message).toMatch(/down$/);
      }
      await request(app()).get('/async-failure').set(as('alice')).expect(500);
      await new Promise((resolve) => { setImmediate(resolve); });
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('authorize.any lets a request through when one check is allowed', async () => {
    await request(app()).get('/any/1').set(as('alice')).expect(200);
    await request(app()).get('/any/1').set(as('dave')).expect(200);
    const res = await request(app()).get('/any/1').set(as('bob')).expect(403);
    expect(res.body.reason).toBe('denied');
  });

  it('authorize.all needs every check allowed', async () => {
    await request(app()).get('/all/2').set(as('dave')).expect(200);
    await request(app()).get('/all/1').set(as('alice')).expect(403);
    await request(app()).get('/all/2').set(as('bob')).expect(403);
  });

  it('sets req.gate bound to the tenant and subject for handlers', async () => {
    const res = await request(app()).get('/mine').set(as('alice')).expect(200);
    expect(res.body.tenant).toBe('acme');
    expect(res.body.ids).toEqual(expect.arrayContaining(['1', '3']));
    expect(res.body.ids).not.toContain('4');
  });

  it('req.gate reaches routers and mounted sub-apps, and each request keeps its own under concurrency', async () => {
    const a = app({}, (x) => {
      const router = framework.Router();
      router.get('/who/:id', authorize('view', { type: 'document', id: fromParam('id') }), (req, res) => {
        res.json({ tenant: req.gate?.tenant, subject: req.gate?.subject.id });
      });
      const sub = framework();
      sub.get('/who/:id', authorize('view', { type: 'document', id: fromParam('id') }), (req, res) => {
        res.json({ tenant: req.gate?.tenant, subject: req.gate?.subject.id });
      });
      x.use('/router', router);
      x.use('/sub', sub);
    });
    await request(a).get('/router/who/1').set(as('alice')).expect(200, { tenant: 'acme', subject: 'alice' });
    await request(a).get('/sub/who/1').set(as('alice')).expect(200, { tenant: 'acme', subject: 'alice' });
    await request(a).get('/sub/who/1').set(as('bob')).expect(403);
    const users = ['alice', 'carol', 'tom'] as const;
    const answers = await Promise.all(Array.from({ length: 30 }, async (_, i) => {
      const user = users[i % 3];
      const tenant = user === 'tom' ? 't1' : 'acme';
      const res = await request(a).get('/router/who/1').set(as(user, tenant)).expect(200);
      return [user, tenant, res.body] as const;
    }));
    for (const [user, tenant, body] of answers) expect(body).toEqual({ tenant, subject: user });
  });

  it("replaces a req.gate an earlier middleware set, even as an own property, and an anonymous request keeps none", async () => {
    const foreign = { tenant: 'globex' };
    const a = framework();
    a.use((req, _res, next) => {
      if (req.get('x-own') === '1') Object.defineProperty(req, 'gate', { value: foreign, writable: true, configurable: true, enumerable: true });
      else req.gate = foreign as never;
      next();
    });
    const middleware = gatehouse({ pdp: new EmbeddedPdp(engine), tenant: fromHeader('x-tenant-id'), subject: (req) => req.get('x-user') });
    clients.push(middleware.client);
    a.use(middleware);
    a.get('/documents/:id', authorize('view', { type: 'document', id: fromParam('id') }), (req, res) => { res.json({ tenant: req.gate?.tenant }); });
    a.get('/gate', (req, res) => { res.json({ gate: req.gate === undefined ? 'none' : req.gate.tenant }); });
    for (const own of ['0', '1']) {
      await request(a).get('/documents/1').set({ ...as('alice'), 'x-own': own }).expect(200, { tenant: 'acme' });
      await request(a).get('/gate').set({ ...as(undefined), 'x-own': own }).expect(200, { gate: 'none' });
      await request(a).get('/documents/1').set({ ...as(undefined), 'x-own': own }).expect(401);
    }
  });

  it('adds only req.gate (a plain own property) to req and nothing to res, with or without shareRequestShape', async () => {
    for (const shareRequestShape of [true, false]) {
      const a = framework();
      let before: { req: (string | symbol)[]; res: (string | symbol)[]; url: string } | undefined;
      a.use((req, res, next) => {
        (req as unknown as Record<string, unknown>).custom = 'kept';
        before = { req: Reflect.ownKeys(req), res: Reflect.ownKeys(res), url: req.url };
        next();
      });
      const middleware = gatehouse({ pdp: new EmbeddedPdp(engine), tenant: fromHeader('x-tenant-id'), subject: (req) => req.get('x-user'), shareRequestShape });
      clients.push(middleware.client);
      a.use(middleware);
      a.get('/documents/:id', (req, res) => {
        res.json({
          req: Reflect.ownKeys(req).map(String),
          res: Reflect.ownKeys(res).map(String),
          before: { req: before?.req.map(String), res: before?.res.map(String) },
          custom: (req as unknown as Record<string, unknown>).custom,
          url: req.url === before?.url,
          gate: req.gate?.tenant,
        });
      });
      const { body } = await request(a).get('/documents/1').set(as('alice')).expect(200);
      // The router adds its own keys after the first middleware; what gatehouse() must not do is add or drop any.
      const notRouters = (keys: string[]): string[] => keys.filter((k) => !['params', 'route', 'query'].includes(k));
      expect(notRouters(body.req).filter((k) => k !== 'gate').sort()).toEqual(notRouters(body.before.req).sort());
      expect(body.req.filter((k: string) => k === 'gate')).toEqual(['gate']);
      expect(body.res).toEqual(body.before.res);
      expect(body.req.some((k: string) => k.includes('gatehouse'))).toBe(false);
      expect(body).toMatchObject({ custom: 'kept', url: true, gate: 'acme' });
    }
  });

  it('sees a revoked grant at once', async () => {
    const a = app();
    await engine.write({ tenant: 'acme', tuples: ['document:7#viewer@user:frank'] });
    await request(a).get('/documents/7').set(as('frank')).expect(200);
    await engine.delete({ tenant: 'acme', tuples: ['document:7#viewer@user:frank'] });
    await request(a).get('/documents/7').set(as('frank')).expect(403);
  });

  it("with onDeny 'next' passes core's errors with status set to the app's error handler", async () => {
    const seen: unknown[] = [];
    const a = app({ onDeny: 'next' }, (x) => {
      x.use((err: any, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        seen.push(err);
        res.status(err.status).json({ mine: err.reason });
      });
    });
    await request(a).get('/documents/1').set(as('bob')).expect(403, { mine: 'denied' });
    expect(seen[0]).toBeInstanceOf(ForbiddenError);
    expect(seen[0]).toMatchObject({ status: 403, statusCode: 403, reason: 'denied' });
    await request(a).get('/documents/1').set(as(undefined)).expect(401, { mine: 'unauthenticated' });
    await request(a).get('/documents/1').set(as('alice', '%%%')).expect(400, { mine: 'invalid_tenant' });
    expect(seen[2]).toBeInstanceOf(InvalidRequestError);
  });

  it('denies with reason pdp_unavailable when the PDP is down, and answers 503 only with surfaceOutages', async () => {
    const port = await deadPort();
    const client = new Gatehouse({ pdp: new RemotePdp({ url: `http://127.0.0.1:${String(port)}` }), timeoutMs: 2000 });
    try {
      const hidden = await request(app({ client, pdp: undefined } as unknown as Options)).get('/documents/1').set(as('alice')).expect(403);
      expect(hidden.body.reason).toBe('pdp_unavailable');
      const shown = await request(app({ client, pdp: undefined, surfaceOutages: true } as unknown as Options))
        .get('/documents/1')
        .set(as('alice'))
        .expect(503);
      expect(shown.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.any(String), reason: 'pdp_unavailable' });
      const seen: unknown[] = [];
      const a = app({ client, pdp: undefined, surfaceOutages: true, onDeny: 'next' } as unknown as Options, (x) => {
        x.use((err: any, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
          seen.push(err);
          res.status(err.status).end();
        });
      });
      await request(a).get('/documents/1').set(as('alice')).expect(503);
      expect(seen[0]).toBeInstanceOf(PdpUnavailableError);
    } finally {
      await client.close();
    }
  });

  it('passes a configuration error to next when gatehouse() was not mounted', async () => {
    const a = framework();
    a.get('/x', authorize('view', 'document:1'), (_req, res) => { res.end(); });
    a.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ message: err.message });
    });
    const res = await request(a).get('/x').expect(500);
    expect(res.body.message).toMatch(/gatehouse\(\)/);
  });
});

describe('authorize() and gatehouse() at definition', () => {
  it('reject a malformed action or resource before any request', () => {
    expect(() => authorize('not an action', 'document')).toThrow(InvalidRequestError);
    expect(() => authorize('view', 'document:bad id')).toThrow(InvalidRequestError);
    expect(() => authorize('view', { type: 'bad-type' })).toThrow(InvalidRequestError);
    expect(() => authorize.any()).toThrow(InvalidRequestError);
  });

  it('reject options without a PDP or with an invalid default tenant', () => {
    const base = { tenant: fromHeader('x-tenant-id'), subject: () => undefined };
    expect(() => gatehouse(base as unknown as GatehouseMiddlewareOptions)).toThrow(/pdp/);
    expect(() => gatehouse({ ...base, pdp: new EmbeddedPdp(engine), defaultTenant: 'bad tenant' })).toThrow(InvalidRequestError);
    expect(() => gatehouse({ ...base, pdp: new EmbeddedPdp(engine), shareRequestShape: 'yes' as unknown as boolean })).toThrow(/shareRequestShape/);
  });
});

describe('authorize() on a warm cache', () => {
  it('calls next() synchronously on an allowed hit, and logs and counts that hit as gate.check() would', async () => {
    const events: DecisionEvent[] = [];
    const client = new Gatehouse({ pdp: new EmbeddedPdp(engine), onDecision: (e) => events.push(e) });
    clients.push(client);
    const middleware = gatehouse({ client, tenant: fromHeader('x-tenant-id'), subject: (req) => req.headers['x-user'] as string });
    const guard = authorize('view', { type: 'document', id: fromParam('id') });
    const req = { headers: { 'x-tenant-id': 'acme', 'x-user': 'alice' }, params: { id: '1' } } as unknown as express.Request;
    const res = undefined as unknown as express.Response;
    middleware(req, res, () => undefined);
    const run = (): { sync: boolean; done: Promise<unknown> } => {
      let sync = false;
      let calledSync = true;
      const done = new Promise((resolve) => {
        guard(req, res, (err?: unknown) => {
          sync = calledSync;
          resolve(err);
        });
      });
      calledSync = false;
      return { get sync() { return sync; }, done };
    };
    for (let i = 0; i < 3; i++) expect(await run().done).toBeUndefined();
    const hits = client.stats.hits;
    events.length = 0;
    const warm = run();
    expect(warm.sync).toBe(true);
    expect(await warm.done).toBeUndefined();
    expect(client.stats.hits).toBe(hits + 1);
    expect(events).toEqual([expect.objectContaining({ tenant: 'acme', subject: 'user:alice', action: 'view', resource: 'document:1', allowed: true, cached: true })]);
  });
});

describe('authorize() with a req.gate the app set itself', () => {
  it('checks through that gate and answers a denial as JSON, without gatehouse() mounted', async () => {
    const client = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
    clients.push(client);
    const a = express();
    a.use((req, _res, next) => {
      req.gate = client.bind('acme', req.get('x-user') ?? 'nobody');
      next();
    });
    a.get('/documents/:id', authorize('view', { type: 'document', id: fromParam('id') }), (_req, res) => { res.json({ ok: true }); });
    await request(a).get('/documents/1').set('x-user', 'alice').expect(200, { ok: true });
    const denied = await request(a).get('/documents/1').set('x-user', 'mallory').expect(403);
    expect(denied.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'permission "view" on document:1 denied', reason: 'denied' });
  });
});

describe('authorize() after the client was closed', () => {
  it('never runs the route: the ClientClosedError reaches the app error handler instead of a decision', async () => {
    const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
    const a = express();
    a.use(gatehouse({ client: gate, tenant: () => 'acme', subject: () => 'alice' }));
    a.get('/documents/:id', authorize('view', { type: 'document', id: fromParam('id') }), (_req, res) => { res.json({ ok: true }); });
    const seen: unknown[] = [];
    a.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen.push(err);
      res.status(500).json({ error: 'closed' });
    });
    await request(a).get('/documents/1').expect(200, { ok: true });
    await gate.close();
    await request(a).get('/documents/1').expect(500, { error: 'closed' });
    expect(seen).toEqual([expect.any(ClientClosedError)]);
  });
});
