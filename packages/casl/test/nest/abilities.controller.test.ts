import 'reflect-metadata';

import { createMongoAbility, subject } from '@casl/ability';
import type { MongoAbility } from '@casl/ability';
import { unpackRules } from '@casl/ability/extra';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ability, createAbilitiesController } from '@gatehouse/casl/nest';
import type { BoundGate } from '@gatehouse/core';
import { fromHeader, GatehouseModule } from '@gatehouse/nestjs';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import type { CanActivate, ExecutionContext, INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';

import { startFixture } from '../fixtures/policy.js';
import type { Fixture } from '../fixtures/policy.js';

let f: Fixture;

/** Fake authentication: sets req.gate as @gatehouse/nestjs's guard does. */
@Injectable()
class FakeAuthGuard implements CanActivate {
  public canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; gate?: BoundGate }>();
    const user = req.headers.authorization?.replace(/^Bearer /, '');
    const tenant = req.headers['x-tenant-id'];
    if (user !== undefined && tenant !== undefined) req.gate = f.gate.bind(tenant, user);
    return true;
  }
}

@Controller('documents')
class DocumentsController {
  @Get()
  public list(@Ability({ resources: ['document'] }) ability: MongoAbility): string[] {
    return ['1', '2', '3', '4'].filter((id) => ability.can('edit', subject('document', { id })));
  }
}

describe.each([['platform-express'], ['platform-fastify']])('@gatehouse/casl/nest on %s', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    f = await startFixture();
    @Module({
      controllers: [createAbilitiesController({ path: 'abilities', resources: ['document'] }), DocumentsController],
      providers: [{ provide: APP_GUARD, useClass: FakeAuthGuard }],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    if (platform === 'platform-fastify') {
      app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
      app.useLogger(false);
      await app.init();
      await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
    } else {
      app = moduleRef.createNestApplication();
      app.useLogger(false);
      await app.init();
    }
  });
  afterAll(async () => {
    await app.close();
    await f.close();
  });

  const as = (user: string, tenant = 'acme') => ({ authorization: `Bearer ${user}`, 'x-tenant-id': tenant });

  it('@Ability() injects an ability built from req.gate', async () => {
    const res = await request(app.getHttpServer()).get('/documents').set(as('bob')).expect(200);
    expect(res.body).toEqual(['1', '3']);
    const alice = await request(app.getHttpServer()).get('/documents').set(as('alice')).expect(200);
    expect(alice.body).toEqual(['1', '2', '3', '4']);
  });

  it('@Ability() answers 401 without req.gate', async () => {
    await request(app.getHttpServer()).get('/documents').expect(401);
  });

  it('the abilities controller serves packed rules with an ETag, and 304 when unchanged', async () => {
    const first = await request(app.getHttpServer()).get('/abilities').set(as('bob')).expect(200);
    expect(first.headers.etag).toBeDefined();
    const ability = createMongoAbility(unpackRules(first.body.rules));
    expect(ability.can('edit', subject('document', { id: '1' }))).toBe(true);
    await request(app.getHttpServer()).get('/abilities').set(as('bob')).set('if-none-match', first.headers.etag!).expect(304);
  });

  it('the abilities controller sends new rules after a revoke', async () => {
    const first = await request(app.getHttpServer()).get('/abilities').set(as('bob')).expect(200);
    await f.engine.delete({ tenant: 'acme', tuples: ['document:1#owner@user:bob'] });
    try {
      const res = await request(app.getHttpServer()).get('/abilities').set(as('bob')).set('if-none-match', first.headers.etag!).expect(200);
      expect(createMongoAbility(unpackRules(res.body.rules)).can('edit', subject('document', { id: '1' }))).toBe(false);
    } finally {
      await f.engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:bob'] });
    }
  });

  it('the abilities controller answers 401 without req.gate', async () => {
    await request(app.getHttpServer()).get('/abilities').expect(401);
  });
});

describe('createAbilitiesController under GatehouseModule, with no guard binding req.gate', () => {
  let app: INestApplication;

  beforeAll(async () => {
    f = await startFixture();
    @Module({
      imports: [
        GatehouseModule.forRoot({
          client: f.gate,
          tenant: fromHeader('x-tenant-id'),
          subject: (req) => (req.headers.authorization as string | undefined)?.replace(/^Bearer /, ''),
        }),
      ],
      controllers: [createAbilitiesController({ path: 'abilities', resources: ['document'] })],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication();
    app.useLogger(false);
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await f.close();
  });

  it('binds the request with the module (core bindRequest): 200, 401, 400 invalid_subject, 400 missing_tenant', async () => {
    const http = request(app.getHttpServer());
    await http.get('/abilities').set({ authorization: 'Bearer bob', 'x-tenant-id': 'acme' }).expect(200);
    expect((await http.get('/abilities').set({ 'x-tenant-id': 'acme' }).expect(401)).body).toMatchObject({ statusCode: 401, reason: 'unauthenticated' });
    const forged = await http.get('/abilities').set({ authorization: 'Bearer document:1#owner', 'x-tenant-id': 'acme' }).expect(400);
    expect(forged.body).toMatchObject({ statusCode: 400, reason: 'invalid_subject' });
    expect((await http.get('/abilities').set({ authorization: 'Bearer bob' }).expect(400)).body).toMatchObject({ reason: 'missing_tenant' });
  });
});
