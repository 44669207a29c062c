import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import { InvalidRequestError } from '@gatehouse/core';
import { bindRequest, handlePermitCheck, PERMIT_CHECK_MAX_BULK, positiveOption, RequestGate } from '@gatehouse/core/adapter';
import type { AdapterConfig, HttpErrorBody, PermitCheckBody, PermitCheckOptions, PermitCheckRequest } from '@gatehouse/core/adapter';

import { GATEHOUSE_CONFIG } from './constants.js';
import { httpException } from './http-errors.js';
import type { GatehouseRequest } from './request-binding.js';

type Permitted = Exclude<PermitCheckBody, HttpErrorBody>;

/** Options of {@link permitCheckHandler}: core's `PermitCheckOptions` (`maxBulk`) and the route path. */
export interface PermitCheckHandlerOptions extends PermitCheckOptions {
  /** The route path. @defaultValue `'permit-check'` */
  readonly path?: string;
}

/**
 * The permit-fe-sdk backend endpoint, the same contract as `@gatehouse/express`'s `permitCheckHandler(options)`
 * (here a controller class): `GET ?action=&resource=` → `{ permitted }`, `POST { action, resource,
 * resourceAttributes? }` → `{ permitted }`, `POST { resourcesAndActions: [...] }` → `{ permittedList }` (at most
 * `maxBulk`, 100, items; an item that cannot be checked is `false`, since the SDK discards a whole bulk load on
 * any error).
 *
 * The user is the request's subject (the module's `subject` resolver, an opaque id); the SDK's `?user=` and
 * `userAttributes` are ignored. The tenant is the request's tenant. Answers follow docs/adapters.md: 401 without a
 * subject, 400 for a bad subject, tenant or envelope, as `{ statusCode, error, message, reason }`. Answers are UI
 * hints: the routes themselves stay guarded.
 *
 * @param options - `path` (default `'permit-check'`) and `maxBulk`
 * @returns a controller class to list in a module's `controllers`
 * @throws {@link InvalidRequestError} when an option is malformed
 * @example
 * ```ts
 * @Module({ imports: [GatehouseModule.forRoot({ pdp, tenant, subject })], controllers: [permitCheckHandler({ path: 'api/permit-check' })] })
 * export class AppModule {}
 * // front end: Permit({ loggedInUser: 'alice', backendUrl: '/api/permit-check' })
 * ```
 * @publicApi
 */
export function permitCheckHandler(options: PermitCheckHandlerOptions = {}): Type {
  const given: unknown = options;
  if (typeof given !== 'object' || given === null) {
    throw InvalidRequestError.badValue('permitCheckHandler() options', given, 'an object { path?, maxBulk? }');
  }
  const path = options.path ?? 'permit-check';
  if (typeof path !== 'string') throw InvalidRequestError.badValue('permitCheckHandler() options.path', path, 'a route path');
  const maxBulk = positiveOption('permitCheckHandler()', 'maxBulk', options.maxBulk, PERMIT_CHECK_MAX_BULK);

  @Controller(path)
  class PermitCheckController {
    public constructor(@Inject(GATEHOUSE_CONFIG) private readonly config: AdapterConfig) {}

    @Get()
    public async single(@Req() req: GatehouseRequest): Promise<Permitted> {
      return await this.answer(req, { method: 'GET', query: req.query ?? {} });
    }

    @Post()
    @HttpCode(200)
    public async post(@Req() req: GatehouseRequest, @Body() body: unknown): Promise<Permitted> {
      return await this.answer(req, { method: 'POST', body });
    }

    private async answer(req: GatehouseRequest, request: PermitCheckRequest): Promise<Permitted> {
      const bound = bindRequest(this.config, req);
      if (!(bound instanceof RequestGate)) throw httpException(bound, this.config);
      const answer = await handlePermitCheck(bound, request, { maxBulk });
      if ('error' in answer.body) throw httpException({ status: answer.status, body: answer.body }, this.config);
      return answer.body;
    }
  }
  return PermitCheckController;
}

/**
 * {@link permitCheckHandler} with only a path.
 * @param path - the route path, default `'permit-check'`
 * @returns a controller class to list in a module's `controllers`
 * @example
 * ```ts
 * @Module({ controllers: [createPermitCheckController('api/permit-check')] })
 * export class AppModule {}
 * ```
 * @publicApi
 */
export function createPermitCheckController(path = 'permit-check'): Type {
  return permitCheckHandler({ path });
}
