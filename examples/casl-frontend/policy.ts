/**
 * The document policy of the examples: tenant roles (admin, member) and per-document owner / editor /
 * viewer relations, plus a `public` flag. Seed data: two tenants with two users each.
 */
export const schema = `
entity user {}

entity tenant {
  relation admin @user
  relation member @user

  permission manage = admin
}

entity document {
  relation owner @user
  relation editor @user
  relation viewer @user
  attribute public boolean

  permission view = viewer or editor or owner or public or tenant.member or tenant.admin
  permission edit = editor or owner or tenant.admin
  permission delete = owner or tenant.admin
}
`;

/** Application data the page lists (titles are app data; who may do what is in the PDP). */
export const documents: Readonly<Record<string, readonly { id: string; title: string }[]>> = {
  acme: [
    { id: '1', title: 'Roadmap 2027' },
    { id: '2', title: 'Budget' },
    { id: '3', title: 'Hiring plan' },
    { id: '4', title: 'Press release' },
  ],
  globex: [
    { id: '10', title: 'Launch checklist' },
    { id: '11', title: 'Pricing' },
    { id: '12', title: 'Board notes' },
  ],
};

/** Relationship tuples and attributes per tenant. */
export const seed: Readonly<Record<string, { tuples: string[]; attributes: string[] }>> = {
  acme: {
    tuples: [
      'tenant:acme#admin@user:alice',
      'tenant:acme#member@user:bob',
      'document:2#owner@user:bob',
      'document:3#editor@user:bob',
    ],
    attributes: ['document:4$public|boolean:true'],
  },
  globex: {
    tuples: [
      'tenant:globex#admin@user:dave',
      'document:10#owner@user:carol',
      'document:11#viewer@user:carol',
      'document:12#editor@user:carol',
    ],
    attributes: [],
  },
};

/** Users the login screen offers, with the tenant they belong to. */
export const users = [
  { id: 'alice', tenant: 'acme', role: 'acme admin' },
  { id: 'bob', tenant: 'acme', role: 'acme member' },
  { id: 'carol', tenant: 'globex', role: 'globex user' },
  { id: 'dave', tenant: 'globex', role: 'globex admin' },
] as const;
