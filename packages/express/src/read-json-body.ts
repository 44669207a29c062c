import { InvalidRequestError } from '@gatehouse/core';
import type { Request } from 'express';

/**
 * The request's JSON body: `req.body` when a body parser ran, else read from the stream (up to `limit` bytes).
 * @throws {@link InvalidRequestError} for malformed JSON or a body over the limit.
 * @internal
 */
export async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  const parsed: unknown = req.body;
  if (parsed !== undefined || req.readableEnded) return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit) throw new InvalidRequestError(`request body over ${String(limit)} bytes`);
    chunks.push(buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err: unknown) {
    throw new InvalidRequestError('request body is not valid JSON', { cause: err });
  }
}
