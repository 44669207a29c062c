import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { ID_PATTERN, InvalidRequestError } from '@gatehouse/core';

import { formatSnapToken, isSnapToken, tokenNumber } from '../store/snap-token.js';

/** Where a walk of lookup pages stands: the snapshot it reads and the last id it returned. */
export interface PageCursor {
  /** The commit every page of the walk reads at (the head when the walk started). */
  readonly snap: number;
  /** The last id of the previous page; the next page starts after it. */
  readonly after: string;
}

/** The version prefix of the tokens issued here. */
const PREFIX = 'p1.';
const MAC_BYTES = 16;
/** Field separator inside the signed body (not a character of an id or a snap token). */
const SEP = '\n';

/**
 * Continuation tokens of lookups: opaque (`p1.` + base64url of the snapshot, the last id and a fingerprint of the
 * request, then an HMAC-SHA256 over them) and tamper-evident. A token is only accepted by the same kind of
 * lookup with the same request (tenant, subject, permission, context, …) on an engine holding the same key, so
 * a client can neither move a walk to another snapshot nor carry it over to another question.
 * @internal
 */
export class PageTokens {
  private readonly key: Buffer;

  /**
   * @param key - the HMAC key; engines behind one load balancer share it (`EngineOptions.pageTokenKey`) so any
   *   of them continues a walk. A random key when absent (tokens then only work on this engine).
   */
  public constructor(key?: string | Uint8Array) {
    this.key = key === undefined ? randomBytes(32) : createHash('sha256').update('gatehouse lookup pages v1').update(key).digest();
  }

  /** The token that continues `kind`'s walk for `request` after `cursor.after` at `cursor.snap`. */
  public seal(kind: string, request: unknown, cursor: PageCursor): string {
    const body = `${formatSnapToken(cursor.snap)}${SEP}${cursor.after}${SEP}${fingerprint(request)}`;
    const encoded = Buffer.from(body, 'utf8').toString('base64url');
    return `${PREFIX}${encoded}.${this.mac(kind, encoded).toString('base64url')}`;
  }

  /**
   * The cursor in a token of `kind`'s walk for `request`; `undefined` for `''`/absent (the first page).
   * @throws {@link InvalidRequestError} for a token that was altered, made up, or issued for another lookup.
   */
  public open(kind: string, request: unknown, token: unknown): PageCursor | undefined {
    if (token === undefined || token === '') return undefined;
    const bad = (): InvalidRequestError =>
      InvalidRequestError.badValue('continuousToken', token, 'the continuousToken of a previous page of the same lookup, from this PDP (or "" for the first page)');
    if (typeof token !== 'string' || token.length > 2048 || !token.startsWith(PREFIX)) throw bad();
    const dot = token.indexOf('.', PREFIX.length);
    if (dot < 0) throw bad();
    const encoded = token.slice(PREFIX.length, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = this.mac(kind, encoded);
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) throw bad();
    const [snap, after, print] = Buffer.from(encoded, 'base64url').toString('utf8').split(SEP);
    if (!isSnapToken(snap) || after === undefined || !ID_PATTERN.test(after) || print !== fingerprint(request)) throw bad();
    return { snap: tokenNumber(snap), after };
  }

  /**
   * The snapshot a well-formed token pins, read without checking it (so a replica can wait until its view holds
   * it before {@link PageTokens.open} checks the token); `undefined` for anything else.
   */
  public static peekSnap(token: unknown): string | undefined {
    if (typeof token !== 'string' || token.length > 2048 || !token.startsWith(PREFIX)) return undefined;
    const dot = token.indexOf('.', PREFIX.length);
    if (dot < 0) return undefined;
    const snap = Buffer.from(token.slice(PREFIX.length, dot), 'base64url').toString('utf8').split(SEP)[0];
    return isSnapToken(snap) ? snap : undefined;
  }

  private mac(kind: string, encoded: string): Buffer {
    return createHmac('sha256', this.key).update(`${kind}${SEP}${encoded}`, 'utf8').digest().subarray(0, MAC_BYTES);
  }
}

/** A short digest of the parts of a request that decide its answer (paging fields excluded by the caller). */
function fingerprint(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('base64url').slice(0, 16);
}
