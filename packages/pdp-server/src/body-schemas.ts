/**
 * JSON schemas of the request bodies (validated by fastify's ajv, no type coercion). Structure is checked
 * here; string forms (tuples, attributes) and schema semantics are checked by core's parsers and the engine.
 */
import type { ServerLimits } from './options.js';

const NAME = { type: 'string', pattern: '^[a-zA-Z_]{1,64}$' } as const;
const NAME_OR_EMPTY = { type: 'string', pattern: '^[a-zA-Z_]{0,64}$' } as const;
const ID = { type: 'string', pattern: '^(?:[a-zA-Z0-9_\\-@.:+]{1,128}|\\*)$' } as const;
const ID_OR_EMPTY = { type: 'string', pattern: '^(?:[a-zA-Z0-9_\\-@.:+]{0,128}|\\*)$' } as const;
const SUBJECT_RELATION = { type: 'string', pattern: '^(?:|\\.\\.\\.|[a-zA-Z_]{1,64})$' } as const;
const TOKEN = { type: 'string', maxLength: 256 } as const;
/** Snap tokens are decimal integer strings (the engine's transaction counter); "" means the latest. */
export const SNAP_TOKEN_PATTERN = '^[0-9]{0,16}$';
/**
 * Continuous tokens are what the engine issued: a decimal position or id (reads, schema lists), a tenant id (tenant
 * list), or for lookups `l1.` + base64url (older engines: the last entity or subject id, so id characters stay
 * allowed); "" is the first page.
 */
export const CONTINUOUS_TOKEN_PATTERN = '^[A-Za-z0-9_.@:+*\\-]{0,1024}$';
const SNAP_TOKEN = { type: 'string', pattern: SNAP_TOKEN_PATTERN } as const;
const CONTINUOUS_TOKEN = { type: 'string', pattern: CONTINUOUS_TOKEN_PATTERN } as const;

const ENTITY = {
  type: 'object',
  required: ['type', 'id'],
  properties: { type: NAME, id: ID },
} as const;

/** Entity of a check: `id` may be empty for a type-level check. */
const ENTITY_OR_TYPE = {
  type: 'object',
  required: ['type'],
  properties: { type: NAME, id: ID_OR_EMPTY },
} as const;

const SUBJECT = {
  type: 'object',
  required: ['type', 'id'],
  properties: { type: NAME, id: ID, relation: SUBJECT_RELATION },
} as const;

const TUPLE_OBJECT = {
  type: 'object',
  required: ['entity', 'relation', 'subject'],
  properties: { entity: ENTITY, relation: NAME, subject: SUBJECT },
} as const;

const TUPLE = { anyOf: [{ type: 'string', maxLength: 600 }, TUPLE_OBJECT] } as const;

const ATTRIBUTE_OBJECT = {
  type: 'object',
  required: ['entity', 'attribute', 'value'],
  properties: { entity: ENTITY, attribute: NAME, value: {} },
} as const;

const ATTRIBUTE = { anyOf: [{ type: 'string', maxLength: 64 * 1024 }, ATTRIBUTE_OBJECT] } as const;

const IDS = (max: number) => ({ type: 'array', maxItems: max, items: ID }) as const;

/** Builds every body schema for the given limits. */
export function bodySchemas(limits: Required<ServerLimits>) {
  const metadata = {
    type: 'object',
    properties: {
      snap_token: SNAP_TOKEN,
      schema_version: TOKEN,
      depth: { type: 'integer', minimum: 0, maximum: limits.maxDepth },
      only_permission: { type: 'boolean' },
    },
  } as const;
  const context = {
    type: ['object', 'null'],
    properties: {
      tuples: { type: 'array', maxItems: limits.maxContextItems, items: TUPLE },
      attributes: { type: 'array', maxItems: limits.maxContextItems, items: ATTRIBUTE },
      data: { type: 'object' },
    },
  } as const;
  const page = {
    page_size: { type: 'integer', minimum: 0, maximum: limits.maxPageSize },
    continuous_token: CONTINUOUS_TOKEN,
  } as const;
  const tupleFilter = {
    type: 'object',
    properties: {
      entity: { type: 'object', properties: { type: NAME_OR_EMPTY, ids: IDS(limits.maxWriteSize) } },
      relation: NAME_OR_EMPTY,
      subject: {
        type: 'object',
        properties: { type: NAME_OR_EMPTY, ids: IDS(limits.maxWriteSize), relation: SUBJECT_RELATION },
      },
    },
  } as const;
  const attributeFilter = {
    type: 'object',
    properties: {
      entity: { type: 'object', properties: { type: NAME_OR_EMPTY, ids: IDS(limits.maxWriteSize) } },
      attributes: { type: 'array', maxItems: 1000, items: NAME },
    },
  } as const;
  const checkItem = {
    type: 'object',
    required: ['entity', 'permission', 'subject'],
    properties: { entity: ENTITY_OR_TYPE, permission: NAME, subject: SUBJECT },
  } as const;

  return {
    tenantCreate: {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string', maxLength: 128 }, name: { type: 'string', maxLength: 256 } },
    },
    pageOnly: { type: 'object', properties: page },
    schemaWrite: { type: 'object', required: ['schema'], properties: { schema: { type: 'string', maxLength: limits.maxSchemaBytes } } },
    schemaRead: { type: 'object', properties: { metadata } },
    dataWrite: {
      type: 'object',
      properties: {
        metadata,
        tuples: { type: 'array', maxItems: limits.maxWriteSize, items: TUPLE },
        attributes: { type: 'array', maxItems: limits.maxWriteSize, items: ATTRIBUTE },
      },
    },
    relationshipsWrite: {
      type: 'object',
      required: ['tuples'],
      properties: { metadata, tuples: { type: 'array', minItems: 1, maxItems: limits.maxWriteSize, items: TUPLE } },
    },
    dataDelete: {
      type: 'object',
      properties: {
        tuple_filter: tupleFilter,
        attribute_filter: attributeFilter,
        tuples: { type: 'array', maxItems: limits.maxWriteSize, items: TUPLE },
      },
    },
    relationshipsDelete: { type: 'object', required: ['filter'], properties: { filter: tupleFilter } },
    relationshipsRead: { type: 'object', properties: { metadata, filter: tupleFilter, ...page } },
    attributesRead: { type: 'object', properties: { metadata, filter: attributeFilter, ...page } },
    check: {
      type: 'object',
      required: ['entity', 'permission', 'subject'],
      properties: { metadata, entity: ENTITY_OR_TYPE, permission: NAME, subject: SUBJECT, context },
    },
    bulkCheck: {
      type: 'object',
      required: ['items'],
      properties: { metadata, context, items: { type: 'array', maxItems: limits.maxBatchSize, items: checkItem } },
    },
    lookupEntity: {
      type: 'object',
      required: ['entity_type', 'permission', 'subject'],
      properties: {
        metadata,
        entity_type: NAME,
        permission: NAME,
        subject: SUBJECT,
        context,
        scope: {
          type: 'object',
          maxProperties: 64,
          propertyNames: NAME,
          additionalProperties: {
            type: 'object',
            properties: { data: IDS(limits.maxWriteSize) },
          },
        },
        ...page,
      },
    },
    lookupSubject: {
      type: 'object',
      required: ['entity', 'permission', 'subject_reference'],
      properties: {
        metadata,
        entity: ENTITY,
        permission: NAME,
        subject_reference: { type: 'object', required: ['type'], properties: { type: NAME, relation: SUBJECT_RELATION } },
        context,
        ...page,
      },
    },
    subjectPermission: {
      type: 'object',
      required: ['entity', 'subject'],
      properties: { metadata, entity: ENTITY_OR_TYPE, subject: SUBJECT, context },
    },
    expand: {
      type: 'object',
      required: ['entity', 'permission'],
      properties: { metadata, entity: ENTITY, permission: NAME, context },
    },
  } as const;
}
