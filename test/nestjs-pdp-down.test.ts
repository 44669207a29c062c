import { createServer } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RemotePdp } from '@gatehouse/core/remote';

import { bearer, resolvers, startApp } from './fixtures/nestjs-app.js';
import type { Platform } from './fixtures/nestjs-app.js';

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}

describe.each<[Platform]>([['express'], ['fastify']])('PermissionGuard on %s with the PDP down', (platform) => {
  let pdp: RemotePdp;
  let apps: INestApplication[] = [];

  beforeAll(async () => {
    pdp = new RemotePdp({ url: `http://127.0.0.1:${await closedPort()}` });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    apps = [];
    await pdp.close();
  });

  it('fails closed with 403 and reason pdp_unavailable', async () => {
    const app = await startApp(platform, { pdp, ...resolvers, clientOptions: { timeoutMs: 300 } });
    apps.push(app);
    const res = await request(app.getHttpServer()).get('/documents/1').set('x-tenant-id', 'acme').set('authorization', bearer('alice'));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, reason: 'pdp_unavailable' });
  });

  it('answers 503 when asked to surface outages', async () => {
    const app = await startApp(platform, { pdp, ...resolvers, surfaceOutages: true, clientOptions: { timeoutMs: 300 } });
    apps.push(app);
    const res = await request(app.getHttpServer()).get('/documents/1').set('x-tenant-id', 'acme').set('authorization', bearer('alice'));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', reason: 'pdp_unavailable' });
  });
});
