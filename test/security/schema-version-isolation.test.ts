// Red-team probe: schema versions are numbered across the whole store, so a key scoped to acme can guess the
// version globex just wrote. Naming it on acme's routes — the console's schemas/source, schemas/read, a check, an
// explanation, a query plan — must be "no such version in acme" (404), never globex's schema text or types.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { start } from '../fixtures/server/helpers.js';
import type { Running } from '../fixtures/server/helpers.js';

const ADMIN = { key: 'admin-key-0123456789' };
const ACME = { key: 'acme-only-key-0123456789' };

describe('another tenant’s schema version', () => {
  let s: Running;
  let globexVersion = '';
  beforeAll(async () => {
    s = await start({ apiKeys: [ADMIN.key, { key: ACME.key, tenants: ['acme'] }] });
    // The seed data may already hold acme (409): either way both tenants exist.
    for (const t of ['acme', 'globex']) expect([200, 409]).toContain((await s.call('POST', '/v1/tenants/create', { id: t }, ADMIN)).status);
    await s.call('POST', '/v1/tenants/acme/schemas/write', { schema: 'entity user {}' }, ADMIN);
    const g = await s.call('POST', '/v1/tenants/globex/schemas/write', { schema: 'entity user {}\nentity globex_secret_plan { relation x @user }' }, ADMIN);
    globexVersion = g.body.schema_version as string;
    expect(globexVersion).toMatch(/^\d+$/);
  });
  afterAll(async () => {
    await s.server.close();
  });

  const metadata = (): { schema_version: string } => ({ schema_version: globexVersion });
  const subject = { type: 'user', id: 'a' };

  it.each([
    ['schemas/source', () => ({ metadata: metadata() })],
    ['schemas/read', () => ({ metadata: metadata() })],
    ['permissions/check', () => ({ metadata: metadata(), entity: { type: 'globex_secret_plan', id: '1' }, permission: 'x', subject })],
    ['permissions/explain', () => ({ metadata: metadata(), entity: { type: 'globex_secret_plan', id: '1' }, permission: 'x', subject })],
    ['permissions/plan', () => ({ metadata: metadata(), entity_type: 'globex_secret_plan', permission: 'x', subject })],
  ] as const)('is unknown on acme’s %s (404) and nothing of globex’s schema shows', async (path, body) => {
    const r = await s.call('POST', `/v1/tenants/acme/${path}`, body(), ACME);
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).not.toContain('globex_secret_plan');
  });
});
