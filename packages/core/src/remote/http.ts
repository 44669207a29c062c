import type { Dispatcher } from 'undici';

import {
  BudgetExceededError,
  DepthExceededError,
  EvaluationError,
  InvalidRequestError,
  NotFoundError,
  PdpProtocolError,
  PdpUnavailableError,
} from '../errors.js';
import type { GatehouseError } from '../errors.js';
import { abortReason } from '../internal/deadline.js';

/** One JSON POST, turned into a parsed body or a typed error. */
export interface JsonPost {
  readonly path: string;
  readonly body: unknown;
  readonly tenant: string;
}

function errorText(parsed: unknown, raw: string): { code: string; message: string } {
  if (typeof parsed === 'object' && parsed !== null) {
    const record = parsed as Record<string, unknown>;
    // Our server names the error class in details[0].reason (GH_ERR_…); Permify only in the message.
    const details = Array.isArray(record.details) ? (record.details as unknown[]) : [];
    const reason: unknown = field(details[0], 'reason');
    const code = typeof reason === 'string' ? reason
      : typeof record.code === 'string' || typeof record.code === 'number' ? String(record.code) : '';
    const message =
      typeof record.message === 'string' ? record.message
        : typeof record.detail === 'string' ? record.detail
          : typeof record.error === 'string' ? record.error : raw.slice(0, 200);
    return { code, message };
  }
  return { code: '', message: raw.slice(0, 200) };
}

/** Maps a non-2xx answer to the error family: 4xx are the request's fault, 5xx the PDP's. */
export function statusError(status: number, raw: string, tenant: string): GatehouseError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const { code, message } = errorText(parsed, raw);
  const said = `${code} ${message}`;
  const text = `the PDP answered ${String(status)}${message === '' ? '' : `: ${message}`}`;
  if (/GH_ERR_DEPTH_EXCEEDED|ERROR_CODE_DEPTH_NOT_ENOUGH/.test(said)) {
    return new DepthExceededError(0, { tenant, cause: new Error(text) });
  }
  if (said.includes('GH_ERR_BUDGET_EXCEEDED')) return new BudgetExceededError(text, { tenant });
  if (said.includes('GH_ERR_EVALUATION')) return new EvaluationError(text, { tenant });
  if (status === 408 || status === 429 || status >= 500 || /GH_ERR_PDP_UNAVAILABLE|GH_ERR_STORE/.test(said)) {
    return new PdpUnavailableError(text, { tenant });
  }
  if (status === 404 || /GH_ERR_NOT_FOUND|ERROR_CODE_NOT_FOUND/.test(said)) return new NotFoundError(text, { tenant });
  if (status === 401 || status === 403) {
    return new InvalidRequestError(`${text} (check the apiKey option of RemotePdp)`, { tenant });
  }
  if (status >= 400 && status < 500) return new InvalidRequestError(text, { tenant });
  return new PdpProtocolError(`${text}: unexpected status`, { tenant, status });
}

/**
 * POSTs JSON and parses the answer. Network failures and deadlines become {@link PdpUnavailableError};
 * an unparseable 2xx body {@link PdpProtocolError}; an abort by the caller rejects with the caller's reason.
 */
export async function postJson(
  dispatcher: Dispatcher,
  post: JsonPost,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; json: unknown }> {
  let status: number;
  let raw: string;
  try {
    const res = await dispatcher.request({
      method: 'POST',
      path: post.path,
      headers,
      body: JSON.stringify(post.body),
      signal,
    });
    status = res.statusCode;
    raw = await res.body.text();
  } catch (err) {
    if (signal.aborted) throw abortReason(signal);
    const message = err instanceof Error ? err.message : String(err);
    throw new PdpUnavailableError(`cannot reach the PDP (${post.path}): ${message}`, { cause: err, tenant: post.tenant });
  }
  if (status < 200 || status >= 300) throw statusError(status, raw, post.tenant);
  try {
    return { status, json: JSON.parse(raw) as unknown };
  } catch (err) {
    throw new PdpProtocolError(`the PDP answered ${post.path} with a body that is not JSON: ${raw.slice(0, 80)}`, {
      cause: err,
      tenant: post.tenant,
      status,
    });
  }
}

/** Reads a path of a parsed body, or undefined. */
export function field(value: unknown, ...path: string[]): unknown {
  let node = value;
  for (const part of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A protocol error naming the endpoint and what was wrong with its answer. */
export function badShape(path: string, what: string, tenant: string, status?: number): PdpProtocolError {
  return new PdpProtocolError(`the PDP answered ${path} with ${what}`, status === undefined ? { tenant } : { tenant, status });
}
