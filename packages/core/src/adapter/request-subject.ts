import { ID_PATTERN, NAME_PATTERN } from '../parse.js';
import type { Subject } from '../types.js';
import { httpAnswer, unauthenticatedAnswer } from './http-answer.js';
import type { HttpAnswer } from './http-answer.js';

/**
 * What an adapter's `subject` resolver may return for a request:
 * - a string: an OPAQUE id of the configured `subjectType` (`'user'` by default). It is never parsed: an id such
 *   as `tenant:acme#admin` is refused (400 `invalid_subject`), `document:1` is the user whose id is `document:1`;
 * - a {@link Subject} object `{ type, id, attributes? }`, to name another type (a service account, an API key);
 *   a userset (`relation`) only with `allowSubjectRelations: true`;
 * - `undefined`, `null` or `''`: the request is anonymous (401).
 */
export type RequestSubject = string | Subject | null | undefined;

/** How a request's subject is read (the adapter options `subjectType` and `allowSubjectRelations`). */
export interface SubjectPolicy {
  /**
   * The type of a subject the resolver returns as a string.
   * @defaultValue `'user'`
   */
  readonly subjectType?: string;
  /**
   * Accept a `Subject` object with a `relation` (a userset such as `team:eng#member`) from a request. Off: such a
   * subject is refused (400 `invalid_subject`), since a userset holds everything granted through that relation.
   * @defaultValue false
   */
  readonly allowSubjectRelations?: boolean;
}

function invalid(why: string): HttpAnswer {
  return httpAnswer(400, `invalid subject: ${why}`, 'invalid_subject');
}

/** An id a request may name: the ID pattern, but never the wildcard `*` (which stands for every subject). */
function validId(id: unknown): id is string {
  return typeof id === 'string' && id !== '*' && ID_PATTERN.test(id);
}

function show(value: string): string {
  return JSON.stringify(value.length <= 64 ? value : `${value.slice(0, 63)}…`);
}

/**
 * The subject of a request from what the adapter's resolver returned, or the answer that refuses the request:
 * 401 `unauthenticated` for no subject, 400 `invalid_subject` for anything else that is not a valid subject.
 *
 * A string is an opaque id of `subjectType`: the answer is `"<subjectType>:<id>"` (the canonical string form,
 * which parses back to exactly `{ type: subjectType, id }`, because a type has no `:` and an id no `#`). The
 * string is never read as `type:id#relation`, so a user whose id is `tenant:acme#admin` cannot become the
 * userset `tenant:acme#admin`. An object is checked (type, id, relation as the policy allows) and returned as
 * the canonical string when it is a plain `{ type, id }`, else as a copy of its own fields.
 *
 * @param value - what the resolver returned.
 * @param policy - `subjectType` and `allowSubjectRelations`.
 * @returns the subject (`'user:alice'` or a checked object), or a 401 / 400 answer.
 * @example
 * ```ts
 * resolveRequestSubject('alice', {});                    // 'user:alice'
 * resolveRequestSubject('tenant:acme#admin', {});        // { status: 400, body: { …, reason: 'invalid_subject' } }
 * resolveRequestSubject({ type: 'service', id: 'ci' }, {}); // 'service:ci'
 * resolveRequestSubject(undefined, {});                  // { status: 401, body: { …, reason: 'unauthenticated' } }
 * ```
 */
export function resolveRequestSubject(value: unknown, policy: SubjectPolicy): string | Subject | HttpAnswer {
  if (value === undefined || value === null || value === '') return unauthenticatedAnswer();
  if (typeof value === 'string') {
    if (!validId(value)) {
      return invalid(`${show(value)} is not a valid subject id (1-128 of letters, digits and "_-@.:+", not "*")`);
    }
    return `${policy.subjectType ?? 'user'}:${value}`;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return invalid(`the subject resolver returned ${typeof value}, not an id string or { type, id }`);
  }
  const { type, id, relation, attributes } = value as Partial<Record<keyof Subject, unknown>>;
  if (typeof type !== 'string' || !NAME_PATTERN.test(type)) return invalid('the subject type is not a type name');
  if (!validId(id)) return invalid('the subject id is not a valid id');
  const hasRelation = relation !== undefined && relation !== '';
  if (hasRelation) {
    if (policy.allowSubjectRelations !== true) {
      return invalid('a subject with a relation (a userset) is refused from a request unless allowSubjectRelations is set');
    }
    if (typeof relation !== 'string' || !NAME_PATTERN.test(relation)) return invalid('the subject relation is not a name');
  }
  if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))) {
    return invalid('the subject attributes are not an object');
  }
  if (!hasRelation && attributes === undefined) return `${type}:${id}`;
  return {
    type,
    id,
    ...(hasRelation ? { relation: relation } : {}),
    ...(attributes === undefined ? {} : { attributes: attributes as Readonly<Record<string, unknown>> }),
  };
}
