import { Controller, Get, UnauthorizedException } from '@nestjs/common';
import type { BoundGate } from '@gatehouse/core';
import { Gate } from '@gatehouse/nestjs';

import { UNAUTHENTICATED } from './fake-auth.guard.js';

/** Who am I, in which tenant, and what may I do with documents in general? */
@Controller('me')
export class MeController {
  @Get()
  public async me(@Gate() gate: BoundGate | undefined): Promise<object> {
    if (gate === undefined) throw new UnauthorizedException(UNAUTHENTICATED);
    return { tenant: gate.tenant, user: gate.subject.id, documents: { create: await gate.can('create', 'document') } };
  }
}
