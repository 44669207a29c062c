/**
 * The NestJS example the way a stock `nest new` (CLI 12) app runs: `NestFactory.create(AppModule, { instrument:
 * ObserveInstrument })` from `@nestjs/observe`, as examples/nestjs-app/src/main.ts does, listening on a real port.
 * Observe wraps every provider in a Proxy; @gatehouse/nestjs used to provide frozen options, which made every
 * guarded request a 500 (`'get' on proxy: property 'subject' is a read-only and non-configurable data property`).
 * The agent's collector is a local stub (OBSERVE_ENDPOINT), so nothing leaves the machine.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { types } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { GATEHOUSE_CONFIG } from '@gatehouse/nestjs';

import { AppModule, ObserveInstrument } from '../examples/nestjs-app/src/app.module.js';

describe('the NestJS example under @nestjs/observe instrumentation (stock Nest 12 main.ts)', () => {
  let collector: Server;
  let app: INestApplication;
  let url: string;
  const previous = process.env.OBSERVE_ENDPOINT;

  beforeAll(async () => {
    collector = createServer((req, res) => {
      req.resume();
      res.writeHead(202).end();
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as { port: number };
    process.env.OBSERVE_ENDPOINT = `http://127.0.0.1:${String(port)}`;
    app = await NestFactory.create(AppModule, { instrument: ObserveInstrument, logger: false });
    app.enableShutdownHooks();
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${String((app.getHttpServer().address() as { port: number }).port)}`;
  });

  afterAll(async () => {
    await app.close();
    collector.closeAllConnections();
    await new Promise((resolve) => collector.close(resolve));
    if (previous === undefined) delete process.env.OBSERVE_ENDPOINT;
    else process.env.OBSERVE_ENDPOINT = previous;
  });

  const get = async (path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${url}${path}`, { method, headers });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };

  it('runs with its providers behind Observe proxies', () => {
    expect(types.isProxy(app.get(GATEHOUSE_CONFIG))).toBe(true);
  });

  it('answers 200, 403 and 401 on @Permission routes (not 500)', async () => {
    const carol = { 'x-tenant-id': 'acme', authorization: 'Bearer carol' };
    expect(await get('/documents/roadmap', carol)).toMatchObject({ status: 200, body: { id: 'roadmap' } });
    expect(await get('/documents/roadmap', carol, 'DELETE')).toEqual({
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', message: 'permission "delete" on document:roadmap denied', reason: 'denied' },
    });
    expect(await get('/documents/roadmap', { 'x-tenant-id': 'acme' })).toMatchObject({ status: 401, body: { reason: 'unauthenticated' } });
    expect(await get('/documents/roadmap', { authorization: 'Bearer carol' })).toMatchObject({ status: 400, body: { reason: 'missing_tenant' } });
    // fetch() may not set Host: supertest speaks to the same listening server.
    expect((await request(url).get('/documents/plan').set({ host: 'globex.localhost', authorization: 'Bearer dave' })).status).toBe(200);
  });

  it('serves the permit-fe-sdk endpoint and @Public routes under instrumentation too', async () => {
    expect(await get('/health', {})).toEqual({ status: 200, body: { ok: true } });
    const permitted = await get('/permit-check?user=alice&action=delete&resource=document:roadmap', { 'x-tenant-id': 'acme', authorization: 'Bearer carol' });
    expect(permitted).toEqual({ status: 200, body: { permitted: false } });
  });
});
