import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import { Gatehouse, InvalidRequestError, parseResource } from '@gatehouse/core';
import type { CheckInput, Resource, SubjectInput } from '@gatehouse/core';

import { GATEHOUSE_OPTIONS } from './constants.js';
import type { GatehouseModuleOptions } from './gatehouse-options.interface.js';
import { httpError } from './http-errors.js';
import { resolveSubject, resolveTenant } from './request-binder.js';
import type { GatehouseRequest } from './request-binder.js';

/** The most items one bulk request may carry. */
const MAX_BULK = 100;

interface Item {
  readonly action: unknown;
  readonly resource: unknown;
  readonly resourceAttributes?: unknown;
}

/**
 * Builds a controller serving the permit-fe-sdk backend contract at `path`:
 * `GET ?action=&resource=` → `{ permitted }`, `POST { action, resource, resourceAttributes? }` →
 * `{ permitted }`, `POST { resourcesAndActions: [...] }` → `{ permittedList }` (at most 100 items).
 *
 * The user is the authenticated request's subject (the app's `subject` resolver); the SDK's `?user=` is
 * ignored, and so are `userAttributes` (a browser may not vouch for its user). `resourceAttributes` are
 * contextual attributes of that check only. The tenant is the request's tenant. Answers are UI hints:
 * the routes themselves stay guarded. 401 without a subject, 400 for a malformed item.
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
    public async single(
      @Req() req: GatehouseRequest,
      @Query('action') action: unknown,
      @Query('resource') resource: unknown,
    ): Promise<{ permitted: boolean }> {
      const [input] = this.inputs(req, [{ action, resource }]);
      return { permitted: (await this.gate.check(input)).allowed };
    }

    @Post()
    @HttpCode(200)
    public async post(
      @Req() req: GatehouseRequest,
      @Body() body: unknown,
    ): Promise<{ permitted: boolean } | { permittedList: boolean[] }> {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw httpError(400, 'expected a JSON object body', 'invalid_request');
      }
      const bulk = (body as { resourcesAndActions?: unknown }).resourcesAndActions;
      if (bulk === undefined) {
        const [input] = this.inputs(req, [body as Item]);
        const decision = await this.gate.check(input);
        return { permitted: decision.allowed };
      }
      if (!Array.isArray(bulk) || bulk.length > MAX_BULK) {
        throw httpError(400, `expected resourcesAndActions to be an array of at most ${MAX_BULK} items`, 'invalid_request');
      }
      const decisions = await this.gate.checkMany(this.inputs(req, bulk as Item[]));
      return { permittedList: decisions.map((d) => d.allowed) };
    }

    private inputs(req: GatehouseRequest, items: readonly Item[]): [CheckInput, ...CheckInput[]] {
      const subject: SubjectInput = resolveSubject(this.options, req);
      const tenant = resolveTenant(this.options, req, this.gate.defaultTenant);
      return items.map((item, i) => toInput(tenant, subject, item, i)) as [CheckInput, ...CheckInput[]];
    }
  }
  return PermitCheckController;
}

function toInput(tenant: string, subject: SubjectInput, item: Item, index: number): CheckInput {
  if (typeof item !== 'object' || (item as unknown) === null) throw httpError(400, `item ${index}: expected an object`, 'invalid_request');
  const { action, resource, resourceAttributes } = item;
  if (typeof action !== 'string' || action === '') throw httpError(400, `item ${index}: expected action to be a string`, 'invalid_request');
  if (typeof resource !== 'string' || resource === '') throw httpError(400, `item ${index}: expected resource to be a string "type" or "type:key"`, 'invalid_request');
  let parsed: Resource;
  try {
    parsed = parseResource(resource);
  } catch (err) {
    if (err instanceof InvalidRequestError) throw httpError(400, `item ${index}: ${err.message}`, 'invalid_request');
    throw err;
  }
  if (resourceAttributes !== undefined && (typeof resourceAttributes !== 'object' || resourceAttributes === null || Array.isArray(resourceAttributes))) {
    throw httpError(400, `item ${index}: expected resourceAttributes to be an object`, 'invalid_request');
  }
  const attributes = resourceAttributes as Record<string, unknown> | undefined;
  const withAttributes = attributes === undefined || Object.keys(attributes).length === 0 ? parsed : { ...parsed, attributes };
  return { tenant, subject, action, resource: withAttributes };
}
