import type { BoundGate } from '@gatehouse/core';
import type { HttpAnswer } from '@gatehouse/core/adapter';
import { callErrorAnswer, unauthenticatedAnswer } from '@gatehouse/core/adapter';

import { abilityPayload, etagMatches } from '../ability-payload.js';
import type { AbilityPayloadOptions } from '../ability-payload.js';

/** The parts of an Express 4/5 request the handler reads. `gate` is set by `@gatehouse/express`'s middleware. */
export interface AbilitiesRequest {
  readonly gate?: BoundGate;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The parts of an Express 4/5 response the handler writes. */
export interface AbilitiesResponse {
  status(code: number): this;
  setHeader(name: string, value: string): unknown;
  json(body: unknown): unknown;
  end(): unknown;
}

/** Options of {@link abilitiesHandler}: the payload options, without tenant and subject (they come from `req.gate`). */
export type AbilitiesHandlerOptions<TReq extends AbilitiesRequest = AbilitiesRequest> = Omit<
  AbilityPayloadOptions,
  'tenant' | 'subject' | 'signal' | 'snapToken'
> & {
  /** Reads the PDP's current snap token for the request (e.g. `(req) => engine.headSnapToken(req.gate.tenant)`). */
  readonly snapToken?: (req: TReq) => string | undefined;
};

/**
 * An Express handler serving the request subject's CASL rules as an {@link AbilityPayload}, with an `ETag`
 * and `304 Not Modified` when the client's `If-None-Match` still matches. It reads `req.gate` (set by
 * `@gatehouse/express`'s `gatehouse()` middleware) and answers 401 when there is none, 400 for bad input;
 * other failures go to `next(err)`.
 * @param options - resources, actions and the rest of {@link AbilitiesHandlerOptions}.
 * @returns an Express request handler.
 * @example
 * ```ts
 * app.use(gatehouse({ pdp, tenant: fromHeader('x-tenant-id'), subject: (req) => req.user?.id }));
 * app.get('/abilities', abilitiesHandler({ resources: ['document'] }));
 * ```
 */
export function abilitiesHandler<TReq extends AbilitiesRequest = AbilitiesRequest>(
  options: AbilitiesHandlerOptions<TReq>,
): (req: TReq, res: AbilitiesResponse, next: (err?: unknown) => void) => Promise<void> {
  const { snapToken, ...rest } = options;
  return async (req, res, next) => {
    const gate = req.gate;
    if (gate === undefined) {
      send(res, unauthenticatedAnswer());
      return;
    }
    try {
      const payload = await abilityPayload(gate, {
        ...rest,
        ...(snapToken === undefined ? {} : { snapToken: () => snapToken(req) }),
      });
      res.setHeader('ETag', payload.etag);
      res.setHeader('Cache-Control', 'private, no-cache');
      if (etagMatches(req.headers['if-none-match'], payload.etag)) {
        res.status(304).end();
        return;
      }
      res.status(200).json(payload);
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
