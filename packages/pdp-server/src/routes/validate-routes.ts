import { DEFAULT_BUDGET, validate } from '@gatehouse/engine';
import type { FastifyInstance } from 'fastify';
import { HttpStatusError } from '../http-error.js';
import type { RouteContext } from '../route-context.js';

/** Largest validation file the route runs (its text, in characters). */
export const MAX_VALIDATION_TEXT = 512 * 1024;

/**
 * Evaluation steps one posted file may take in all (20 requests' default budgets, about a second of CPU): each check
 * keeps its own budget, and past this the rest of the file is not run (an error says so), so a file of many costly
 * checks cannot hold the server.
 */
export const MAX_VALIDATION_STEPS = 20 * DEFAULT_BUDGET.maxSteps;

/**
 * `POST /v1/validate` `{yaml}`: runs a Permify validation file (schema, relationships, attributes, scenarios) in a
 * throwaway in-memory engine — the server's own data is neither read nor written — and answers as `gatehouse
 * validate --json` does: `{passed, failed, errors: [{line, column, message}], failures: [{scenario, kind, query,
 * expected, actual}]}`, plus `outcomes`: every assertion in file order, with `passed`. Every evaluation runs under the engine's budget and depth limits; one validation runs at a
 * time per server (another gets 429), so pasted files cannot take every core.
 */
export function validateRoutes(app: FastifyInstance, _ctx: RouteContext): void {
  let running = false;
  app.post(
    '/v1/validate',
    {
      schema: {
        body: { type: 'object', required: ['yaml'], additionalProperties: false, properties: { yaml: { type: 'string', maxLength: MAX_VALIDATION_TEXT } } },
      },
    },
    async (request) => {
      if (running) throw new HttpStatusError(429, 'GH_ERR_BUSY', 'another validation is running on this server; retry when it has finished');
      running = true;
      try {
        const result = await validate((request.body as { yaml: string }).yaml, { fileName: 'input.yaml', outcomes: true, maxSteps: MAX_VALIDATION_STEPS });
        return { passed: result.passed, failed: result.failed, errors: result.errors, failures: result.failures, outcomes: result.outcomes ?? [] };
      } finally {
        running = false;
      }
    },
  );
}
