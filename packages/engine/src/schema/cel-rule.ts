import { EvaluationError, GatehouseError } from '@gatehouse/core';
import { Environment } from '@marcbachmann/cel-js';

import type { RuleNode } from './ast.js';
import { SchemaCompileError, type SourcePosition } from './errors.js';
import { DEFAULT_BUDGET, StepMeter } from '../eval/budget.js';
import type { AttributeType, RuleDefinition, StepSink } from './ir.js';
import { LineIndex } from './lexer.js';
import { RegexRejection, compileRegex, regexMatches } from './rule-regex.js';

const CEL_TYPES: Readonly<Record<AttributeType, string>> = {
  boolean: 'bool',
  string: 'string',
  integer: 'int',
  double: 'double',
  'boolean[]': 'list<bool>',
  'string[]': 'list<string>',
  'integer[]': 'list<int>',
  'double[]': 'list<double>',
};

type Numeric = number | bigint;

/** The value a rule argument takes when its attribute is missing (permify.md §2.2). */
const ZERO: Readonly<Record<AttributeType, unknown>> = {
  boolean: false,
  string: '',
  integer: 0,
  double: 0,
  'boolean[]': [],
  'string[]': [],
  'integer[]': [],
  'double[]': [],
};

function numericEquals(a: Numeric, b: Numeric): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  const big = typeof a === 'bigint' ? a : (b as bigint);
  const num = typeof a === 'number' ? a : (b as number);
  return Number.isInteger(num) && BigInt(num) === big;
}

/**
 * The shared CEL environment. cel-js already orders int, uint and double against each other; the overloads
 * below add cel-go's runtime heterogeneous equality (`1 == 1.0`, and `in` over lists, which uses it), so
 * rules written against Permify (cel-go) type-check and evaluate the same way. Only the wider list element
 * direction is registered (`int in list<double>`): cel-js reports `double in list<int>` as overlapping its
 * generic `V in list<V>` when the left side is dyn, which would break `context.data.x in ints`.
 */
function baseEnvironment(): Environment {
  const env = new Environment();
  for (const [x, y] of [
    ['int', 'double'],
    ['uint', 'double'],
    ['int', 'uint'],
  ] as const) {
    env.registerOperator(`${x} == ${y}`, (a: Numeric, b: Numeric) => numericEquals(a, b));
    env.registerOperator(`${x} in list<${y}>`, (a: Numeric, list: readonly Numeric[]) =>
      list.some((b) => numericEquals(a, b)),
    );
  }
  return env;
}

const BASE = baseEnvironment();

/** Converts an attribute value to the CEL value of its declared type (integers are BigInt in cel-js). */
export function toCelArgument(type: AttributeType, value: unknown): unknown {
  switch (type) {
    case 'integer':
      return toBigInt(value);
    case 'integer[]':
      return Array.isArray(value) ? value.map(toBigInt) : [];
    case 'double':
      return typeof value === 'bigint' ? Number(value) : value;
    case 'double[]':
      return Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) : [];
    case 'boolean':
    case 'string':
    case 'boolean[]':
    case 'string[]':
      return value;
  }
}

function toBigInt(value: unknown): unknown {
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  return value;
}

/** Request data as Permify sees it after a protobuf Struct: every number is a double. */
function toCelData(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toCelData);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: toCelData(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/**
 * The request's `context.data` as CEL sees it, converted once per request (kept in the request's meter): every
 * rule call of a request (a lookup checks many candidates) gets the same object. Never kept across requests: the
 * caller may change its object in between.
 */
function celData(data: unknown, meter: StepSink | undefined): unknown {
  const cache = meter?.requestCache;
  if (cache === undefined || typeof data !== 'object' || data === null) return toCelData(data ?? {});
  let converted = cache.get(data);
  if (converted === undefined) {
    converted = toCelData(data);
    cache.set(data, converted);
  }
  return converted;
}

function summary(error: unknown): string {
  if (error instanceof Error) {
    const s = (error as { summary?: unknown }).summary;
    return typeof s === 'string' ? s : (error.message.split('\n')[0] ?? error.message);
  }
  return String(error);
}

function rangeStart(error: unknown): number {
  const range = (error as { range?: { start?: unknown } } | null)?.range;
  return typeof range?.start === 'number' ? range.start : 0;
}

/**
 * Compiles a rule body once: CEL with one typed variable per parameter plus `context` (dyn); it must have
 * type `bool`.
 * @throws {@link SchemaCompileError} at the position in the schema of the CEL problem.
 */
export function compileRule(node: RuleNode): RuleDefinition {
  const env = BASE.clone();
  for (const param of node.params) {
    if (param.name.name === 'context') {
      throw SchemaCompileError.expected('a parameter name other than "context" (reserved for request data)', '"context"', param.name.position);
    }
    try {
      env.registerVariable(param.name.name, CEL_TYPES[param.type]);
    } catch (error) {
      // CEL reserves some names (`int`, `type`, `as`, …) that the schema language allows.
      throw SchemaCompileError.expected('a parameter name that is not reserved in CEL', `"${param.name.name}" (${summary(error)})`, param.name.position);
    }
  }
  env.registerVariable('context', 'dyn');
  const where = (offset: number): SourcePosition => bodyPosition(node, offset);
  let program: ReturnType<Environment['parse']>;
  try {
    program = env.parse(node.body);
  } catch (error) {
    throw new SchemaCompileError(`expected a CEL expression in rule "${node.name.name}", found a syntax error: ${summary(error)}`, where(rangeStart(error)), { cause: error });
  }
  let checked: ReturnType<typeof program.check>;
  try {
    checked = program.check();
  } catch (error) {
    throw new SchemaCompileError(`expected a well-typed CEL expression in rule "${node.name.name}", found: ${summary(error)}`, where(rangeStart(error)), { cause: error });
  }
  if (!checked.valid) {
    throw new SchemaCompileError(
      `expected a well-typed CEL expression in rule "${node.name.name}", found: ${summary(checked.error)}`,
      where(rangeStart(checked.error)),
      { cause: checked.error },
    );
  }
  if (checked.type !== 'bool') {
    throw SchemaCompileError.expected(`rule "${node.name.name}" to have type bool`, `type ${checked.type}`, where(0));
  }
  useSafeRegex(node, program.ast, where);
  meterEvaluation(program.ast);
  const params = node.params.map((p) => ({ name: p.name.name, type: p.type }));
  const name = node.name.name;
  const evaluate = (args: Readonly<Record<string, unknown>>, context: Readonly<Record<string, unknown>>, given?: StepSink): boolean => {
    // Never unmetered: a caller that brings no meter gets one of the default budget for this call.
    const meter = given ?? new StepMeter(DEFAULT_BUDGET.maxSteps);
    const vars: Record<string, unknown> = { context: { data: celData(context.data, meter) } };
    let size = 0;
    for (const p of params) {
      const value = toCelArgument(p.type, args[p.name] ?? ZERO[p.type]);
      if (Array.isArray(value)) size += value.length;
      vars[p.name] = value;
    }
    let result: unknown;
    const outer = activeMeter;
    activeMeter = meter;
    try {
      meter.spend(size);
      result = program(vars);
      // CEL absorbs errors where another branch decides (`e || true`, `exists`): a rule that ran out of steps has
      // no result even when cel-js produced one.
      meter.spend(0);
    } catch (error) {
      if (error instanceof GatehouseError) throw error;
      throw new EvaluationError(`rule "${name}" failed: ${summary(error)}`, { cause: error });
    } finally {
      activeMeter = outer;
    }
    if (typeof result !== 'boolean') {
      throw new EvaluationError(`rule "${name}" returned ${typeof result}, expected a boolean`);
    }
    return result;
  };
  return { name, params, body: node.body, evaluate };
}

/**
 * Steps one CEL node costs: evaluating a node through cel-js takes about as long as this many steps of the
 * permission graph (a tuple row read), so the one budget bounds time whatever the request spends it on.
 */
export const CEL_NODE_STEPS = 4;

/** The meter of the rule being evaluated (rules evaluate synchronously, one at a time). */
let activeMeter: StepSink | undefined;

/** cel-js's evaluate signature of an AST node. */
type NodeEvaluate = (this: unknown, ev: unknown, ast: unknown, ctx: unknown) => unknown;

/** The parts of a cel-js AST node {@link meterEvaluation} uses. */
interface MeteredNode {
  op: string;
  evaluate: NodeEvaluate;
  readonly meta: { readonly evaluate?: NodeEvaluate; readonly alternate?: MeteredNode; readonly macro?: { evaluate: NodeEvaluate } };
}

/** Steps a value costs on top of the node that produced it: its length for a list or map, per 64 characters for a string. */
function sizeOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'string') return value.length >>> 6;
  if (value instanceof Map) return value.size;
  return 0;
}

/**
 * Makes every node of a checked cel-js program charge the active meter when it is evaluated: {@link CEL_NODE_STEPS}
 * per node (so each comprehension iteration costs the nodes of its step) plus the size of what the node yields, so work
 * over long lists is counted by their length. cel-js has no cost hook of its own; it calls each node's own
 * `evaluate`, which is replaced here by a wrapper around the node's resolved evaluator (its macro expansion
 * — the comprehension of `all`, `exists`, `map`, `filter` — is reached through `meta.alternate` and wrapped too).
 */
function meterEvaluation(ast: unknown): void {
  const seen = new Set<object>();
  // cel-js's `all` and `exists` put a failing element aside and go on with the next (an error only counts when no
  // other element decides), so the budget's error alone would leave them iterating every element left. Once the
  // budget is out, their step answers the value that ends the loop at once; the rule's result is discarded then
  // (evaluate() checks the meter after the program returns).
  const stops = new Map<object, boolean>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (isNode(value) && 'meta' in value) {
      const node = value as unknown as MeteredNode;
      const meta = node.meta;
      const alternate = meta.alternate;
      const macro = meta.macro;
      const inner: NodeEvaluate | undefined =
        alternate !== undefined ? (ev, _ast, ctx) => alternate.evaluate(ev, alternate, ctx)
          : macro !== undefined ? (ev, _ast, ctx) => macro.evaluate(ev, macro, ctx)
            : meta.evaluate;
      if (node.op === 'comprehension') noteStop(node as unknown as { args: unknown }, stops);
      const stop = stops.get(node);
      if (inner !== undefined) {
        node.evaluate = function metered(ev, astNode, ctx) {
          if (stop !== undefined && activeMeter?.exhausted === true) return stop;
          const result = inner.call(this, ev, astNode, ctx);
          activeMeter?.spend(CEL_NODE_STEPS + sizeOf(result));
          return result;
        };
      }
      if (alternate !== undefined) visit(alternate);
    }
    for (const [key, child] of Object.entries(value)) {
      if (!SKIPPED_KEYS.has(key)) visit(child);
    }
  };
  visit(ast);
}

/** For a quantifier comprehension (`all`, `exists`), the value its step answers to end the loop. */
function noteStop(node: { args: unknown }, stops: Map<object, boolean>): void {
  const args = node.args as { kind?: unknown; errorsAreFatal?: unknown; condition?: unknown; step?: unknown };
  if (args.kind !== 'quantifier' || args.errorsAreFatal === true || typeof args.condition !== 'function' || !isNode(args.step)) return;
  const condition = args.condition as (accu: unknown) => unknown;
  const stop = !condition(false) ? false : !condition(true) ? true : undefined;
  if (stop !== undefined) stops.set(args.step, stop);
}

/** A node of cel-js's checked AST, as far as {@link useSafeRegex} reads it. */
interface CelNode {
  op?: unknown;
  args?: unknown;
  start?: unknown;
  handle?: unknown;
}

/** Type information and overload tables hanging off AST nodes: no sub-expressions there. */
const SKIPPED_KEYS = new Set(['checkedType', 'candidates', 'argTypes', 'handle', 'iterCtx']);

function isNode(value: unknown): value is CelNode {
  return typeof value === 'object' && value !== null && typeof (value as CelNode).op === 'string';
}

/**
 * cel-js runs `matches()` on JavaScript's backtracking `RegExp`, so one tenant's rule could freeze the process.
 * cel-js offers no way to replace a built-in overload, so after type-checking, every `x.matches(p)` call node
 * of this program is pointed at {@link regexMatches} (RE2, linear time). A literal pattern is compiled here, so
 * a pattern RE2 rejects is a schema error at its position; any other pattern is checked when evaluated.
 * @throws {@link SchemaCompileError} for a literal pattern RE2 rejects, or a `matches` call of a shape this
 * does not know (fail closed rather than leave the backtracking engine in place).
 */
function useSafeRegex(rule: RuleNode, ast: unknown, where: (offset: number) => SourcePosition): void {
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isNode(value)) return;
    if ((value.op === 'rcall' || value.op === 'call') && Array.isArray(value.args) && value.args[0] === 'matches') {
      patchMatches(rule, value, where);
    }
    for (const [key, child] of Object.entries(value)) {
      if (!SKIPPED_KEYS.has(key)) visit(child);
    }
  };
  visit(ast);
}

function patchMatches(rule: RuleNode, call: CelNode, where: (offset: number) => SourcePosition): void {
  const args = call.args as unknown[];
  const at = where(typeof call.start === 'number' ? call.start : 0);
  const callArgs = args[2];
  if (call.op !== 'rcall' || !Array.isArray(callArgs) || callArgs.length !== 1 || typeof call.handle !== 'function') {
    throw SchemaCompileError.expected(`matches() called as string.matches(pattern) in rule "${rule.name.name}"`, 'another form', at);
  }
  const pattern: unknown = callArgs[0];
  if (isNode(pattern) && pattern.op === 'value' && typeof pattern.args === 'string') {
    try {
      compileRegex(pattern.args);
    } catch (error) {
      const message = error instanceof RegexRejection ? error.message : String(error);
      throw new SchemaCompileError(`${message} in rule "${rule.name.name}"`, where(typeof pattern.start === 'number' ? pattern.start : 0), { cause: error });
    }
  }
  // cel-js calls `handle(values, evaluator, node)` with the evaluated receiver and argument.
  call.handle = (values: readonly unknown[]): boolean => regexMatches(values[0], values[1]);
}

const bodyLines = new WeakMap<RuleNode, LineIndex>();

function bodyPosition(node: RuleNode, offset: number): SourcePosition {
  let index = bodyLines.get(node);
  if (index === undefined) {
    index = new LineIndex(node.body);
    bodyLines.set(node, index);
  }
  const p = index.position(Math.max(0, Math.min(offset, node.body.length)));
  return p.line === 1
    ? { line: node.bodyPosition.line, column: node.bodyPosition.column + p.column - 1 }
    : { line: node.bodyPosition.line + p.line - 1, column: p.column };
}
