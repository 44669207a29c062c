import type { BoundGate, RequestLike } from '@gatehouse/core';
import { ADAPTER_OPTION_NAMES, adapterConfig, bindRequest, callErrorAnswer, RequestGate, unauthenticatedAnswer } from '@gatehouse/core/adapter';
import type { AdapterConfig, AdapterOptions, HttpAnswer } from '@gatehouse/core/adapter';

import { abilityPayload, etagMatches } from '../ability-payload.js';
import type { AbilityPayloadOptions } from '../ability-payload.js';

/** The parts of an Express 4/5 request the handler reads. `gate` is set by `@gatehouse/express`'s middleware. */
export interface AbilitiesRequest extends RequestLike {
  gate?: BoundGate | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The parts of an Express 4/5 response the handler writes. */
export interface AbilitiesResponse {
  status(code: number): this;
  setHeader(name: string, value: string): unknown;
  json(body: unknown): unknown;
  end(): unknown;
}

/**
 * Options of {@link abilitiesHandler}: the payload options (tenant and subject come from the request), and — to
 * bind requests without a mounted `gatehouse()` — the adapter options of `@gatehouse/core/adapter` (`pdp` or
 * `client`, `subject`, `tenant`, … the same as `gatehouse()`'s).
 */
export type AbilitiesHandlerOptions<TReq extends AbilitiesRequest = AbilitiesRequest> = Omit<
  AbilityPayloadOptions,
  'tenant' | 'subject' | 'signal' | 'snapToken'
> & {
  /** Reads the PDP's current snap token for the request (e.g. `(req) => engine.headSnapToken(req.gate.tenant)`). */
  readonly snapToken?: (req: TReq) => string | undefined;
} & (Partial<Record<keyof AdapterOptions, undefined>> | AdapterOptions<TReq>);

/** Splits the options into the adapter's (when any is given) and the payload's. */
function split<TReq extends AbilitiesRequest>(
  options: AbilitiesHandlerOptions<TReq>,
): { config: AdapterConfig<TReq> | undefined; payload: Omit<AbilitiesHandlerOptions<TReq>, keyof AdapterOptions> } {
  const adapter: Record<string, unknown> = {};
  const payload: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (ADAPTER_OPTION_NAMES.includes(key)) {
      if (value !== undefined) adapter[key] = value;
    } else {
      payload[key] = value;
    }
  }
  const config = Object.keys(adapter).length === 0 ? undefined : adapterConfig(adapter as unknown as AdapterOptions<TReq>, 'abilitiesHandler()');
  return { config, payload: payload };
}

/**
 * An Express handler serving the request subject's CASL rules as an {@link AbilityPayload}, with an `ETag`
 * and `304 Not Modified` when the client's `If-None-Match` still matches. It reads `req.gate` (set by
 * `@gatehouse/express`'s `gatehouse()` middleware) and answers 401 when there is none; given adapter options it
 * binds the request itself with core's `bindRequest` (401, 400 `invalid_subject` / `missing_tenant` as in
 * docs/adapters.md). 400 for bad input; other failures go to `next(err)`.
 * @param options - resources, actions and the rest of {@link AbilitiesHandlerOptions}.
 * @returns an Express request handler.
 * @throws {@link InvalidRequestError} for malformed adapter options.
 * @example
 * ```ts
 * app.use(gatehouse({ pdp, tenant: fromHeader('x-tenant-id'), subject: (req) => req.user?.id }));
 * app.get('/abilities', abilitiesHandler({ resources: ['document'] }));
 * ```
 */
export function abilitiesHandler<TReq extends AbilitiesRequest = AbilitiesRequest>(
  options: AbilitiesHandlerOptions<TReq>,
): (req: TReq, res: AbilitiesResponse, next: (err?: unknown) => void) => Promise<void> {
  const { config, payload } = split(options);
  const { snapToken, ...rest } = payload;
  return async (req, res, next) => {
    let gate: BoundGate | HttpAnswer;
    try {
      gate = config === undefined ? (req.gate ?? unauthenticatedAnswer()) : bindRequest(config, req);
    } catch (err) {
      next(err);
      return;
    }
    if (gate instanceof RequestGate) req.gate = gate;
    if ('status' in gate) {
      send(res, gate);
      return;
    }
    const bound = gate;
    try {
      const body = await abilityPayload(bound, {
        ...rest,
        ...(snapToken === undefined ? {} : { snapToken: () => snapToken(req) }),
      });
      res.setHeader('ETag', body.etag);
      res.setHeader('Cache-Control', 'private, no-cache');
      if (etagMatches(req.headers['if-none-match'], body.etag)) {
        res.status(304).end();
        return;
      }
      res.status(200).json(body);
    } catch (err) {
      const answer = callErrorAnswer(err);
      if (answer === undefined) next(err);
      else send(res, answer);
    }
  };
}

function send(res: AbilitiesResponse, answer: HttpAnswer): void {
  res.status(answer.status).json(answer.body);
}
