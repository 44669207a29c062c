// The CASL front-end example's Express server (examples/casl-frontend/server.ts), without a browser: its own
// API routes answer a request without a user exactly as the Gatehouse adapters do.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { unauthenticatedAnswer } from '@gatehouse/core/adapter';

import { startServer } from '../examples/casl-frontend/server.js';
import type { RunningServer } from '../examples/casl-frontend/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server.close();
});

describe('the CASL front-end example server', () => {
  it.each(['/api/documents?tenant=acme', '/api/events?tenant=acme'])('answers %s without a user with core\'s 401 body', async (path) => {
    const res = await fetch(`${server.url}${path}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(unauthenticatedAnswer().body);
  });

  it('lists documents for an authenticated user', async () => {
    const res = await fetch(`${server.url}/api/documents?tenant=acme`, { headers: { authorization: 'Bearer alice' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tenant: 'acme', user: 'alice' });
  });
});
