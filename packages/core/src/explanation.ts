/**
 * The explanation of one decision as a tree: the shape the PDP server's `permissions/explain` route returns, the
 * `gatehouse check --explain` text renderer prints and the console draws. Types only, so a browser can import it
 * without loading anything.
 */

/**
 * What became of a node when the decision was made:
 * - `allowed` / `denied`: it was evaluated and came out true / false;
 * - `not_evaluated`: an earlier operand already decided its operator (short-circuit), so it was skipped;
 * - `cut`: evaluation stopped there: the path revisited itself (a cycle contributes nothing), or it reached the
 *   depth limit (then the check itself fails closed, and the explanation says `depth_exceeded`). Running out of the
 *   step budget is not drawn: like the check, the explanation then fails with that error.
 */
export type ExplanationState = 'allowed' | 'denied' | 'not_evaluated' | 'cut';

/** The kind of a node: a schema member, an operator of a permission's expression, a hop or a leaf. */
export type ExplanationKind =
  | 'permission'
  | 'relation'
  | 'attribute'
  | 'rule'
  | 'union'
  | 'intersection'
  | 'exclusion'
  | 'tupleToUserSet'
  | 'self'
  | 'cycle'
  | 'depth'
  | 'typeLevel';

/** One node of an {@link Explanation}. */
export interface ExplanationNode {
  readonly kind: ExplanationKind;
  /** What the node is, as a person reads it: `document:1#edit`, `or`, `parent.admin`, `is_public(…)`. */
  readonly label: string;
  /** The entity it was evaluated on (`document:1`; the type alone for a type-level check). */
  readonly entity: string;
  readonly state: ExplanationState;
  /** Why a leaf or a cut came out as it did: an attribute's value and source, a rule's arguments, the cut. */
  readonly detail?: string;
  /** The stored or contextual tuples that decided this node, or that led to it from its parent. */
  readonly tuples?: readonly string[];
  /** Operands, hops and members, left to right as evaluated (skipped operands included as `not_evaluated`). */
  readonly children: readonly ExplanationNode[];
  /** How many further children were evaluated but left out, to keep the tree a size a person can read. */
  readonly omitted?: number;
}
