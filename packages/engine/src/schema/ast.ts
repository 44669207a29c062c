import type { AttributeType } from './ir.js';
import type { SourcePosition } from './errors.js';

/** A name as written, with where it was written. */
export interface NameNode {
  readonly name: string;
  readonly position: SourcePosition;
}

/** A permission expression as parsed: one precedence level, left-associative. */
export type ExprNode =
  | {
      readonly kind: 'binary';
      readonly op: 'and' | 'or' | 'not';
      readonly left: ExprNode;
      readonly right: ExprNode;
      readonly position: SourcePosition;
    }
  /** A bare name: a relation, a permission or a boolean attribute of the same entity. */
  | { readonly kind: 'name'; readonly name: string; readonly position: SourcePosition }
  /** `tupleSet.computed` */
  | { readonly kind: 'walk'; readonly tupleSet: NameNode; readonly computed: NameNode; readonly position: SourcePosition }
  /** `rule(arg, …)` */
  | { readonly kind: 'call'; readonly rule: NameNode; readonly args: readonly NameNode[]; readonly position: SourcePosition };

/** `@T` or `@T#r` */
export interface RelationTypeNode {
  readonly type: NameNode;
  readonly relation?: NameNode;
  readonly position: SourcePosition;
}

export type MemberNode =
  | { readonly kind: 'relation'; readonly name: NameNode; readonly types: readonly RelationTypeNode[] }
  | { readonly kind: 'attribute'; readonly name: NameNode; readonly type: AttributeType; readonly typePosition: SourcePosition }
  | {
      readonly kind: 'permission';
      readonly name: NameNode;
      /** `permission` or `action` (they mean the same). */
      readonly keyword: 'permission' | 'action';
      readonly expr: ExprNode;
    };

export interface EntityNode {
  readonly kind: 'entity';
  readonly name: NameNode;
  /** Members in source order. */
  readonly members: readonly MemberNode[];
}

export interface RuleParamNode {
  readonly name: NameNode;
  readonly type: AttributeType;
}

export interface RuleNode {
  readonly kind: 'rule';
  readonly name: NameNode;
  readonly params: readonly RuleParamNode[];
  /** The raw CEL text between the braces, whitespace included. */
  readonly body: string;
  /** Where the body text starts (just after `{`). */
  readonly bodyPosition: SourcePosition;
}

/** The parsed schema: entity and rule statements in source order. */
export interface SchemaAst {
  readonly statements: readonly (EntityNode | RuleNode)[];
}
