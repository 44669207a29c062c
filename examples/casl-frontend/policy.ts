/**
 * The people the login screen offers. The policy itself (the same as the NestJS and Express examples) is
 * in `policy/schema.perm`, and the tenants, role assignments and documents in `policy/seed.json`.
 */
export const users = [
  { id: 'alice', tenant: 'acme', role: 'acme admin' },
  { id: 'bob', tenant: 'acme', role: 'acme editor, globex viewer' },
  { id: 'carol', tenant: 'acme', role: 'acme viewer' },
  { id: 'dave', tenant: 'globex', role: 'globex admin' },
] as const;
