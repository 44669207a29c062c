import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidRequestError } from '@gatehouse/core';

const MAC_BYTES = 16;

/**
 * Opaque, tamper-evident continuation tokens: `base64url(JSON payload).base64url(HMAC-SHA256)`, the MAC over the
 * token's kind, the key it was issued to and the payload. A token that was altered, made up, issued for another
 * route or to another API key is refused with a 400 ({@link InvalidRequestError}); the payload is never trusted
 * before its MAC checks.
 *
 * The MAC key is derived from the server's configured API key secrets, so every replica with the same keys (and
 * a restart) accepts the tokens the others issued.
 * @example
 * ```ts
 * const tokens = new PageTokens(['s3cret']);
 * const t = tokens.seal('tenants', 'key#0', { after: 'acme' });
 * tokens.open('tenants', 'key#0', t); // { after: 'acme' }
 * ```
 */
export class PageTokens {
  readonly #key: Buffer;

  /** @param secrets - the configured API key secrets (none in `--dev`). */
  public constructor(secrets: readonly string[]) {
    const h = createHash('sha256').update('gatehouse continuation tokens v1');
    for (const s of [...secrets].sort()) h.update('\u0000').update(s, 'utf8');
    this.#key = h.digest();
  }

  #mac(kind: string, holder: string, body: string): Buffer {
    return createHmac('sha256', this.#key).update(`${kind}\u0000${holder}\u0000${body}`, 'utf8').digest().subarray(0, MAC_BYTES);
  }

  /** A token carrying `payload` for one kind of page and one key holder (the principal's id). */
  public seal(kind: string, holder: string, payload: Readonly<Record<string, string>>): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.#mac(kind, holder, body).toString('base64url')}`;
  }

  /**
   * A secret for another signer (e.g. the engine's lookup tokens), derived from the same key material, so it too is
   * the same on every replica with the same API keys. Hex, 64 characters.
   */
  public derive(label: string): string {
    return createHmac('sha256', this.#key).update(`derive\u0000${label}`, 'utf8').digest('hex');
  }

  /** The 400 for a token that is not one this server sealed for the request (or whose payload does not fit it). */
  public refuse(token: string): InvalidRequestError {
    return InvalidRequestError.badValue('continuous_token', token, 'the continuous_token of the previous page, unchanged, or "" for the first page');
  }

  /**
   * The payload of a token this server sealed for the same kind and holder.
   * @throws {@link InvalidRequestError} for anything else.
   */
  public open(kind: string, holder: string, token: string): Record<string, string> {
    const bad = (): InvalidRequestError => this.refuse(token);
    const m = /^([A-Za-z0-9_-]{1,1000})\.([A-Za-z0-9_-]{22})$/.exec(token);
    if (m === null) throw bad();
    const [, body = '', mac = ''] = m;
    const given = Buffer.from(mac, 'base64url');
    const want = this.#mac(kind, holder, body);
    if (given.length !== want.length || !timingSafeEqual(given, want)) throw bad();
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw bad();
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw bad();
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(payload)) {
      if (typeof v !== 'string') throw bad();
      out[k] = v;
    }
    return out;
  }
}
