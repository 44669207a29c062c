import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createServer } from '@gatehouse/pdp-server';
import type { GatehouseServer } from '@gatehouse/pdp-server';

import { createApp } from '../examples/nestjs-app/src/create-app.js';

describe('the NestJS example app on a remote PDP (GATEHOUSE_PDP_URL)', () => {
  let server: GatehouseServer;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  const as = (user: string, tenant: string) => ({ authorization: `Bearer ${user}`, 'x-tenant-id': tenant });

  beforeAll(async () => {
    server = await createServer({ apiKeys: ['example-key'], logLevel: 'silent' });
    const { url } = await server.listen({ host: '127.0.0.1', port: 0 });
    app = await createApp({ pdpUrl: url, apiKey: 'example-key' });
    await app.init();
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
    await server.close();
  });

  it('seeds the server and answers the three printed curl commands the same way', async () => {
    expect((await http.get('/documents/roadmap').set(as('carol', 'acme'))).status).toBe(200);
    expect((await http.delete('/documents/roadmap').set(as('carol', 'acme'))).status).toBe(403);
    expect((await http.get('/documents/plan').set('host', 'globex.localhost').set('authorization', 'Bearer dave')).status).toBe(200);
    expect((await http.get('/documents/plan').set(as('alice', 'globex'))).status).toBe(403);
  });

  it('writes a share to the server, and the cached denial gives way to an allow', async () => {
    expect((await http.get('/documents/plan').set(as('erin', 'globex'))).status).toBe(403);
    expect((await http.post('/documents/plan/viewers').set(as('dave', 'globex')).send({ user: 'erin' })).status).toBe(204);
    let status = 0;
    // The client cache learns of the write through the server's change stream: wait for it, boundedly.
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await http.get('/documents/plan').set(as('erin', 'globex'))).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(200);
  });
});
