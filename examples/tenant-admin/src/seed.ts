/** The example's people, tenants, starting roles and documents. */

/** A user of the app's own identity system; Gatehouse knows only the id. */
export interface User {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

/** Who can sign in (the login screen offers each of them in each tenant). dave starts with no role anywhere. */
export const users: readonly User[] = [
  { id: 'alice', name: 'Alice', email: 'alice@acme.example' },
  { id: 'carol', name: 'Carol', email: 'carol@example.com' },
  { id: 'dave', name: 'Dave', email: 'dave@example.com' },
  { id: 'erin', name: 'Erin', email: 'erin@globex.example' },
];

/** A document of a tenant (the app's own data). */
export interface Document {
  readonly id: string;
  readonly title: string;
}

/** The two tenants: acme (alice administers it, carol views) and globex (erin administers it, carol edits). */
export const tenants: Readonly<Record<string, { readonly name: string; readonly roles: readonly string[]; readonly documents: readonly Document[] }>> = {
  acme: {
    name: 'Acme Corp',
    roles: ['tenant:acme#admin@user:alice', 'tenant:acme#viewer@user:carol'],
    documents: [
      { id: 'roadmap', title: 'Product roadmap' },
      { id: 'pricing', title: 'Pricing 2027' },
      { id: 'handbook', title: 'Employee handbook' },
    ],
  },
  globex: {
    name: 'Globex',
    roles: ['tenant:globex#admin@user:erin', 'tenant:globex#editor@user:carol'],
    documents: [{ id: 'plan', title: 'Expansion plan' }],
  },
};
