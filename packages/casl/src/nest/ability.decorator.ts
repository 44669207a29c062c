import { createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { BoundGate } from '@gatehouse/core';
import { unauthenticatedAnswer } from '@gatehouse/core/adapter';

import { abilityFor } from '../ability-for.js';
import type { AbilityOptions } from '../ability-for.js';
import { abilityError, httpException } from './http-exception.js';

/** Options of {@link Ability}: what the ability covers; tenant and subject come from `req.gate`. */
export type AbilityDecoratorOptions = Omit<AbilityOptions, 'tenant' | 'subject' | 'signal'>;

/**
 * Injects a CASL `MongoAbility` for the request's tenant and subject, built with `abilityFor` from
 * `req.gate` (the `BoundGate` that `@gatehouse/nestjs`'s guard sets). Answers 401 when there is no gate,
 * 400 for bad options or input, 503 when the PDP fails.
 * @param options - resources, actions, fieldName, … (see {@link AbilityDecoratorOptions}).
 * @example
 * ```ts
 * @Get('documents')
 * list(@Ability({ resources: ['document'] }) ability: MongoAbility) {
 *   return docs.filter((d) => ability.can('read', subject('document', d)));
 * }
 * ```
 */
export const Ability = createParamDecorator(
  async (options: AbilityDecoratorOptions | undefined, ctx: ExecutionContext) => {
    const req = ctx.switchToHttp().getRequest<{ gate?: BoundGate }>();
    const gate = req.gate;
    if (gate === undefined) throw httpException(unauthenticatedAnswer());
    try {
      return await abilityFor(gate, options ?? {});
    } catch (err) {
      throw abilityError(err);
    }
  },
);
