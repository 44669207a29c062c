import { HttpStatusError } from './http-error.js';

function forbiddenKey(key: string): HttpStatusError {
  return new HttpStatusError(
    400,
    'GH_ERR_INVALID_REQUEST',
    `forbidden key ${JSON.stringify(key)} in body (object keys "__proto__", and "constructor" holding "prototype", are refused)`,
  );
}

function reviver(key: string, value: unknown): unknown {
  if (key === '__proto__') throw forbiddenKey(key);
  if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) throw forbiddenKey(key);
  return value;
}

/**
 * Parses a JSON request body, refusing prototype-poisoning keys (`__proto__`, `constructor.prototype`) with a message
 * that names them. Bodies that cannot hold such a key (no `__proto__`, `constructor` or `\u` escape in the text)
 * take the plain `JSON.parse` path.
 * @throws {@link HttpStatusError} 400 `GH_ERR_INVALID_REQUEST` for a forbidden key or text that is not JSON.
 * @example
 * ```ts
 * parseJsonBody('{"__proto__":{}}'); // throws: forbidden key "__proto__" in body …
 * ```
 */
export function parseJsonBody(text: string): unknown {
  const suspicious = text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
  try {
    return suspicious ? JSON.parse(text, reviver) : JSON.parse(text);
  } catch (err) {
    if (err instanceof HttpStatusError) throw err;
    throw new HttpStatusError(400, 'GH_ERR_INVALID_REQUEST', `the body is not valid JSON: ${(err as Error).message}`);
  }
}
