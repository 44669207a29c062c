import { Environment } from '@marcbachmann/cel-js';

import type { RuleDefinition } from '../schema/ir.js';
import type { AttributeType } from '../schema/ir.js';
import { and, not, or } from './formula.js';
import type { Formula } from './formula.js';

/**
 * Translation of CEL rule bodies into conditions on the resource's own columns. A rule translates when its body
 * only combines, with `&&`, `||`, `!` and `?:`, these leaves over its parameters (the resource's own attributes)
 * and literal constants:
 * - a boolean parameter, or `true` / `false`;
 * - `p == c`, `p != c` (either side; boolean, string or number);
 * - `p < c`, `p <= c`, `p > c`, `p >= c` for a number parameter (either side);
 * - `p in [c1, c2, …]` for a scalar parameter, `c in p` for a list parameter.
 * Everything else (`context`, functions and macros, string ordering, two parameters compared, arithmetic) does
 * not translate, and the caller falls back to ids computed from stored data.
 */

/** A node of cel-js's parsed AST, as far as the translator reads it. */
interface CelNode {
  readonly op: string;
  readonly args: unknown;
}

interface Param { readonly name: string; readonly type: AttributeType }

const UNTRANSLATABLE = Symbol('untranslatable');
type Result = Formula | typeof UNTRANSLATABLE;

const cache = new WeakMap<RuleDefinition, Formula | null>();

/**
 * The rule as a condition on the resource's columns (the attribute names are the field names), or `undefined`
 * when it does not translate.
 */
export function translateRule(rule: RuleDefinition, argTypes: ReadonlyMap<string, AttributeType>): Formula | undefined {
  const hit = cache.get(rule);
  if (hit !== undefined) return hit ?? undefined;
  let out: Formula | null;
  try {
    const env = new Environment();
    for (const p of rule.params) env.registerVariable(p.name, celType(p.type));
    env.registerVariable('context', 'dyn');
    const ast = env.parse(rule.body).ast as unknown;
    const params = new Map<string, Param>(rule.params.map((p) => [p.name, { name: p.name, type: argTypes.get(p.name) ?? p.type }]));
    const r = translate(ast, params);
    out = r === UNTRANSLATABLE ? null : r;
  } catch {
    out = null;
  }
  cache.set(rule, out);
  return out ?? undefined;
}

function celType(t: AttributeType): string {
  switch (t) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'integer':
      return 'int';
    case 'double':
      return 'double';
    case 'boolean[]':
    case 'string[]':
    case 'integer[]':
    case 'double[]':
      return `list<${celType(t.slice(0, -2) as AttributeType)}>`;
  }
}

function isNode(v: unknown): v is CelNode {
  return typeof v === 'object' && v !== null && typeof (v as CelNode).op === 'string';
}

function translate(n: unknown, params: ReadonlyMap<string, Param>): Result {
  if (!isNode(n)) return UNTRANSLATABLE;
  switch (n.op) {
    case 'value':
      return typeof n.args === 'boolean' ? n.args : UNTRANSLATABLE;
    case 'id': {
      const p = params.get(String(n.args));
      return p?.type === 'boolean' ? { field: p.name, eq: true } : UNTRANSLATABLE;
    }
    case '!_': {
      const x = translate(n.args, params);
      return x === UNTRANSLATABLE ? x : not(x);
    }
    case '&&':
    case '||': {
      const [a, b] = args2(n);
      const x = translate(a, params);
      const y = translate(b, params);
      if (x === UNTRANSLATABLE || y === UNTRANSLATABLE) return UNTRANSLATABLE;
      return n.op === '&&' ? and([x, y]) : or([x, y]);
    }
    case '?:': {
      const list = Array.isArray(n.args) ? (n.args as unknown[]) : [];
      if (list.length !== 3) return UNTRANSLATABLE;
      const c = translate(list[0], params);
      const a = translate(list[1], params);
      const b = translate(list[2], params);
      if (c === UNTRANSLATABLE || a === UNTRANSLATABLE || b === UNTRANSLATABLE) return UNTRANSLATABLE;
      return or([and([c, a]), and([not(c), b])]);
    }
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return comparison(n.op, args2(n), params);
    case 'in':
      return membership(args2(n), params);
    default:
      return UNTRANSLATABLE;
  }
}

function args2(n: CelNode): [unknown, unknown] {
  const list = Array.isArray(n.args) ? (n.args as unknown[]) : [];
  return [list[0], list[1]];
}

/** A literal constant (a negated number literal included), or UNTRANSLATABLE. */
function constant(n: unknown): boolean | string | number | typeof UNTRANSLATABLE {
  if (!isNode(n)) return UNTRANSLATABLE;
  if (n.op === '-_') {
    const v = constant(n.args);
    return typeof v === 'number' ? -v : UNTRANSLATABLE;
  }
  if (n.op !== 'value') return UNTRANSLATABLE;
  const v = n.args;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : UNTRANSLATABLE;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return UNTRANSLATABLE;
}

function paramOf(n: unknown, params: ReadonlyMap<string, Param>): Param | undefined {
  return isNode(n) && n.op === 'id' ? params.get(String(n.args)) : undefined;
}

const FLIP: Readonly<Record<string, string>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function comparison(op: string, [a, b]: [unknown, unknown], params: ReadonlyMap<string, Param>): Result {
  let p = paramOf(a, params);
  let c = constant(b);
  if (p === undefined) {
    p = paramOf(b, params);
    c = constant(a);
    op = FLIP[op] ?? op;
  }
  if (p === undefined || c === UNTRANSLATABLE) return UNTRANSLATABLE;
  const kind = scalarKind(p.type);
  if (kind === undefined || kind !== (typeof c === 'number' ? 'number' : typeof c)) return UNTRANSLATABLE;
  const field = p.name;
  if (op === '==' || op === '!=') {
    // An integer attribute never equals a fractional constant.
    if (p.type === 'integer' && !Number.isInteger(c)) return op === '!=';
    return op === '==' ? { field, eq: c } : { field, ne: c };
  }
  if (typeof c !== 'number') return UNTRANSLATABLE;
  // On an integer attribute a fractional bound becomes the integer bound it means (x < 2.5 ⇔ x < 3).
  const integer = p.type === 'integer';
  switch (op) {
    case '<':
      return { field, lt: integer ? Math.ceil(c) : c };
    case '<=':
      return { field, le: integer ? Math.floor(c) : c };
    case '>':
      return { field, gt: integer ? Math.floor(c) : c };
    case '>=':
      return { field, ge: integer ? Math.ceil(c) : c };
    default:
      return UNTRANSLATABLE;
  }
}

function membership([a, b]: [unknown, unknown], params: ReadonlyMap<string, Param>): Result {
  const p = paramOf(a, params);
  if (p !== undefined) {
    const kind = scalarKind(p.type);
    if (kind === undefined || !isNode(b) || b.op !== 'list' || !Array.isArray(b.args)) return UNTRANSLATABLE;
    const values: (boolean | string | number)[] = [];
    for (const item of b.args as unknown[]) {
      const c = constant(item);
      if (c === UNTRANSLATABLE || kind !== (typeof c === 'number' ? 'number' : typeof c)) return UNTRANSLATABLE;
      if (p.type === 'integer' && typeof c === 'number' && !Number.isInteger(c)) continue;
      values.push(c);
    }
    return values.length === 0 ? false : { field: p.name, in: values };
  }
  const list = paramOf(b, params);
  const c = constant(a);
  if (list === undefined || c === UNTRANSLATABLE || !list.type.endsWith('[]')) return UNTRANSLATABLE;
  const element = list.type.slice(0, -2) as AttributeType;
  if (scalarKind(element) !== (typeof c === 'number' ? 'number' : typeof c)) return UNTRANSLATABLE;
  if (element === 'integer' && typeof c === 'number' && !Number.isInteger(c)) return false;
  return { field: list.name, contains: c };
}

function scalarKind(t: AttributeType): 'boolean' | 'string' | 'number' | undefined {
  switch (t) {
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'integer':
    case 'double':
      return 'number';
    case 'boolean[]':
    case 'string[]':
    case 'integer[]':
    case 'double[]':
      return undefined;
  }
}
