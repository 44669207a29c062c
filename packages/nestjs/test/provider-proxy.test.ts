import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, Param } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { createObserveModule } from '@nestjs/observe';
import request from 'supertest';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { fromHeader, fromParam, GatehouseModule, Permission, PermissionGuard } from '@gatehouse/nestjs';
import type { RequestLike } from '@gatehouse/nestjs';

/**
 * What instrumentation such as @nestjs/observe does to every provider: a Proxy whose `get` hands out a wrapper of
 * each function-valued property (to trace the call) instead of the stored function, with the function's
 * reflect-metadata copied (Nest finds a route's metadata on the handler it is given).
 */
function wrapFunctions(instance: unknown): unknown {
  if (typeof instance !== 'object' || instance === null) return instance;
  const wrappers = new WeakMap<object, unknown>();
  return new Proxy(instance, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function' || prop === 'constructor' || /^\s*class\s/.test(String(value))) return value;
      let wrapper = wrappers.get(value);
      if (wrapper === undefined) {
        const fn = value as (...args: unknown[]) => unknown;
        const traced = function traced(this: unknown, ...args: unknown[]): unknown {
          return fn.apply(this === undefined ? target : this, args);
        };
        // Nest reads route metadata (@Get, @Permission) from the handler it gets: a wrapper must carry it along.
        for (const key of Reflect.getMetadataKeys(fn)) Reflect.defineMetadata(key, Reflect.getMetadata(key, fn), traced);
        wrapper = traced;
        wrappers.set(value, wrapper);
      }
      return wrapper;
    },
  });
}

describe('provider proxies (instrumentation)', () => {
  it('reproduces the TypeError frozen options caused under @nestjs/observe (what @gatehouse/nestjs provided before)', () => {
    const { ObserveInstrument } = createObserveModule();
    const options = Object.freeze({ tenant: fromHeader('x-tenant-id'), subject: (req: RequestLike) => req.headers['x-user'] });
    const proxied = ObserveInstrument?.instanceDecorator(options) as typeof options;
    expect(() => proxied.subject).toThrow(TypeError);
    expect(() => proxied.subject).toThrow(/read-only and non-configurable/);
    // The same options, not frozen, read through the same proxy: a traced wrapper, as Observe intends.
    const open = ObserveInstrument?.instanceDecorator({ ...options }) as typeof options;
    expect(open.subject({ headers: { 'x-user': 'alice' } })).toBe('alice');
  });

  describe('the module with every provider wrapped', () => {
    let engine: Engine;
    let app: INestApplication;

    beforeAll(async () => {
      engine = await Engine.create({ schema: 'entity user {}\nentity document { relation owner @user\n permission edit = owner }' });
      await engine.createTenant('acme');
      await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'] });
      @Controller('documents')
      class DocumentsController {
        @Get(':id')
        @Permission('edit', 'document', { id: fromParam('id') })
        public edit(@Param('id') id: string): string {
          return id;
        }
      }
      @Module({
        imports: [
          GatehouseModule.forRoot({ pdp: new EmbeddedPdp(engine), tenant: fromHeader('x-tenant-id'), subject: (req) => req.headers['x-user'] as string | undefined }),
        ],
        controllers: [DocumentsController],
        providers: [{ provide: APP_GUARD, useClass: PermissionGuard }],
      })
      class AppModule {}
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest's options are a plain object in every Nest app
      app = await NestFactory.create(AppModule, { logger: false, instrument: { instanceDecorator: wrapFunctions } });
      await app.init();
    });

    afterAll(async () => {
      await app.close();
      await engine.close();
    });

    it('answers 200, 403, 401 and 400 as without the proxies', async () => {
      const http = request(app.getHttpServer());
      await http.get('/documents/1').set({ 'x-tenant-id': 'acme', 'x-user': 'alice' }).expect(200);
      await http.get('/documents/1').set({ 'x-tenant-id': 'acme', 'x-user': 'bob' }).expect(403);
      await http.get('/documents/1').set({ 'x-tenant-id': 'acme' }).expect(401);
      await http.get('/documents/1').set({ 'x-user': 'alice' }).expect(400);
    });
  });
});
