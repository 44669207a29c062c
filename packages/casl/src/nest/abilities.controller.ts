import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import type { BoundGate } from '@gatehouse/core';
import { unauthenticatedAnswer } from '@gatehouse/core/adapter';

import { abilityPayload, etagMatches } from '../ability-payload.js';
import type { AbilityPayload, AbilityPayloadOptions } from '../ability-payload.js';
import { abilityError, httpException } from './http-exception.js';

/** The request parts the controller reads (Express and Fastify requests both have them). */
export interface AbilitiesControllerRequest {
  readonly gate?: BoundGate;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The response parts it writes: `header()` and `status()` exist on Express responses and Fastify replies. */
interface HeaderResponse {
  header(name: string, value: string): unknown;
  status(code: number): unknown;
}

/** Options of {@link createAbilitiesController}. */
export type AbilitiesControllerOptions = Omit<AbilityPayloadOptions, 'tenant' | 'subject' | 'signal' | 'snapToken'> & {
  /**
   * Route path of the controller.
   * @defaultValue `'abilities'`
   */
  readonly path?: string;
  /** Reads the PDP's current snap token for the request. */
  readonly snapToken?: (req: AbilitiesControllerRequest) => string | undefined;
};

/**
 * Makes a Nest controller serving `GET /<path>`: the request subject's packed CASL rules
 * ({@link AbilityPayload}) with an `ETag`, answering 304 when `If-None-Match` still matches, 401 without
 * `req.gate`, 400 for bad input. Works on `@nestjs/platform-express` and `@nestjs/platform-fastify`.
 * @param options - path, resources and the rest of {@link AbilitiesControllerOptions}.
 * @returns a controller class to list in a module's `controllers`.
 * @example
 * ```ts
 * @Module({ controllers: [createAbilitiesController({ resources: ['document'] })] })
 * class AppModule {}
 * ```
 */
export function createAbilitiesController(options: AbilitiesControllerOptions): Type {
  const { path = 'abilities', snapToken, ...rest } = options;

  @Controller(path)
  class AbilitiesController {
    @Get()
    public async abilities(
      @Req() req: AbilitiesControllerRequest,
      @Res({ passthrough: true }) res: HeaderResponse,
    ): Promise<AbilityPayload | undefined> {
      const gate = req.gate;
      if (gate === undefined) throw httpException(unauthenticatedAnswer());
      let payload: AbilityPayload;
      try {
        payload = await abilityPayload(gate, {
          ...rest,
          ...(snapToken === undefined ? {} : { snapToken: () => snapToken(req) }),
        });
      } catch (err) {
        throw abilityError(err);
      }
      res.header('ETag', payload.etag);
      res.header('Cache-Control', 'private, no-cache');
      if (etagMatches(req.headers['if-none-match'], payload.etag)) {
        res.status(304);
        return undefined;
      }
      return payload;
    }
  }
  return AbilitiesController;
}

