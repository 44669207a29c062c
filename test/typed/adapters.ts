// Type tests for the typed adapters (nestjs, express, casl) with a generated schema: compiled by
// test/typed-schema-types.test.ts. Each `@ts-expect-error` line must fail to compile; every other line must compile.
import { subject } from '@casl/ability';
import { abilityFor } from '@gatehouse/casl';
import type { BoundGate } from '@gatehouse/core';
import { fromParam, gatehouse, typedAuthorize } from '@gatehouse/express';
import type { Pdp } from '@gatehouse/core';
import { typedDecorators } from '@gatehouse/nestjs';
import type { Schema } from './gatehouse-schema.js';

const { Permission, AnyPermission } = typedDecorators<Schema>();

export class DocumentsController {
  @Permission('edit', 'document', { id: fromParam('id') })
  public update(): void {}

  @AnyPermission([{ action: 'view', resourceType: 'document', id: fromParam('id') }, { action: 'admin', resourceType: 'tenant' }])
  public show(): void {}

  // @ts-expect-error -- a misspelt permission in @Permission
  @Permission('edti', 'document')
  public typo(): void {}

  // @ts-expect-error -- a misspelt entity type in @Permission
  @Permission('edit', 'documnet')
  public typoType(): void {}

  // @ts-expect-error -- an action of another entity type in @AnyPermission
  @AnyPermission([{ action: 'edit', resourceType: 'team' }])
  public typoAny(): void {}
}

const authorize = typedAuthorize<Schema>();
export const routes = [
  authorize('edit', { type: 'document', id: fromParam('id') }),
  authorize('view', 'document:1'),
  authorize('member', (req) => `team:${String(req.params.team)}` as const),
  authorize.any(['view', 'document:1'], ['admin', 'tenant']),
  // @ts-expect-error -- a misspelt permission in authorize()
  authorize('veiw', 'document:1'),
  // @ts-expect-error -- a misspelt entity type in authorize()
  authorize('view', { type: 'docs', id: fromParam('id') }),
  // @ts-expect-error -- a misspelt action in authorize.all()
  authorize.all(['edit', 'document:1'], ['admni', 'tenant']),
];

declare const pdp: Pdp;
const bound = typedAuthorize<Schema>(gatehouse({ pdp, subject: () => 'alice' }));
export const boundRoutes = [
  bound('view', { type: 'document', id: fromParam('id') }),
  // @ts-expect-error -- a misspelt action in a gatehouse() instance's authorize()
  bound('veiw', 'document:1'),
];

declare const gate: BoundGate;
export async function abilities(): Promise<void> {
  const ability = await abilityFor<Schema>(gate, { resources: ['document'] });
  ability.can('edit', 'document');
  ability.can('view', subject('document', { id: '1' }));
  // @ts-expect-error -- a misspelt action in the ability
  ability.can('edti', 'document');
  // @ts-expect-error -- a misspelt subject type in the ability
  ability.can('edit', 'documnet');
  const untyped = await abilityFor(gate, { resources: ['document'] });
  untyped.can('anything', 'whatever');
}
