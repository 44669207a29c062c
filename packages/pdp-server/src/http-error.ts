import { ForbiddenError, GatehouseError, InvalidRequestError } from '@gatehouse/core';

/** gRPC status codes used in error bodies, as Permify's REST gateway does. */
const GRPC = {
  invalidArgument: 3,
  notFound: 5,
  alreadyExists: 6,
  permissionDenied: 7,
  resourceExhausted: 8,
  internal: 13,
  unavailable: 14,
  unauthenticated: 16,
} as const;

/** The JSON body of every error answer: Permify's `{code, message, details}`. */
export interface ErrorBody {
  /** The gRPC status code (3 invalid argument, 5 not found, 7 permission denied, 16 unauthenticated, …). */
  readonly code: number;
  /** What went wrong, in words: what, where, why. */
  readonly message: string;
  /** `[{ reason: 'GH_ERR_…' }]`: the Gatehouse error code, and the offending input where known. */
  readonly details: readonly Record<string, unknown>[];
}

/** An error ready to send: HTTP status and body. */
export interface HttpError {
  readonly status: number;
  readonly body: ErrorBody;
}

/** An error raised by the server itself with a chosen HTTP status (auth, limits). */
export class HttpStatusError extends Error {
  public readonly status: number;
  public readonly reason: string;
  public constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = 'HttpStatusError';
    this.status = status;
    this.reason = reason;
  }
}

function grpcFor(status: number): number {
  switch (status) {
    case 401:
      return GRPC.unauthenticated;
    case 403:
      return GRPC.permissionDenied;
    case 404:
      return GRPC.notFound;
    case 409:
      return GRPC.alreadyExists;
    case 413:
    case 422:
    case 429:
      return GRPC.resourceExhausted;
    case 503:
      return GRPC.unavailable;
    default:
      return status >= 500 ? GRPC.internal : GRPC.invalidArgument;
  }
}

function make(status: number, reason: string, message: string, extra?: Record<string, unknown>): HttpError {
  return { status, body: { code: grpcFor(status), message, details: [{ reason, ...extra }] } };
}

const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  GH_ERR_INVALID_REQUEST: 400,
  GH_ERR_SCHEMA_PARSE: 400,
  GH_ERR_SCHEMA_COMPILE: 400,
  GH_ERR_VALIDATION: 400,
  GH_ERR_DEPTH_EXCEEDED: 400,
  GH_ERR_EVALUATION: 400,
  // The request is well formed but costs more than one request may (docs/budgets.md): not retryable as is.
  GH_ERR_BUDGET_EXCEEDED: 422,
  GH_ERR_PDP_PROTOCOL: 400,
  GH_ERR_NOT_FOUND: 404,
  GH_ERR_CONFLICT: 409,
  GH_ERR_FORBIDDEN: 403,
  GH_ERR_PDP_UNAVAILABLE: 503,
  GH_ERR_STORE: 503,
};

function statusOfGatehouse(err: GatehouseError): number {
  // Unknown codes come from a newer engine error class: a client error unless proven otherwise.
  return STATUS_OF_CODE[err.code] ?? 400;
}

/**
 * Maps anything a handler threw to an HTTP status and a `{code, message, details}` body: engine and core
 * errors by their code, fastify's own client errors (validation, body too large, bad JSON) by their status.
 * Anything else is a 500 (a bug, logged by the caller).
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpStatusError) return make(err.status, err.reason, err.message);
  if (err instanceof ForbiddenError) return make(403, err.code, err.message);
  if (err instanceof GatehouseError) {
    const extra: Record<string, unknown> = {};
    const positioned = err as unknown as { line?: unknown; column?: unknown };
    if (typeof positioned.line === 'number') extra.line = positioned.line;
    if (typeof positioned.column === 'number') extra.column = positioned.column;
    if (err instanceof InvalidRequestError && err.expected !== undefined) extra.expected = err.expected;
    // Failures of evaluation name their code in the message too, so clients that only read the message
    // (as for Permify's "ERROR_CODE_…" messages) can tell them from a malformed request.
    const message = err.code === 'GH_ERR_DEPTH_EXCEEDED' || err.code === 'GH_ERR_EVALUATION' || err.code === 'GH_ERR_BUDGET_EXCEEDED' ? `${err.code}: ${err.message}` : err.message;
    return make(statusOfGatehouse(err), err.code, message, extra);
  }
  if (typeof err === 'object' && err !== null) {
    const e = err as { statusCode?: unknown; code?: unknown; message?: unknown; validation?: unknown };
    const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
    const message = typeof e.message === 'string' ? (patternMessage(e.validation) ?? e.message) : 'internal error';
    if (status >= 400 && status < 500) {
      const reason = e.validation !== undefined ? 'GH_ERR_INVALID_REQUEST' : typeof e.code === 'string' ? e.code : 'GH_ERR_INVALID_REQUEST';
      return make(status, reason, message);
    }
    if (status === 503) return make(503, 'GH_ERR_UNAVAILABLE', message);
  }
  return make(500, 'GH_ERR_INTERNAL', 'internal error');
}

/** What a field checked by a `pattern` in the body schemas must be, in words (ajv would print the regex). */
const PATTERN_MEANING: Readonly<Record<string, string>> = {
  snap_token: 'a snap token returned by this server: a decimal integer string (or "" for the latest)',
  continuous_token: 'the continuous_token of the previous page of the same request (or "" for the first page)',
};

function patternMessage(validation: unknown): string | undefined {
  if (!Array.isArray(validation)) return undefined;
  const first = validation[0] as { keyword?: unknown; instancePath?: unknown; data?: unknown } | undefined;
  if (first?.keyword !== 'pattern' || typeof first.instancePath !== 'string') return undefined;
  const meaning = PATTERN_MEANING[first.instancePath.split('/').at(-1) ?? ''];
  if (meaning === undefined) return undefined;
  const where = `body${first.instancePath}`;
  return typeof first.data === 'string' ? `invalid ${where} ${JSON.stringify(first.data.slice(0, 100))}: expected ${meaning}` : `invalid ${where}: expected ${meaning}`;
}

/** 401: no key, or a key that is not configured. */
export function unauthenticated(message: string): HttpStatusError {
  return new HttpStatusError(401, 'GH_ERR_UNAUTHENTICATED', message);
}

/** 403: the key may not use this tenant. */
export function forbiddenTenant(tenant: string): HttpStatusError {
  return new HttpStatusError(403, 'GH_ERR_FORBIDDEN', `this API key may not access tenant ${JSON.stringify(tenant)}`);
}

/** 400 for a request that breaks a configured limit. */
export function overLimit(what: string, limit: number, got: number): HttpStatusError {
  return new HttpStatusError(400, 'GH_ERR_LIMIT', `${what} is ${String(got)}, over the limit of ${String(limit)}`);
}
