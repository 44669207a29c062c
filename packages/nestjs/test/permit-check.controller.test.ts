import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { fromHeader, GatehouseModule, permitCheckHandler } from '@gatehouse/nestjs';

describe('permitCheckHandler()', () => {
  let engine: Engine;
  let app: INestApplication;

  beforeAll(async () => {
    engine = await Engine.create({ schema: 'entity user {}\nentity document { relation owner @user\n permission edit = owner }' });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'] });
    @Module({
      imports: [GatehouseModule.forRoot({ pdp: new EmbeddedPdp(engine), tenant: fromHeader('x-tenant-id'), subject: (req) => req.headers?.['x-user'] as string | undefined })],
      controllers: [permitCheckHandler({ path: 'api/permit-check' })],
    })
    class AppModule {}
    const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = ref.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await engine.close();
  });

  it('serves the permit-fe-sdk contract at the path, as the request\'s subject (not ?user=)', async () => {
    const server = app.getHttpServer() as Parameters<typeof request>[0];
    const as = { 'x-tenant-id': 'acme', 'x-user': 'alice' };
    await request(server).get('/api/permit-check?user=mallory&action=edit&resource=document:1').set(as).expect(200, { permitted: true });
    await request(server).get('/api/permit-check?user=alice&action=edit&resource=document:1')
      .set({ 'x-tenant-id': 'acme', 'x-user': 'mallory' }).expect(200, { permitted: false });
    await request(server).post('/api/permit-check').set(as)
      .send({ resourcesAndActions: [{ action: 'edit', resource: 'document:1' }, { action: 'edit', resource: 'document:2' }] })
      .expect(200, { permittedList: [true, false] });
    const anonymous = await request(server).get('/api/permit-check?action=edit&resource=document:1').set({ 'x-tenant-id': 'acme' }).expect(401);
    expect(anonymous.body).toMatchObject({ statusCode: 401, reason: 'unauthenticated' });
  });
});
