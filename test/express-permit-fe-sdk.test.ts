/**
 * The real `permit-fe-sdk` (1.7.2) against `permitCheckHandler` on a real server. The SDK is a browser library,
 * but it only needs axios, which picks its Node http adapter when there is no XMLHttpRequest: no DOM shim.
 * Its state is module-global, so each test calls `reset()` first (permit.md §8).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMongoAbility } from '@casl/ability';
import express from 'express';
import { Permit } from 'permit-fe-sdk';
import { Gatehouse } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { fromHeader, gatehouse, permitCheckHandler } from '@gatehouse/express';

const schema = `
entity user {}
entity tenant {
  relation admin @user
  relation member @user
}
entity document {
  relation owner @user
  attribute public boolean
  permission view = owner or public or tenant.member or tenant.admin
  permission edit = owner or tenant.admin
  permission delete = tenant.admin
  permission create = tenant.admin
}
`;

let engine: Engine;
let client: Gatehouse;
let backendUrl: string;
const requests: string[] = [];

const express4Name = 'express4';
const express4 = (await import(express4Name)).default as typeof express;

beforeAll(async () => {
  engine = await Engine.create({ schema });
  await engine.createTenant('acme');
  await engine.write({
    tenant: 'acme',
    tuples: ['document:my_file.doc#owner@user:alice', 'tenant:acme#member@user:alice', 'tenant:acme#admin@user:carol'],
  });
  client = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
});

afterAll(async () => {
  await client.close();
  await engine.close();
});

/** Starts the backend on 127.0.0.1:0 with the given Express; returns its permit-check URL and a stop function. */
async function startBackend(framework: typeof express): Promise<{ url: string; stop: () => Promise<void> }> {
  const app = framework();
  app.use((req, _res, next) => {
    requests.push(`${req.method} ${req.originalUrl}`);
    next();
  });
  app.use(
    gatehouse({
      client,
      tenant: fromHeader('x-tenant-id'),
      // A fake session: the bearer token is the user id. The SDK's ?user= is the browser's claim, not this.
      subject: (req) => req.get('authorization')?.replace(/^Bearer /, ''),
    }),
  );
  app.all('/api/permit-check', framework.json(), permitCheckHandler());
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/permit-check`,
    stop: async () => {
      server.close();
      await once(server, 'close');
    },
  };
}

beforeEach(() => {
  requests.length = 0;
});

function sdkFor(token: string, loggedInUser = token) {
  const permit = Permit({
    loggedInUser,
    backendUrl,
    // Deprecated, yet the only way: 1.7.2 drops axiosConfig.headers (permit.md §8).
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    customRequestHeaders: { Authorization: `Bearer ${token}`, 'x-tenant-id': 'acme' },
  });
  permit.reset();
  return permit;
}

// The .d.ts declares check(action, resource, userAttributes, resourceAttributes); the code reads
// (action, resource, resourceAttributes) — call it as the code does (permit.md §8).
type RealCheck = (action: string, resource: string | { type: string; key: string }, resourceAttributes?: object) => boolean;

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
])('permit-fe-sdk against permitCheckHandler on %s', (_name, framework) => {
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ url: backendUrl, stop } = await startBackend(framework));
  });
  afterAll(async () => {
    await stop();
  });

  it('loadLocalState (GET per item) answers for the authenticated user, not for loggedInUser', async () => {
    const permit = sdkFor('alice', 'carol');
    await permit.loadLocalState([
      { action: 'edit', resource: 'document:my_file.doc' },
      { action: 'edit', resource: { type: 'document', key: 'other' } },
      { action: 'view', resource: 'document' },
      { action: 'delete', resource: 'document:my_file.doc' },
    ]);
    const check = permit.check as unknown as RealCheck;
    expect(check('edit', 'document:my_file.doc')).toBe(true);
    expect(check('edit', { type: 'document', key: 'other' })).toBe(false);
    expect(check('view', 'document')).toBe(true);
    expect(check('delete', 'document:my_file.doc')).toBe(false);
    expect(requests).toHaveLength(4);
    expect(requests[0]).toBe('GET /api/permit-check?user=carol&action=edit&resource=document:my_file.doc');
  });

  it('loadLocalState with POST sends resource attributes that take part in the check', async () => {
    const permit = sdkFor('bob');
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
    expect(requests.every((r) => r.startsWith('POST /api/permit-check?user=bob'))).toBe(true);
  });

  it('loadLocalStateBulk fills the state in one request, and getCaslJson() loads into a CASL ability', async () => {
    const permit = sdkFor('carol');
    await permit.loadLocalStateBulk([
      { action: 'create', resource: 'document' },
      { action: 'delete', resource: { type: 'document', key: 'my_file.doc' } },
      { action: 'edit', resource: 'document:anything' },
    ]);
    expect(requests).toEqual(['POST /api/permit-check?user=carol']);
    const check = permit.check as unknown as RealCheck;
    expect(check('create', 'document')).toBe(true);
    expect(check('delete', 'document:my_file.doc')).toBe(true);

    const bob = sdkFor('bob');
    await bob.loadLocalStateBulk([
      { action: 'create', resource: 'document' },
      { action: 'view', resource: 'document:my_file.doc' },
    ]);
    const ability = createMongoAbility(bob.getCaslJson());
    expect(ability.can('create', 'document')).toBe(false);
    expect(ability.can('view', 'document:my_file.doc')).toBe(false);

    const alice = sdkFor('alice');
    await alice.loadLocalStateBulk([
      { action: 'edit', resource: 'document:my_file.doc' },
      { action: 'delete', resource: 'document:my_file.doc' },
      { action: 'view', resource: 'document' },
    ]);
    const aliceAbility = createMongoAbility(alice.getCaslJson());
    expect(aliceAbility.can('edit', 'document:my_file.doc')).toBe(true);
    expect(aliceAbility.can('delete', 'document:my_file.doc')).toBe(false);
    expect(aliceAbility.can('view', 'document')).toBe(true);
  });
});
