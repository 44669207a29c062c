// Type tests for @gatehouse/core with a generated schema: compiled by test/typed-schema-types.test.ts. Every
// `@ts-expect-error` line must fail to compile, and every other line must compile.
import { Gatehouse } from '@gatehouse/core';
import type { Pdp } from '@gatehouse/core';
import type { Schema } from './gatehouse-schema.js';

declare const pdp: Pdp;
declare const userId: string;
const gate = new Gatehouse<Schema>({ pdp });

export async function correct(): Promise<void> {
  await gate.can('alice', 'edit', 'document:1');
  await gate.can(userId, 'view', 'document:1');
  await gate.can('user:alice', 'view', 'document');
  await gate.can('team:eng#member', 'view', { type: 'document', id: '1', attributes: { is_public: true, min_level: 3 } });
  await gate.can({ type: 'user', id: 'alice' }, 'owner', 'document:1', { tenant: 'acme' });
  await gate.can('alice', 'member', 'team:eng');
  await gate.can({ type: 'team', id: 'eng', relation: 'member' }, 'view', 'document:1');
  await gate.check({ subject: 'alice', action: 'read_secret', resource: 'document:1' });
  await gate.checkMany([
    { subject: 'alice', action: 'edit', resource: 'document:1' },
    { subject: 'alice', action: 'admin', resource: 'organization:acme' },
  ]);
  const perms = await gate.permissions({ subject: 'alice', resource: 'document:1' });
  const canEdit: boolean | undefined = perms.edit;
  if (canEdit === true) return;
  await gate.lookupResources({ subject: 'alice', action: 'view', resourceType: 'document' });
  await gate.can('alice', 'view', 'document:1', {
    context: { attributes: [{ entity: { type: 'document', id: '1' }, attribute: 'is_public', value: true }] },
  });
  const bound = gate.bind('acme', 'alice');
  await bound.can('edit', 'document:1');
  await bound.check('view', { type: 'document', id: '2' });
  await bound.lookupResources('view', 'document');
  await gate.forTenant('acme').can('alice', 'edit', 'document:1');
  await gate.plan('alice', 'view', 'document', { tenant: 'acme' });
  await bound.plan('edit', 'document');
}

export async function typos(): Promise<void> {
  // @ts-expect-error -- a misspelt permission
  await gate.can('alice', 'edti', 'document:1');
  // @ts-expect-error -- a misspelt entity type in the resource
  await gate.can('alice', 'edit', 'documnet:1');
  // @ts-expect-error -- a permission of another entity type
  await gate.can('alice', 'edit', 'team:eng');
  // @ts-expect-error -- a misspelt subject type
  await gate.can('usr:alice', 'edit', 'document:1');
  // @ts-expect-error -- a misspelt subject type in object form
  await gate.can({ type: 'usr', id: 'alice' }, 'edit', 'document:1');
  // @ts-expect-error -- a misspelt userset relation of a subject object
  await gate.can({ type: 'team', id: 'eng', relation: 'membr' }, 'view', 'document:1');
  // @ts-expect-error -- an attribute value of the wrong type
  await gate.can('alice', 'view', { type: 'document', id: '1', attributes: { is_public: 'yes' } });
  // @ts-expect-error -- an attribute the entity does not declare
  await gate.can('alice', 'view', { type: 'document', id: '1', attributes: { public: true } });
  // @ts-expect-error -- a contextual attribute value of the wrong type
  await gate.can('alice', 'view', 'document:1', { context: { attributes: [{ entity: { type: 'document', id: '1' }, attribute: 'min_level', value: 'high' }] } });
  // @ts-expect-error -- a misspelt relation in a contextual tuple
  await gate.can('alice', 'view', 'document:1', { context: { tuples: [{ entity: { type: 'document', id: '1' }, relation: 'onwer', subject: { type: 'user', id: 'alice' } }] } });
  // @ts-expect-error -- object-form check with a misspelt action
  await gate.check({ subject: 'alice', action: 'veiw', resource: 'document:1' });
  // @ts-expect-error -- a misspelt resource type in a lookup
  await gate.lookupResources({ subject: 'alice', action: 'view', resourceType: 'docs' });
  const bound = gate.bind('acme', 'alice');
  // @ts-expect-error -- bound gates check the action too
  await bound.can('delete', 'document:1');
  // @ts-expect-error -- a misspelt permission in a query plan
  await gate.plan('alice', 'veiw', 'document');
  // @ts-expect-error -- a misspelt resource type in a bound query plan
  await bound.plan('view', 'documents');
  // @ts-expect-error -- a permission the entity does not have
  const missing: boolean | undefined = (await gate.permissions({ subject: 'alice', resource: 'document:1' })).delete;
  if (missing === true) return;
}
