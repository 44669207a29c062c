import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Gatehouse } from '@gatehouse/core';
import { adapterConfig, bindRequest } from '@gatehouse/core/adapter';
import type { RequestLike } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { fromHeader, fromParam, Permission, PermissionGuard, Public } from '@gatehouse/nestjs';
import type { GatehouseModuleOptions, GatehouseRequest } from '@gatehouse/nestjs';

class DocumentsController {
  @Permission('edit', 'document', { id: fromParam('id') })
  public edit(): void {}

  @Public()
  public health(): void {}

  public open(): void {}
}

function contextOf(handler: () => void, req: object, type = 'http'): ExecutionContext {
  return {
    getType: () => type,
    getClass: () => DocumentsController,
    getHandler: () => handler,
    getArgByIndex: () => req,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

function requestOf(user: string | undefined, id = '1'): GatehouseRequest {
  return { headers: { 'x-tenant-id': 'acme', ...(user === undefined ? {} : { 'x-user': user }) }, params: { id } };
}

describe('PermissionGuard', () => {
  let engine: Engine;
  let gate: Gatehouse;
  let reflector: Reflector;
  const subject = jest.fn((req: RequestLike) => req.headers['x-user'] as string | undefined);
  let guard: PermissionGuard;

  beforeAll(async () => {
    engine = await Engine.create({ schema: 'entity user {}\nentity document { relation owner @user\n permission edit = owner }' });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'] });
    gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
    reflector = new Reflector();
    const options: GatehouseModuleOptions = { client: gate, tenant: fromHeader('x-tenant-id'), subject };
    guard = new PermissionGuard(reflector, adapterConfig(options, 'test'));
  });

  afterAll(async () => {
    await gate.close();
    await engine.close();
  });

  it('reads the metadata of a handler once and answers later requests from the cache of decisions', async () => {
    const get = jest.spyOn(reflector, 'get');
    const proto = DocumentsController.prototype;
    expect(await guard.canActivate(contextOf(proto.edit, requestOf('alice')))).toBe(true);
    const reads = get.mock.calls.length;
    expect(reads).toBeGreaterThan(0);
    const hits = gate.stats.hits;
    expect(await guard.canActivate(contextOf(proto.edit, requestOf('alice')))).toBe(true);
    expect(get.mock.calls.length).toBe(reads);
    expect(gate.stats.hits).toBe(hits + 1);
    get.mockRestore();
  });

  it('returns true synchronously for an allowed cache hit, counted and answered like gate.check()', async () => {
    const edit = DocumentsController.prototype.edit;
    let answer: boolean | Promise<boolean> = guard.canActivate(contextOf(edit, requestOf('alice')));
    for (let i = 0; i < 3 && answer instanceof Promise; i++) {
      expect(await answer).toBe(true);
      answer = guard.canActivate(contextOf(edit, requestOf('alice')));
    }
    expect(answer).toBe(true);
    const hits = gate.stats.hits;
    expect(guard.canActivate(contextOf(edit, requestOf('alice')))).toBe(true);
    expect(gate.stats.hits).toBe(hits + 1);
    // A denial on a hit is still a rejected promise with the 403, never a synchronous true.
    await Promise.resolve(guard.canActivate(contextOf(edit, requestOf('bob')))).then(() => undefined, () => undefined);
    await expect(guard.canActivate(contextOf(edit, requestOf('bob')))).rejects.toMatchObject({ status: 403 });
  });

  it('binds req.gate to the request tenant and subject', async () => {
    const req = requestOf('alice');
    await guard.canActivate(contextOf(DocumentsController.prototype.edit, req));
    expect(req.gate?.tenant).toBe('acme');
    expect(req.gate?.subject).toEqual({ type: 'user', id: 'alice' });
    expect(await req.gate?.can('edit', 'document:1')).toBe(true);
  });

  it('throws a 403 HttpException with the reason when denied', async () => {
    const denied = guard.canActivate(contextOf(DocumentsController.prototype.edit, requestOf('bob')));
    await expect(denied).rejects.toBeInstanceOf(HttpException);
    await expect(denied).rejects.toMatchObject({ status: 403, response: { statusCode: 403, reason: 'denied' } });
  });

  it('answers 400 when the authenticated subject is not a valid subject', async () => {
    expect(() => guard.canActivate(contextOf(DocumentsController.prototype.edit, requestOf('al ice')))).toThrow(HttpException);
    expect(() => guard.canActivate(contextOf(DocumentsController.prototype.edit, requestOf('tenant:acme#admin')))).toThrow(
      expect.objectContaining({ status: 400, response: expect.objectContaining({ statusCode: 400, reason: 'invalid_subject' }) }),
    );
  });

  it('answers 401 when there is no subject', () => {
    expect(() => guard.canActivate(contextOf(DocumentsController.prototype.edit, requestOf(undefined)))).toThrow(HttpException);
  });

  it('does not even resolve the subject on a @Public() route', () => {
    subject.mockClear();
    const req = requestOf('alice');
    expect(guard.canActivate(contextOf(DocumentsController.prototype.health, req))).toBe(true);
    expect(subject).not.toHaveBeenCalled();
    expect(req.gate).toBeUndefined();
  });

  it('lets a route without requirements through, bound when there is a subject', () => {
    const anonymous = requestOf(undefined);
    expect(guard.canActivate(contextOf(DocumentsController.prototype.open, anonymous))).toBe(true);
    expect(anonymous.gate).toBeUndefined();
    const alice = requestOf('alice');
    expect(guard.canActivate(contextOf(DocumentsController.prototype.open, alice))).toBe(true);
    expect(alice.gate?.subject.id).toBe('alice');
  });

  it('lets an app override its protected hooks by subclassing (shouldSkip, bindRequest, authorizationError)', async () => {
    class AppGuard extends PermissionGuard {
      protected override shouldSkip(context: ExecutionContext): boolean {
        return context.getArgByIndex<{ headers: Record<string, string> }>(0).headers['x-internal'] === 'yes';
      }

      protected override bindRequest(req: GatehouseRequest): ReturnType<PermissionGuard['bindRequest']> {
        // Service accounts arrive as `x-service`: named as another subject type, never parsed from the string.
        const service = req.headers['x-service'];
        if (typeof service !== 'string') return super.bindRequest(req);
        return bindRequest({ ...this.config, subject: () => ({ type: 'service', id: service }) }, req);
      }

      protected override authorizationError(_context: ExecutionContext, answer: { status: number; body: { reason: string } }): Error {
        return Object.assign(new Error(`app: ${answer.body.reason}`), { status: answer.status });
      }
    }
    const custom = new AppGuard(reflector, adapterConfig({ client: gate, tenant: fromHeader('x-tenant-id'), subject }, 'test'));
    const edit = DocumentsController.prototype.edit;
    expect(custom.canActivate(contextOf(edit, { headers: { 'x-internal': 'yes' } }))).toBe(true);
    await expect(Promise.resolve().then(() => custom.canActivate(contextOf(edit, requestOf('bob'))))).rejects.toThrow('app: denied');
    const asService = { ...requestOf(undefined), headers: { 'x-tenant-id': 'acme', 'x-service': 'ci' } };
    await expect(Promise.resolve().then(() => custom.canActivate(contextOf(edit, asService)))).rejects.toThrow('app: denied');
    expect(asService.gate?.subject).toEqual({ type: 'service', id: 'ci' });
  });

  it('refuses a guarded handler outside HTTP instead of guessing a request', () => {
    expect(() => guard.canActivate(contextOf(DocumentsController.prototype.edit, {}, 'rpc'))).toThrow(/HTTP routes only/);
  });
});
