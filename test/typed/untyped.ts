// Untyped use stays as it was: every name is a string (compiled by test/typed-schema-types.test.ts).
import { Gatehouse } from '@gatehouse/core';
import type { Pdp, ResourceInput, SubjectInput } from '@gatehouse/core';

declare const pdp: Pdp;
declare const subject: SubjectInput;
declare const resource: ResourceInput;
declare const action: string;
const gate = new Gatehouse({ pdp });

export async function untyped(): Promise<void> {
  await gate.can('alice', 'anything', 'whatever:1');
  await gate.can(subject, action, resource, { context: { attributes: ['document:1$public|boolean:true'], data: { x: 1 } } });
  await gate.check({ subject, action, resource });
  await gate.checkMany([{ subject: 'team:eng#member', action: 'x', resource: { type: 'a', attributes: { n: 1 } } }]);
  const perms: Record<string, boolean> = await gate.permissions({ subject, resource });
  if (perms.x === true) return;
  await gate.lookupResources({ subject, action, resourceType: 'doc' });
  const bound = gate.bind('t1', subject);
  await bound.can(action, resource);
  await bound.permissions(resource);
}
