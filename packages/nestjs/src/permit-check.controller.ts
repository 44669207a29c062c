import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import { Gatehouse } from '@gatehouse/core';
import { handlePermitCheck, RequestGate } from '@gatehouse/core/adapter';
import type { HttpErrorBody, PermitCheckBody, PermitCheckRequest } from '@gatehouse/core/adapter';

import { GATEHOUSE_OPTIONS } from './constants.js';
import type { GatehouseModuleOptions } from './gatehouse-options.interface.js';
import { httpException } from './http-errors.js';
import { resolveSubject, resolveTenant } from './request-binder.js';
import type { GatehouseRequest } from './request-binder.js';

type Permitted = Exclude<PermitCheckBody, HttpErrorBody>;

/**
 * Builds a controller serving the permit-fe-sdk backend contract at `path` with core's `handlePermitCheck`:
 * `GET ?action=&resource=` → `{ permitted }`, `POST { action, resource, resourceAttributes? }` →
 * `{ permitted }`, `POST { resourcesAndActions: [...] }` → `{ permittedList }` (at most 100 items; an item that
 * cannot be checked is `false`, since the SDK discards a whole bulk load on any error).
 *
 * The user is the authenticated request's subject (the app's `subject` resolver); the SDK's `?user=` is
 * ignored, and so are `userAttributes` (a browser may not vouch for its user). `resourceAttributes` are
 * contextual attributes of that check only. The tenant is the request's tenant. Answers are UI hints:
 * the routes themselves stay guarded. 401 without a subject, 400 for a malformed envelope, as
 * `{ statusCode, error, message, reason }`.
 *
 * @param path - the route path, default `'permit-check'`
 * @returns a controller class to list in a module's `controllers`
 * @example
 * ```ts
 * @Module({ controllers: [createPermitCheckController('api/permit-check')] })
 * export class AppModule {}
 * // front end: Permit({ loggedInUser: 'alice', backendUrl: '/api/permit-check' })
 * ```
 * @publicApi
 */
export function createPermitCheckController(path = 'permit-check'): Type {
  @Controller(path)
  class PermitCheckController {
    public constructor(
      @Inject(Gatehouse) private readonly gate: Gatehouse,
      @Inject(GATEHOUSE_OPTIONS) private readonly options: GatehouseModuleOptions,
    ) {}

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
      const subject = resolveSubject(this.options, req);
      const tenant = resolveTenant(this.options, req, this.gate.defaultTenant);
      const answer = await handlePermitCheck(new RequestGate(this.gate, tenant, subject), request);
      if ('error' in answer.body) throw httpException({ status: answer.status, body: answer.body });
      return answer.body;
    }
  }
  return PermitCheckController;
}

/**
 * The permit-fe-sdk endpoint under the name DESIGN §6 gives it in both adapters (`@gatehouse/express` exports a
 * handler of the same name): builds the controller {@link createPermitCheckController} builds, serving the
 * contract at `path`.
 *
 * @param path - the route path, default `'permit-check'`
 * @returns a controller class to list in a module's `controllers`
 * @example
 * ```ts
 * @Module({ imports: [GatehouseModule.forRoot({ pdp, tenant, subject })], controllers: [permitCheckHandler('api/permit-check')] })
 * export class AppModule {}
 * ```
 * @publicApi
 */
export function permitCheckHandler(path = 'permit-check'): Type {
  return createPermitCheckController(path);
}
