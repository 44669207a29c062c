import type { INestApplication } from '@nestjs/common';

/** Prints where the example listens and the curl commands to try. */
export function printUsage(app: INestApplication): void {
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const pdp = process.env.GATEHOUSE_PDP_URL;
  console.log(`Gatehouse NestJS example (document service) listening on ${url}`);
  console.log(`PDP: ${pdp === undefined ? 'embedded engine (policy/schema.perm, policy/seed.json)' : `remote ${pdp}`}`);
  console.log('Fake auth: "Authorization: Bearer <user>" logs in as <user>. Tenant: header x-tenant-id or subdomain <tenant>.localhost.');
  console.log('');
  console.log('Allowed (carol is a viewer in acme):');
  console.log(`  curl -i -H 'x-tenant-id: acme' -H 'Authorization: Bearer carol' ${url}/documents/roadmap`);
  console.log('Denied with 403 (carol may view but not delete the roadmap):');
  console.log(`  curl -i -X DELETE -H 'x-tenant-id: acme' -H 'Authorization: Bearer carol' ${url}/documents/roadmap`);
  console.log('Another tenant, from the subdomain (dave is an admin in globex, bob only a viewer):');
  console.log(`  curl -i -H 'Host: globex.localhost' -H 'Authorization: Bearer dave' ${url}/documents/plan`);
}
