import { createHash } from 'node:crypto';

import { packRules } from '@casl/ability/extra';
import type { PackRule } from '@casl/ability/extra';
import { InvalidRequestError } from '@gatehouse/core';

import { rulesFor } from './ability-for.js';
import type { AbilityGate, AbilityOptions, GatehouseRawRule } from './ability-for.js';

/** What the abilities endpoint sends: packed rules, freshness and an ETag of the content. */
export interface AbilityPayload {
  /** `packRules(rules)`; unpack with `unpackRules` (the browser entry does). */
  readonly rules: PackRule<GatehouseRawRule>[];
  /** The PDP's snap token read before the rules were computed, when `options.snapToken` supplies one. */
  readonly snapToken?: string;
  /** When the client should refresh at the latest, in milliseconds since the epoch. */
  readonly expiresAt: number;
  /** A strong validator of tenant, subject and rules: equal when nothing the client sees changed. */
  readonly etag: string;
}

/** Options of {@link abilityPayload}: those of {@link AbilityOptions} plus transfer settings. */
export interface AbilityPayloadOptions extends AbilityOptions {
  /**
   * How long the client may keep the rules before it refreshes.
   * @defaultValue 60000
   */
  readonly ttlMs?: number;
  /** Reads the PDP's current snap token (e.g. `() => engine.headSnapToken(tenant)`); called before the rules. */
  readonly snapToken?: () => string | undefined;
  /** The clock. @defaultValue `Date.now` */
  readonly now?: () => number;
}

/**
 * Computes a subject's rules and packs them for transfer (`@casl/ability/extra` `packRules`).
 * @param gate - a `Gatehouse` client or a `BoundGate`.
 * @param options - see {@link AbilityPayloadOptions}.
 * @returns `{ rules, snapToken?, expiresAt, etag }`.
 * @throws {@link InvalidRequestError} for a bad option, tenant, subject or resource.
 * @example
 * ```ts
 * const payload = await abilityPayload(gate, { tenant: 'acme', subject: 'alice', resources: ['document'] });
 * res.json(payload);
 * ```
 */
export async function abilityPayload(gate: AbilityGate, options: AbilityPayloadOptions): Promise<AbilityPayload> {
  const ttlMs = options.ttlMs ?? 60_000;
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw InvalidRequestError.badValue('options.ttlMs', ttlMs, 'a positive integer number of milliseconds');
  }
  const snapToken = options.snapToken?.();
  const rules = packRules(await rulesFor(gate, options));
  const who = 'bind' in gate ? [options.tenant, options.subject] : [gate.tenant, gate.subject];
  const etag = `"${createHash('sha256').update(JSON.stringify([who, rules])).digest('base64url').slice(0, 27)}"`;
  return {
    rules,
    ...(snapToken === undefined ? {} : { snapToken }),
    expiresAt: (options.now ?? Date.now)() + ttlMs,
    etag,
  };
}

/**
 * True when an `If-None-Match` header value names `etag` (or is `*`), so the answer may be a 304.
 * @internal
 */
export function etagMatches(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const values = (Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch).split(',');
  return values.some((v) => {
    const tag = v.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
