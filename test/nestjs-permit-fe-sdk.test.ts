/**
 * The real `permit-fe-sdk` (1.7.2) against `createPermitCheckController()` on a listening Nest app, on both
 * platforms. The SDK's state is module-global, so each test calls `reset()` first (permit.md §8).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Permit } from 'permit-fe-sdk';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';

import { bearer, resolvers, schema, startApp } from './fixtures/nestjs-app.js';
import type { Platform } from './fixtures/nestjs-app.js';

// The .d.ts declares check(action, resource, userAttributes, resourceAttributes); the code reads
// (action, resource, resourceAttributes) — call it as the code does (permit.md §8).
type RealCheck = (action: string, resource: string | { type: string; key: string }, resourceAttributes?: object) => boolean;

describe.each<[Platform]>([['express'], ['fastify']])('permit-fe-sdk against the Nest permit-check controller on %s', (platform) => {
  let engine: Engine;
  let app: INestApplication;
  let backendUrl: string;

  beforeAll(async () => {
    engine = await Engine.create({ schema });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice', 'tenant:acme#admin@user:bob'] });
    app = await startApp(platform, { pdp: new EmbeddedPdp(engine), ...resolvers });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    backendUrl = `http://127.0.0.1:${port}/permit-check`;
  });

  afterAll(async () => {
    await app.close();
    await engine.close();
  });

  function sdkFor(user: string, loggedInUser = user): ReturnType<typeof Permit> {
    const permit = Permit({
      loggedInUser,
      backendUrl,
      // Deprecated, yet the only way: 1.7.2 drops axiosConfig.headers (permit.md §8).
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      customRequestHeaders: { Authorization: bearer(user), 'x-tenant-id': 'acme' },
    });
    permit.reset();
    return permit;
  }

  it('loadLocalState (GET per item) answers for the authenticated user, not for loggedInUser', async () => {
    const permit = sdkFor('alice', 'bob');
    await permit.loadLocalState([
      { action: 'edit', resource: 'document:1' },
      { action: 'edit', resource: { type: 'document', key: '2' } },
      { action: 'create', resource: 'document' },
    ]);
    const check = permit.check as unknown as RealCheck;
    expect(check('edit', 'document:1')).toBe(true);
    expect(check('edit', { type: 'document', key: '2' })).toBe(false);
    expect(check('create', 'document')).toBe(false);
  });

  it('loadLocalState with POST sends resource attributes that take part in that check only', async () => {
    const permit = sdkFor('zoe');
    await permit.loadLocalState(
      [
        { action: 'view', resource: 'document:42', resourceAttributes: { public: true } },
        { action: 'view', resource: 'document:43' },
      ],
      'POST',
    );
    const check = permit.check as unknown as RealCheck;
    expect(check('view', 'document:42', { public: true })).toBe(true);
    expect(check('view', 'document:43')).toBe(false);
  });

  it('loadLocalStateBulk fills the state in one request', async () => {
    const permit = sdkFor('bob');
    await permit.loadLocalStateBulk([
      { action: 'edit', resource: 'document:1' },
      { action: 'delete', resource: { type: 'document', key: '1' } },
      { action: 'create', resource: 'document' },
    ]);
    const check = permit.check as unknown as RealCheck;
    expect(check('edit', 'document:1')).toBe(true);
    expect(check('delete', { type: 'document', key: '1' })).toBe(false);
    expect(check('create', 'document')).toBe(true);
  });

  it('answers a malformed bulk item false, and 400 only for a malformed envelope (same contract as Express)', async () => {
    const post = async (body: unknown): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(backendUrl, {
        method: 'POST',
        headers: { Authorization: bearer('alice'), 'x-tenant-id': 'acme', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const items = [{ action: 'edit', resource: 'document:1' }, { action: 'edit', resource: 'bad resource!' }, 'junk'];
    expect(await post({ resourcesAndActions: items })).toEqual({ status: 200, body: { permittedList: [true, false, false] } });
    const item = { action: 'edit', resource: 'document:1' };
    expect(await post({ resourcesAndActions: Array(101).fill(item) })).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: expect.stringContaining('at most 100'), reason: 'invalid_request' },
    });
    expect((await post({ resourcesAndActions: Array(100).fill(item) })).status).toBe(200);
    expect((await post({ resourcesAndActions: 'all' })).status).toBe(400);
  });
});
