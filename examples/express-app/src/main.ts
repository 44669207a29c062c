import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { Gatehouse } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { createApp } from './app.js';
import { applySeed, readSeed } from './seed.js';

const root = new URL('../', import.meta.url);
const engine = await Engine.create({ schema: await readFile(new URL('schema.perm', root), 'utf8') });
const documents = await applySeed(engine, await readSeed(new URL('seed.yaml', root)));
const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
const app = createApp({ engine, gate, documents });

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  console.log(`Gatehouse express example listening on ${url}`);
  console.log('Users: alice (acme admin), bob (acme editor+viewer, globex viewer), carol (acme viewer), dave (globex admin)');
  console.log('Try:');
  console.log(`  curl -H 'x-tenant-id: acme' -H 'Authorization: Bearer carol' ${url}/documents`);
  console.log(`  curl -H 'x-tenant-id: acme' -H 'x-user: carol' ${url}/documents/roadmap`);
  console.log(`  curl -X PATCH -H 'x-tenant-id: acme' -H 'x-user: carol' -H 'content-type: application/json' -d '{"title":"mine"}' ${url}/documents/roadmap   # 403`);
  console.log(`  curl -X POST -H 'x-tenant-id: acme' -H 'x-user: bob' -H 'content-type: application/json' -d '{"title":"Draft"}' ${url}/documents`);
  console.log(`  curl -H 'x-user: dave' http://globex.localhost:${String((server.address() as AddressInfo).port)}/documents/plan`);
  console.log(`  curl -H 'x-tenant-id: acme' -H 'x-user: bob' '${url}/api/permit-check?user=bob&action=edit&resource=document:notes'`);
});

const stop = (): void => {
  server.close(() => {
    void gate.close().then(async () => {
      await engine.close();
    });
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
