import { Controller, Get, Inject, Optional, Req, Res } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import type { BoundGate, RequestLike } from '@gatehouse/core';
import { bindRequest, RequestGate, unauthenticatedAnswer } from '@gatehouse/core/adapter';
import type { AdapterConfig } from '@gatehouse/core/adapter';

import { abilityPayload, etagMatches } from '../ability-payload.js';
import type { AbilityPayload, AbilityPayloadOptions } from '../ability-payload.js';
import { abilityError, httpException } from './http-exception.js';

/** The request parts the controller reads (Express and Fastify requests both have them). */
export interface AbilitiesControllerRequest extends RequestLike {
  gate?: BoundGate | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The response parts it writes: `header()` and `status()` exist on Express responses and Fastify replies. */
interface HeaderResponse {
  header(name: string, value: string): unknown;
  status(code: number): unknown;
}

/** `@gatehouse/nestjs`'s `GATEHOUSE_CONFIG` (a registered symbol: no import of that package needed). */
const GATEHOUSE_CONFIG = Symbol.for('gatehouse.nestjs.config');

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
 * ({@link AbilityPayload}) with an `ETag`, answering 304 when `If-None-Match` still matches. The subject is
 * `req.gate`'s (the PermissionGuard binds it); when there is none, the request is bound with `@gatehouse/nestjs`'s
 * configuration (core's `bindRequest`: 401 anonymous, 400 `invalid_subject` / `missing_tenant`, as in
 * docs/adapters.md), or 401 without the module. 400 for bad input. Works on `@nestjs/platform-express` and
 * `@nestjs/platform-fastify`.
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
    public constructor(@Optional() @Inject(GATEHOUSE_CONFIG) private readonly config?: AdapterConfig) {}

    @Get()
    public async abilities(
      @Req() req: AbilitiesControllerRequest,
      @Res({ passthrough: true }) res: HeaderResponse,
    ): Promise<AbilityPayload | undefined> {
      const gate = req.gate ?? this.bind(req);
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

    private bind(req: AbilitiesControllerRequest): BoundGate {
      const bound = this.config === undefined ? unauthenticatedAnswer() : bindRequest(this.config, req);
      if (!(bound instanceof RequestGate)) throw httpException(bound);
      req.gate = bound;
      return bound;
    }
  }
  return AbilitiesController;
}

