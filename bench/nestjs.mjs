// docs/architecture.md#performance-targets `nestjs`: a NestJS route behind the PermissionGuard vs without it, on platform-express (see
// bench/nestjs-bench.mjs). Prints one JSON line last.
import { main } from './nestjs-bench.mjs';

await main('express');
