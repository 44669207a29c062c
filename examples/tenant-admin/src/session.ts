/**
 * The example's sign-in: a cookie naming the user and the tenant they picked, sealed with an HMAC so a
 * browser cannot forge or alter it. HttpOnly and SameSite=Strict; a real app uses its own session instead.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import type { Request, Response } from 'express';

/** Who the request is for. */
export interface Session {
  readonly user: string;
  readonly tenant: string;
}

const COOKIE = 'gh_session';

/** Seals and reads session cookies with one secret (random per process unless given). */
export class Sessions {
  readonly #secret: Buffer;

  constructor(secret?: string) {
    this.#secret = secret === undefined || secret === '' ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#secret).update(payload).digest();
  }

  /** Sets the session cookie for `session`. */
  start(res: Response, session: Session): void {
    const payload = Buffer.from(JSON.stringify({ u: session.user, t: session.tenant }), 'utf8').toString('base64url');
    const value = `${payload}.${this.#mac(payload).toString('base64url')}`;
    res.cookie(COOKIE, value, { httpOnly: true, sameSite: 'strict', path: '/' });
  }

  /** Clears the session cookie. */
  end(res: Response): void {
    res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'strict', path: '/' });
  }

  /** The request's session, or undefined when there is none or its seal does not verify. */
  read(req: Request): Session | undefined {
    const value = cookieValue(req.headers.cookie, COOKIE);
    if (value === undefined) return undefined;
    const dot = value.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.#mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u?: unknown; t?: unknown };
      return typeof parsed.u === 'string' && typeof parsed.t === 'string' ? { user: parsed.u, tenant: parsed.t } : undefined;
    } catch {
      return undefined;
    }
  }
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
