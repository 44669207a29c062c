/**
 * The compiled form of a schema: what the compiler produces and the evaluator walks. It mirrors Permify's
 * compiled definitions (permify.md §1.5) so `schemas/read` can render them, with names resolved up front.
 */

/** Attribute types of the language. */
export type AttributeType =
  | 'boolean'
  | 'string'
  | 'integer'
  | 'double'
  | 'boolean[]'
  | 'string[]'
  | 'integer[]'
  | 'double[]';

/** `@T` (relation undefined) or `@T#r`. */
export interface RelationReference {
  readonly type: string;
  readonly relation?: string;
}

export interface RelationDefinition {
  readonly name: string;
  readonly references: readonly RelationReference[];
  /**
   * True for the implicit `tenant @tenant` relation the compiler adds to an entity that declares no member
   * named `tenant` when the schema has `entity tenant` (docs/architecture.md#tenancy): its one subject is `tenant:<request
   * tenant>`, never a stored tuple. Absent on relations written in the schema.
   */
  readonly implicit?: boolean;
}

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
}

/** A permission body: binary rewrites (left-associative, one precedence level) over four kinds of leaf. */
export type PermissionExpr =
  | { readonly kind: 'union' | 'intersection' | 'exclusion'; readonly left: PermissionExpr; readonly right: PermissionExpr }
  /** A bare relation or permission name of the same entity. */
  | { readonly kind: 'computedUserSet'; readonly relation: string }
  /** A bare boolean attribute of the same entity. */
  | { readonly kind: 'computedAttribute'; readonly attribute: string }
  /** `tupleSet.computed`: follow relation `tupleSet`, then evaluate `computed` on each entity reached. */
  | { readonly kind: 'tupleToUserSet'; readonly tupleSet: string; readonly computed: string }
  /** `rule(arg, …)`: every argument is an attribute name of the same entity, bound to the same-named parameter. */
  | { readonly kind: 'call'; readonly rule: string; readonly args: readonly string[] };

export interface PermissionDefinition {
  readonly name: string;
  readonly expr: PermissionExpr;
}

/** What a member name of an entity refers to. */
export type MemberKind = 'relation' | 'permission' | 'attribute';

export interface EntityDefinition {
  readonly name: string;
  readonly relations: ReadonlyMap<string, RelationDefinition>;
  readonly attributes: ReadonlyMap<string, AttributeDefinition>;
  readonly permissions: ReadonlyMap<string, PermissionDefinition>;
  /** Every member name → its kind (relations, permissions and attributes share one namespace). */
  readonly members: ReadonlyMap<string, MemberKind>;
}

/** A compiled CEL rule: parameters in declaration order and the raw body text. */
export interface RuleDefinition {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: AttributeType }[];
  /** The raw CEL text between the braces. */
  readonly body: string;
  /**
   * Evaluates the rule. `args` holds one value per parameter name (already defaulted to the type's zero value
   * when the attribute is missing); `context` is `{ tuples, attributes, data }`. Throws `EvaluationError` on a
   * CEL runtime error (for example a missing `context.data` key); returns the boolean result otherwise.
   * `meter` (the request's; a meter of the default budget for this call when absent) is charged for every CEL node
   * evaluated (comprehension iterations included) and the length of each list a node yields, and throws
   * `BudgetExceededError` to stop the rule.
   */
  readonly evaluate: (args: Readonly<Record<string, unknown>>, context: Readonly<Record<string, unknown>>, meter?: StepSink) => boolean;
}

/** What a rule charges its evaluation steps to (the engine's step meter). */
export interface StepSink {
  spend(steps: number): void;
  /** True once the budget has run out (every further `spend` throws). */
  readonly exhausted: boolean;
  /** Values derived once per request (the CEL form of `context.data`). */
  readonly requestCache?: WeakMap<object, unknown>;
}

/** A whole compiled schema. Immutable; compiled once per schema version. */
export interface CompiledSchema {
  readonly entities: ReadonlyMap<string, EntityDefinition>;
  readonly rules: ReadonlyMap<string, RuleDefinition>;
  /** The source text it was compiled from. */
  readonly source: string;
}
