/**
 * JSON schemas of the tenant-admin request bodies (fastify's ajv, no coercion, unknown fields refused). The
 * handler in `@gatehouse/admin` validates the values again (ids, roles, emails, timestamps, tokens).
 */
import type { AdminPath } from '@gatehouse/admin';

const ACTOR = { type: 'string', pattern: '^[a-zA-Z0-9_\\-@.:+]{1,128}$' } as const;
const USER = { type: 'string', pattern: '^[a-zA-Z0-9_\\-@.:+]{1,128}$' } as const;
const ROLE = { type: 'string', pattern: '^[a-zA-Z_]{1,64}$' } as const;
const PAGE_SIZE = { type: 'integer', minimum: 0, maximum: 1000 } as const;
const CONTINUOUS = { type: 'string', maxLength: 1024, pattern: '^[A-Za-z0-9_-]*$' } as const;
const TEXT = { type: 'string', maxLength: 300 } as const;

function body(required: readonly string[], properties: Record<string, unknown>): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, required, properties: { actor: ACTOR, ...properties } };
}

/** The body schema of each admin route. */
export const adminBodySchemas: Readonly<Record<AdminPath, Record<string, unknown>>> = {
  'roles/list': body([], {}),
  'members/list': body([], { page_size: PAGE_SIZE, continuous_token: CONTINUOUS, query: { type: 'string', maxLength: 200 } }),
  'members/invite': body(['email', 'roles'], {
    email: { type: 'string', minLength: 3, maxLength: 254 },
    name: { type: 'string', maxLength: 200 },
    roles: { type: 'array', minItems: 1, maxItems: 32, items: ROLE },
  }),
  'members/remove': body(['user_id'], { user_id: USER }),
  'members/roles/assign': body(['user_id', 'role'], { user_id: USER, role: ROLE }),
  'members/roles/revoke': body(['user_id', 'role'], { user_id: USER, role: ROLE }),
  'invitations/accept': {
    type: 'object',
    additionalProperties: false,
    required: ['token', 'user_id'],
    properties: { token: { type: 'string', maxLength: 128 }, user_id: USER },
  },
  'invitations/list': body([], { page_size: PAGE_SIZE, continuous_token: CONTINUOUS }),
  'invitations/revoke': body(['invitation_id'], { invitation_id: { type: 'string', minLength: 1, maxLength: 64 } }),
  'audit/list': body([], {
    page_size: PAGE_SIZE,
    continuous_token: CONTINUOUS,
    filter: {
      type: 'object',
      additionalProperties: false,
      properties: { actor: TEXT, target: TEXT, action: TEXT, since: { type: 'string', maxLength: 40 }, until: { type: 'string', maxLength: 40 } },
    },
  }),
};
