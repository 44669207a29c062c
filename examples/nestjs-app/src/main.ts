import { createApp } from './create-app.js';

function argument(name: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.indexOf(name);
  if (at !== -1) return args[at + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

const pdpUrl = argument('--pdp-url') ?? process.env.GATEHOUSE_PDP_URL;
const apiKey = process.env.GATEHOUSE_API_KEY;
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}

const { app, setup } = await createApp({ pdpUrl, apiKey, logger: ['error', 'warn'] });
await app.listen(port, '127.0.0.1');
const { port: bound } = app.getHttpServer().address() as { port: number };
const url = `http://127.0.0.1:${bound}`;

console.log(`Gatehouse NestJS example (document service) listening on ${url}`);
console.log(`PDP: ${setup.mode === 'embedded' ? 'embedded engine (policy/schema.perm, policy/seed.json)' : `remote ${pdpUrl ?? ''}`}`);
console.log('Fake auth: "Authorization: Bearer <user>" logs in as <user>. Tenant: header x-tenant-id or subdomain <tenant>.localhost.');
console.log('');
console.log('Allowed (carol is a viewer in acme):');
console.log(`  curl -i -H 'x-tenant-id: acme' -H 'Authorization: Bearer carol' ${url}/documents/roadmap`);
console.log('Denied with 403 (carol may view but not delete the roadmap):');
console.log(`  curl -i -X DELETE -H 'x-tenant-id: acme' -H 'Authorization: Bearer carol' ${url}/documents/roadmap`);
console.log('Another tenant, from the subdomain (dave is an admin in globex, bob only a viewer):');
console.log(`  curl -i -H 'Host: globex.localhost' -H 'Authorization: Bearer dave' ${url}/documents/plan`);
