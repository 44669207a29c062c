/**
 * docs/adapters.md's behaviour table, row by row, against every adapter: Express 5 and Express 4 (`gate.authorize()`,
 * one layer, and `app.use(gatehouse())` + `authorize()`), Nest on platform-express and on platform-fastify. Each
 * row is one request and the answer the table gives it; the same PDP stub answers every adapter.
 */
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- Nest's options and the shared resolvers' requests are plain objects by design */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import { Catch, Controller, Get, Module, Param } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter, INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import request from 'supertest';
import { InvalidRequestError, PdpUnavailableError } from '@gatehouse/core';
import type { CheckRequest, Decision, Pdp, RequestLike } from '@gatehouse/core';
import type { AdapterOptions } from '@gatehouse/core/adapter';
import { authorize, fromQuery, gatehouse, permitCheckHandler as expressPermitCheck } from '@gatehouse/express';
import { fromHeader, fromParam, GatehouseModule, Permission, PermissionGuard, permitCheckHandler as nestPermitCheck } from '@gatehouse/nestjs';

const express4Name = 'express4';
const express4 = (await import(express4Name)).default as typeof express;

/** alice may view document:1 in acme and in t1; tenant `down` is a PDP outage. */
class StubPdp implements Pdp {
  public async check(req: CheckRequest): Promise<Decision> {
    if (req.tenant === 'down') throw new PdpUnavailableError('the PDP is down');
    const allowed = req.subject.type === 'user' && req.subject.id === 'alice' && req.subject.relation === undefined && req.resource.type === 'document' && req.resource.id === '1';
    return await Promise.resolve(allowed ? { allowed: true } : { allowed: false, reason: 'denied' });
  }
  public async checkMany(reqs: readonly CheckRequest[]): Promise<Decision[]> {
    return await Promise.all(reqs.map(async (r) => await this.check(r)));
  }
  public async subjectPermissions(): Promise<never> {
    return await Promise.reject(new Error('not used'));
  }
  public async lookupResources(): Promise<never> {
    return await Promise.reject(new Error('not used'));
  }
  public async lookupSubjects(): Promise<never> {
    return await Promise.reject(new Error('not used'));
  }
  public subscribe(): () => void {
    return () => undefined;
  }
}

/** The subject resolver of every adapter: the `x-user` header, or a JSON Subject object in `x-subject`. */
function subjectOf(req: RequestLike): string | { type: string; id: string; relation?: string } | undefined {
  const object = req.headers['x-subject'];
  if (typeof object === 'string') return JSON.parse(object) as { type: string; id: string };
  const user = req.headers['x-user'];
  return typeof user === 'string' ? user : undefined;
}

type Options = Partial<AdapterOptions>;

interface Harness {
  readonly name: string;
  /** An HTTP server with `GET /documents/:id` (view), `GET /search?doc=` (view) and `/permit-check`. */
  start(options: Options): Promise<{ server: Server; close: () => Promise<void> }>;
}

function base(options: Options): AdapterOptions {
  return { pdp: new StubPdp(), tenant: fromHeader('x-tenant-id'), subject: subjectOf, ...options };
}

function expressHarness(name: string, framework: typeof express, mounted: boolean): Harness {
  return {
    name,
    start: async (options) => {
      const app = framework();
      const gate = gatehouse(base(options) as Parameters<typeof gatehouse>[0]);
      const guard = mounted ? authorize : gate.authorize;
      if (mounted) app.use(gate);
      const ok = (_req: express.Request, res: express.Response): void => { res.json({ ok: true }); };
      app.get('/documents/:id', guard('view', { type: 'document', id: fromParam('id') }), ok);
      app.get('/search', guard('view', { type: 'document', id: fromQuery('doc') }), ok);
      app.all('/permit-check', mounted ? expressPermitCheck() : expressPermitCheck(base(options) as never));
      app.use((err: { status?: number; reason?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(err.status ?? 500).json({ handledBy: 'app', reason: err.reason ?? 'unknown' });
      });
      const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => { resolve(s); }); });
      return {
        server,
        close: async () => {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
          await gate.client.close();
        },
      };
    },
  };
}

@Catch()
class AppFilter implements ExceptionFilter {
  public catch(err: { status?: number; reason?: string; getStatus?: () => number; getResponse?: () => unknown }, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<{ status(code: number): { json?(b: unknown): void; send?(b: unknown): void } }>();
    if (typeof err.getStatus === 'function') {
      const answer = reply.status(err.getStatus());
      (answer.json ?? answer.send)?.call(answer, err.getResponse?.());
      return;
    }
    const answer = reply.status(err.status ?? 500);
    (answer.json ?? answer.send)?.call(answer, { handledBy: 'app', reason: err.reason ?? 'unknown' });
  }
}

function nestHarness(name: string, fastify: boolean): Harness {
  return {
    name,
    start: async (options) => {
      @Controller()
      class DocumentsController {
        @Get('documents/:id')
        @Permission('view', 'document', { id: fromParam('id') })
        public view(@Param('id') id: string): object {
          return { ok: id !== '' };
        }

        @Get('search')
        @Permission('view', 'document', { id: fromQuery('doc') })
        public search(): object {
          return { ok: true };
        }
      }
      @Module({
        imports: [GatehouseModule.forRoot(base(options))],
        controllers: [DocumentsController, nestPermitCheck({ path: 'permit-check' })],
        providers: [{ provide: APP_GUARD, useClass: PermissionGuard }, ...(options.onDeny === 'next' ? [{ provide: APP_FILTER, useClass: AppFilter }] : [])],
      })
      class AppModule {}
      const app: INestApplication = fastify
        ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false })
        : await NestFactory.create(AppModule, { logger: false });
      await app.init();
      if (fastify) await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
      return { server: app.getHttpServer() as Server, close: async () => { await app.close(); } };
    },
  };
}

const HARNESSES: Harness[] = [
  expressHarness('Express 5, gate.authorize()', express, false),
  expressHarness('Express 5, app.use(gatehouse()) + authorize()', express, true),
  expressHarness('Express 4, gate.authorize()', express4, false),
  expressHarness('Express 4, app.use(gatehouse()) + authorize()', express4, true),
  nestHarness('Nest on platform-express', false),
  nestHarness('Nest on platform-fastify', true),
];

/** One row of the table: options, a request, the answer. */
interface Row {
  readonly row: string;
  readonly options?: Options;
  readonly path?: string;
  readonly headers: Record<string, string>;
  readonly status: number;
  readonly reason?: string;
  readonly handledByApp?: boolean;
}

const alice = { 'x-tenant-id': 'acme', 'x-user': 'alice' };
const ROWS: Row[] = [
  { row: 'allowed → 200', headers: alice, status: 200 },
  { row: 'anonymous → 401 unauthenticated', headers: { 'x-tenant-id': 'acme' }, status: 401, reason: 'unauthenticated' },
  { row: 'anonymous and no tenant → 401 (the subject is looked at first)', headers: {}, status: 401, reason: 'unauthenticated' },
  { row: 'subject id that is not an id → 400 invalid_subject', headers: { 'x-tenant-id': 'acme', 'x-user': 'tenant:acme#admin' }, status: 400, reason: 'invalid_subject' },
  { row: 'a valid id is opaque: user:alice is not alice → 403', headers: { 'x-tenant-id': 'acme', 'x-user': 'user:alice' }, status: 403, reason: 'denied' },
  { row: 'a Subject object names another type', headers: { 'x-tenant-id': 'acme', 'x-subject': '{"type":"service","id":"alice"}' }, status: 403, reason: 'denied' },
  { row: 'a userset from a request → 400 invalid_subject', headers: { 'x-tenant-id': 'acme', 'x-subject': '{"type":"user","id":"alice","relation":"member"}' }, status: 400, reason: 'invalid_subject' },
  { row: 'a userset with allowSubjectRelations → checked (403 here)', options: { allowSubjectRelations: true }, headers: { 'x-tenant-id': 'acme', 'x-subject': '{"type":"user","id":"alice","relation":"member"}' }, status: 403, reason: 'denied' },
  { row: 'subjectType names the type of string ids', options: { subjectType: 'service' }, headers: alice, status: 403, reason: 'denied' },
  { row: 'no tenant → 400 missing_tenant (default)', headers: { 'x-user': 'alice' }, status: 400, reason: 'missing_tenant' },
  { row: "no tenant with missingTenant 'default' → the default tenant", options: { missingTenant: 'default' }, headers: { 'x-user': 'alice' }, status: 200 },
  { row: 'malformed tenant → 400 invalid_tenant', headers: { 'x-tenant-id': 'a b!', 'x-user': 'alice' }, status: 400, reason: 'invalid_tenant' },
  { row: 'no resource id → 400 invalid_request', path: '/search', headers: alice, status: 400, reason: 'invalid_request' },
  { row: 'denied → 403 with the reason', path: '/documents/2', headers: alice, status: 403, reason: 'denied' },
  { row: 'PDP outage → 403 pdp_unavailable (fail closed)', headers: { 'x-tenant-id': 'down', 'x-user': 'alice' }, status: 403, reason: 'pdp_unavailable' },
  { row: 'PDP outage with surfaceOutages → 503', options: { surfaceOutages: true }, headers: { 'x-tenant-id': 'down', 'x-user': 'alice' }, status: 503, reason: 'pdp_unavailable' },
  { row: "onDeny 'next' → the app's error handling answers", options: { onDeny: 'next' }, path: '/documents/2', headers: alice, status: 403, reason: 'denied', handledByApp: true },
  { row: "onDeny 'next', anonymous → the app's error handling answers 401", options: { onDeny: 'next' }, headers: {}, status: 401, reason: 'unauthenticated', handledByApp: true },
  { row: 'permit-check, anonymous → 401', path: '/permit-check?action=view&resource=document:1', headers: { 'x-tenant-id': 'acme' }, status: 401, reason: 'unauthenticated' },
  { row: 'permit-check, bad subject → 400 invalid_subject', path: '/permit-check?action=view&resource=document:1', headers: { 'x-tenant-id': 'acme', 'x-user': 'document:1#owner' }, status: 400, reason: 'invalid_subject' },
];

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' };

describe.each(HARNESSES)('the adapter behaviour table on $name', (harness) => {
  const running = new Map<string, { server: Server; close: () => Promise<void> }>();
  const serverFor = async (options: Options = {}): Promise<Server> => {
    const key = JSON.stringify(options);
    let entry = running.get(key);
    if (entry === undefined) running.set(key, (entry = await harness.start(options)));
    return entry.server;
  };

  beforeAll(async () => {
    await serverFor();
  });

  afterAll(async () => {
    for (const { close } of running.values()) await close();
  });

  it.each(ROWS)('$row', async ({ options, path = '/documents/1', headers, status, reason, handledByApp }) => {
    const res = await request(await serverFor(options)).get(path).set(headers);
    expect(res.status).toBe(status);
    if (status === 200) return;
    if (handledByApp === true) {
      expect(res.body).toEqual({ handledBy: 'app', reason });
      return;
    }
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ statusCode: status, error: TITLES[status], message: expect.any(String), reason });
  });
});

describe('bad options are InvalidRequestError in every adapter', () => {
  const bad: unknown[] = [{}, { pdp: new StubPdp() }, { pdp: new StubPdp(), subject: subjectOf, missingTenant: 'maybe' }, { pdp: new StubPdp(), subject: subjectOf, onDeny: 'throw' }];
  it.each(bad)('%j', (options) => {
    expect(() => gatehouse(options as never)).toThrow(InvalidRequestError);
    expect(() => GatehouseModule.forRoot(options as never)).toThrow(InvalidRequestError);
    // Without any adapter option, permitCheckHandler() uses a mounted gatehouse(): `{}` is valid there.
    if (Object.keys(options as object).length > 0) expect(() => expressPermitCheck(options as never)).toThrow(InvalidRequestError);
  });
});
