import { GatehouseError } from '@gatehouse/core';

/** A 1-based line and column in a source text. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * The schema text is not well formed: a token was not what the grammar expects at that place, or a name is
 * declared twice. The message reads `L:C: expected X, found Y`.
 */
export class SchemaParseError extends GatehouseError {
  /** 1-based line of the problem. */
  public readonly line: number;
  /** 1-based column of the problem. */
  public readonly column: number;

  public constructor(message: string, position: SourcePosition, options?: ErrorOptions) {
    super('GH_ERR_SCHEMA_PARSE', `${position.line}:${position.column}: ${message}`, options);
    this.line = position.line;
    this.column = position.column;
  }

  /** `expected <expected>, found <found>` at a position. */
  public static expected(expected: string, found: string, position: SourcePosition): SchemaParseError {
    return new SchemaParseError(`expected ${expected}, found ${found}`, position);
  }
}

/**
 * The schema parses but breaks a static rule: an unknown reference, a non-boolean attribute used as a leaf,
 * a rule called with the wrong arguments, or a rule body that is not a boolean CEL expression.
 */
export class SchemaCompileError extends GatehouseError {
  /** 1-based line of the problem. */
  public readonly line: number;
  /** 1-based column of the problem. */
  public readonly column: number;

  public constructor(message: string, position: SourcePosition, options?: ErrorOptions) {
    super('GH_ERR_SCHEMA_COMPILE', `${position.line}:${position.column}: ${message}`, options);
    this.line = position.line;
    this.column = position.column;
  }

  /** `expected <expected>, found <found>` at a position. */
  public static expected(expected: string, found: string, position: SourcePosition): SchemaCompileError {
    return new SchemaCompileError(`expected ${expected}, found ${found}`, position);
  }
}
