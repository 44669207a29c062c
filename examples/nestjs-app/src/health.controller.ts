import { Controller, Get } from '@nestjs/common';
import { Public } from '@gatehouse/nestjs';

/** Liveness: no tenant, no user. */
@Controller('health')
export class HealthController {
  @Get()
  @Public()
  public health(): { ok: true } {
    return { ok: true };
  }
}
