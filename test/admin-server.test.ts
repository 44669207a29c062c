// Tenant administration over HTTP on the PDP server with the memory admin store (the same suite runs on
// PostgreSQL in admin-postgres.test.ts).
import { MemoryAdminStore } from '@gatehouse/admin';
import { adminServerSuite } from './fixtures/admin/server-suite.js';

adminServerSuite('memory', async () => await Promise.resolve(new MemoryAdminStore()));
