// Bench row `nestjs-fastify` (issue 15): a NestJS route behind the PermissionGuard vs without it, on
// platform-fastify (see bench/nestjs-bench.mjs). Prints one JSON line last.
import { main } from './nestjs-bench.mjs';

await main('fastify');
