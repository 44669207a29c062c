/**
 * Types that make a schema's names checked by the compiler. `gatehouse generate` writes a `Schema` type of the
 * {@link SchemaTypes} shape; `new Gatehouse<Schema>({ pdp })` then accepts only that schema's entity types,
 * their actions (permissions and relations) and attribute value types. Without a type argument everything is
 * `string`, as before. Types only: nothing here exists at run time.
 */
import type { CheckInput, CheckOptions } from './client-types.js';
import type { CheckContext, ResourceInput } from './types.js';

/** Attribute value types as application code writes them. */
export type AttributeTypeValue = boolean | string | number | readonly boolean[] | readonly string[] | readonly number[];

/** What `gatehouse generate` describes about one entity type. */
export interface EntityTypes {
  /** Relation names (a union of string literals; `never` when there are none). */
  readonly relations: string;
  /** Permission names. */
  readonly permissions: string;
  /** Attribute name → value type. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Relation name → the subject references it accepts (`'user' | 'team#member'`). */
  readonly subjects: Readonly<Record<string, string>>;
}

/** The shape of a generated `Schema` type. */
export interface SchemaTypes {
  readonly entities: Readonly<Record<string, EntityTypes>>;
  /** Rule name → parameter name → value type. */
  readonly rules: Readonly<Record<string, Readonly<Record<string, AttributeTypeValue>>>>;
}

/** The schema type of untyped use: every name is a `string`. The default type argument everywhere. */
export interface UntypedSchema extends SchemaTypes {
  readonly entities: Readonly<Record<string, {
      readonly relations: string;
      readonly permissions: string;
      readonly attributes: Readonly<Record<string, unknown>>;
      readonly subjects: Readonly<Record<string, string>>;
    }>>;
  readonly rules: Readonly<Record<string, Readonly<Record<string, AttributeTypeValue>>>>;
}

/** The entity type names of a schema. */
export type EntityTypeOf<S extends SchemaTypes> = keyof S['entities'] & string;

/** The actions of an entity type: its permissions and its relations. */
export type ActionOf<S extends SchemaTypes, T extends EntityTypeOf<S>> =
  | S['entities'][T]['permissions']
  | S['entities'][T]['relations'];

/** Every action of every entity type. */
export type AnyActionOf<S extends SchemaTypes> = { [T in EntityTypeOf<S>]: ActionOf<S, T> }[EntityTypeOf<S>];

/** The attributes of an entity type, each optional (contextual attributes name only what they carry). */
export type AttributesOf<S extends SchemaTypes, T extends EntityTypeOf<S>> = {
  readonly [A in keyof S['entities'][T]['attributes']]?: S['entities'][T]['attributes'][A];
};

/**
 * A resource of entity type `T`: `'document:42'`, `'document'` (type-level), or `{ type, id?, attributes? }` with
 * attributes of their declared types.
 */
export type ResourceOf<S extends SchemaTypes, T extends EntityTypeOf<S>> =
  | `${T}:${string}`
  | T
  | { readonly type: T; readonly id?: string; readonly attributes?: AttributesOf<S, T> };

/** A subject given as an object: an entity type of the schema, optionally a userset relation of it. */
export type SubjectObjectOf<S extends SchemaTypes> = {
  [T in EntityTypeOf<S>]: {
    readonly type: T;
    readonly id: string;
    readonly relation?: S['entities'][T]['relations'] | S['entities'][T]['permissions'];
    readonly attributes?: Readonly<Record<string, unknown>>;
  };
}[EntityTypeOf<S>];

/**
 * Checks a subject argument `X` against the schema: a string `type:id` or `type:id#relation` whose type is not an
 * entity type of the schema becomes `never` (a compile error at the call); a bare id (`'alice'`), a `string`
 * that is not a literal, and subject objects of the schema pass.
 */
export type SubjectArg<S extends SchemaTypes, X> = X extends string
  ? string extends X
    ? X
    : X extends `${infer Type}:${string}`
      ? Type extends EntityTypeOf<S>
        ? X
        : `${EntityTypeOf<S>}:${string}`
      : X
  : X extends { readonly type: infer Type extends string }
    ? Type extends EntityTypeOf<S>
      ? X extends { readonly relation: infer R }
        ? R extends undefined | S['entities'][Type]['relations'] | S['entities'][Type]['permissions']
          ? X
          : { readonly relation?: S['entities'][Type]['relations'] | S['entities'][Type]['permissions'] }
        : X
      : { readonly type: EntityTypeOf<S> }
    : SubjectObjectOf<S>;

/** A contextual attribute of one entity type, typed by its declaration. */
export type ContextAttributeOf<S extends SchemaTypes> = {
  [T in EntityTypeOf<S>]: {
    [A in keyof S['entities'][T]['attributes'] & string]: {
      readonly entity: { readonly type: T; readonly id: string };
      readonly attribute: A;
      readonly value: S['entities'][T]['attributes'][A];
      readonly valueType?: string;
    };
  }[keyof S['entities'][T]['attributes'] & string];
}[EntityTypeOf<S>];

/** A contextual tuple: an entity and relation of the schema (the subject is checked by the PDP). */
export type ContextTupleOf<S extends SchemaTypes> =
  | string
  | {
      [T in EntityTypeOf<S>]: {
        readonly entity: { readonly type: T; readonly id: string };
        readonly relation: S['entities'][T]['relations'];
        readonly subject: { readonly type: EntityTypeOf<S>; readonly id: string; readonly relation?: string };
      };
    }[EntityTypeOf<S>];

/** True for {@link UntypedSchema} (every entity type is `string`), false for a generated schema. */
type IsUntyped<S extends SchemaTypes> = string extends EntityTypeOf<S> ? true : false;

/** A subject parameter: anything for untyped use; for a schema, an entity type of it (see {@link SubjectArg}). */
export type SubjectParam<S extends SchemaTypes, X> = IsUntyped<S> extends true ? X : X & SubjectArg<S, X>;

/** A resource parameter of entity type `T`: {@link ResourceInput} for untyped use, {@link ResourceOf} for a schema. */
export type ResourceParam<S extends SchemaTypes, T extends EntityTypeOf<S>> = IsUntyped<S> extends true
  ? ResourceInput
  : ResourceOf<S, T>;

/** Request-time data: {@link CheckContext}, with contextual attributes and tuples typed by a schema. */
export type ContextParam<S extends SchemaTypes> = IsUntyped<S> extends true
  ? CheckContext
  : Omit<CheckContext, 'tuples' | 'attributes'> & {
      readonly tuples?: readonly ContextTupleOf<S>[];
      readonly attributes?: readonly (string | ContextAttributeOf<S>)[];
    };

/** Options of a positional check, with the context typed by the schema. */
export type CheckOptionsOf<S extends SchemaTypes> = IsUntyped<S> extends true
  ? CheckOptions
  : Omit<CheckOptions, 'context'> & { readonly context?: ContextParam<S> };

/** A check in object form on an entity type `T` of the schema ({@link CheckInput} for untyped use). */
export type CheckInputFor<S extends SchemaTypes, T extends EntityTypeOf<S>> = IsUntyped<S> extends true
  ? CheckInput
  : Omit<CheckInput, 'subject' | 'action' | 'resource' | 'context'> & {
      readonly subject: string | SubjectObjectOf<S>;
      readonly action: ActionOf<S, T>;
      readonly resource: ResourceOf<S, T>;
      readonly context?: ContextParam<S>;
    };

/** A check in object form on any entity type of the schema (one member per entity type; for lists). */
export type CheckInputOf<S extends SchemaTypes> = IsUntyped<S> extends true
  ? CheckInput
  : { [T in EntityTypeOf<S>]: CheckInputFor<S, T> }[EntityTypeOf<S>];

/** The permissions map of an entity type (`permissions()`): name → allowed. */
export type PermissionMapOf<S extends SchemaTypes, T extends EntityTypeOf<S>> = IsUntyped<S> extends true
  ? Record<string, boolean>
  : Partial<Record<S['entities'][T]['permissions'], boolean>>;
