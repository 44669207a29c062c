import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, Param, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Gatehouse, InvalidRequestError } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { fromHeader, fromParam, GATEHOUSE_CONFIG, GATEHOUSE_OPTIONS, GatehouseModule, Permission, PermissionGuard } from '@gatehouse/nestjs';
import type { GatehouseModuleOptions } from '@gatehouse/nestjs';

const subject = (): string | undefined => undefined;

describe('GatehouseModule', () => {
  let engine: Engine;
  let pdp: EmbeddedPdp;

  beforeEach(async () => {
    engine = await Engine.create({ schema: 'entity user {}\nentity document { relation owner @user\n permission edit = owner }' });
    await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    pdp = new EmbeddedPdp(engine);
  });

  afterEach(async () => {
    await engine.close();
  });

  describe('forRoot()', () => {
    it('provides a Gatehouse client on the given PDP, the options and the guard, to every module', async () => {
      @Injectable()
      class Consumer {
        public constructor(public readonly gate: Gatehouse) {}
      }
      @Module({ providers: [{ provide: Consumer, inject: [Gatehouse], useFactory: (gate: Gatehouse) => new Consumer(gate) }] })
      class FeatureModule {}
      const ref = await Test.createTestingModule({
        imports: [GatehouseModule.forRoot({ pdp, tenant: fromHeader('x-tenant-id'), subject, defaultTenant: 't1' }), FeatureModule],
      }).compile();
      const gate = ref.get(Consumer).gate;
      expect(gate).toBeInstanceOf(Gatehouse);
      expect(gate.pdp).toBe(pdp);
      expect(await gate.can('alice', 'edit', 'document:1')).toBe(true);
      expect(ref.get<GatehouseModuleOptions>(GATEHOUSE_OPTIONS).defaultTenant).toBe('t1');
      expect(ref.get(PermissionGuard)).toBeInstanceOf(PermissionGuard);
      await ref.close();
    });

    it('uses a client given as is and leaves it open on shutdown', async () => {
      const client = new Gatehouse({ pdp });
      const ref = await Test.createTestingModule({
        imports: [GatehouseModule.forRoot({ client, tenant: fromHeader('x-tenant-id'), subject })],
      }).compile();
      expect(ref.get(Gatehouse)).toBe(client);
      await ref.close();
      await client.can('alice', 'edit', 'document:1');
      expect(client.stats.hits + client.stats.misses).toBeGreaterThan(0);
      await client.close();
    });

    it('registers no guard by itself', async () => {
      @Controller()
      class OpenController {
        @Get()
        public index(): string {
          return 'ok';
        }
      }
      const dynamic = GatehouseModule.forRoot({ pdp, tenant: fromHeader('x-tenant-id'), subject });
      expect(dynamic.providers).not.toContainEqual(expect.objectContaining({ provide: 'APP_GUARD' }));
      expect(dynamic.global).toBe(true);
      expect(dynamic.exports).toEqual([Gatehouse, GATEHOUSE_OPTIONS, GATEHOUSE_CONFIG, PermissionGuard]);
      @Module({ imports: [dynamic], controllers: [OpenController] })
      class AppModule {}
      const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
      const app = ref.createNestApplication();
      await app.init();
      await app.close();
    });

    it('rejects options without a PDP or with both a PDP and a client', () => {
      expect(() => GatehouseModule.forRoot({ tenant: fromHeader('x-tenant-id'), subject })).toThrow(
        /neither pdp nor client.*expected exactly one of options.pdp and options.client/,
      );
      const client = new Gatehouse({ pdp });
      expect(() => GatehouseModule.forRoot({ pdp, client, tenant: fromHeader('x-tenant-id'), subject })).toThrow(InvalidRequestError);
      expect(() => GatehouseModule.forRoot({ pdp, client, tenant: fromHeader('x-tenant-id'), subject })).toThrow(/both pdp and client/);
    });

    it('rejects resolvers that are not functions and unknown missingTenant modes', () => {
      expect(() => GatehouseModule.forRoot({ pdp, tenant: 42 as never, subject })).toThrow(/options.tenant .*expected a tenant resolver/);
      expect(() => GatehouseModule.forRoot({ pdp, tenant: fromHeader('x'), subject: 'alice' as never })).toThrow(/options.subject/);
      expect(() => GatehouseModule.forRoot({ pdp, tenant: fromHeader('x'), subject, missingTenant: 'deny' as never })).toThrow(
        /missingTenant "deny": expected "reject" or "default"/,
      );
      expect(() => GatehouseModule.forRoot({ pdp, tenant: fromHeader('x'), subject, missingTenants: 'default' } as never)).toThrow(InvalidRequestError);
    });

    it('rejects a malformed default tenant', () => {
      expect(() => GatehouseModule.forRoot({ pdp, tenant: fromHeader('x'), subject, defaultTenant: 'no spaces' })).toThrow(
        /options.defaultTenant "no spaces"/,
      );
    });
  });

  it('works with @UseGuards(PermissionGuard) on a controller instead of a global guard', async () => {
    @Controller('documents')
    @UseGuards(PermissionGuard)
    class DocumentsController {
      @Get(':id')
      @Permission('edit', 'document', { id: fromParam('id') })
      public edit(@Param('id') id: string): string {
        return id;
      }
    }
    @Module({ controllers: [DocumentsController] })
    class FeatureModule {}
    const ref = await Test.createTestingModule({
      imports: [
        GatehouseModule.forRoot({ pdp, subject: (req) => req.headers['x-user'] as string | undefined }),
        FeatureModule,
      ],
    }).compile();
    const app = ref.createNestApplication();
    await app.init();
    const http = request(app.getHttpServer());
    expect((await http.get('/documents/1')).status).toBe(401);
    expect((await http.get('/documents/1').set('x-user', 'bob')).status).toBe(403);
    expect((await http.get('/documents/1').set('x-user', 'alice')).status).toBe(200);
    await app.close();
  });

  describe('forRootAsync()', () => {
    it('builds the options with a factory and its injected dependencies', async () => {
      const PDP = Symbol('pdp');
      @Module({ providers: [{ provide: PDP, useValue: pdp }], exports: [PDP] })
      class PdpModule {}
      const ref = await Test.createTestingModule({
        imports: [
          GatehouseModule.forRootAsync({
            imports: [PdpModule],
            inject: [PDP],
            useFactory: async (given: EmbeddedPdp) => await Promise.resolve({ pdp: given, tenant: fromHeader('x-tenant-id'), subject }),
          }),
        ],
      }).compile();
      expect(ref.get(Gatehouse).pdp).toBe(pdp);
      await ref.close();
    });

    it('fails the bootstrap with the option named when the factory gives bad options', async () => {
      const bad = Test.createTestingModule({
        imports: [GatehouseModule.forRootAsync({ useFactory: () => ({ pdp, tenant: fromHeader('x'), subject: 42 as never }) })],
      }).compile();
      await expect(bad).rejects.toThrow(/options.subject/);
    });
  });
});
