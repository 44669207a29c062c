import { formatResource, formatSubject } from '../parse.js';
import type { CheckContext, Resource, ResourceInput, Subject, SubjectInput } from '../types.js';

/**
 * A canonical JSON text of a value: object keys sorted, `undefined` members dropped. Two values that mean
 * the same context give the same text, whatever the order their keys were written in.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return 'null';
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + stableStringify(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${stableStringify(member)}`;
    first = false;
  }
  return `${out}}`;
}

/** The cache key of a context, or `undefined` when the context adds nothing to the check. */
export function contextKey(context: CheckContext | undefined): string | undefined {
  if (context === undefined) return undefined;
  const empty =
    (context.tuples === undefined || context.tuples.length === 0) &&
    (context.attributes === undefined || context.attributes.length === 0) &&
    (context.data === undefined || Object.keys(context.data).length === 0);
  return empty ? undefined : stableStringify(context);
}

/**
 * The cache key of a subject: the caller's own string when it gave one; else its string form, plus its
 * attributes (which take part in the decision) when it carries any.
 */
export function subjectKey(input: SubjectInput, parsed: Subject): string {
  if (typeof input === 'string') return input;
  const base = formatSubject(parsed);
  return parsed.attributes === undefined ? base : `${base}\u0000${stableStringify(parsed.attributes)}`;
}

/** The cache key of a resource, built like {@link subjectKey}. */
export function resourceKey(input: ResourceInput, parsed: Resource): string {
  if (typeof input === 'string') return input;
  const base = formatResource(parsed);
  return parsed.attributes === undefined ? base : `${base}\u0000${stableStringify(parsed.attributes)}`;
}
