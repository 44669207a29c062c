import { InvalidRequestError, parseAttribute } from '@gatehouse/core';
import type { AttributeInput, CheckContext } from '@gatehouse/core';

import type { EvaluationBudget } from '../eval/budget.js';

/**
 * Checks the request's contextual data against the budget's size limits before anything is evaluated: the number
 * of contextual tuples and attributes, the length of every list, and the number of values in `context.data`.
 * @returns the number of contextual items, charged to the request's step meter by the caller (each evaluation
 *   loads them once).
 * @throws {@link InvalidRequestError} naming the limit and the value that broke it; nothing is evaluated.
 */
export function checkRequestSize(
  budget: Readonly<Required<EvaluationBudget>>,
  context: CheckContext | undefined,
  ...attributeSets: (Readonly<Record<string, unknown>> | undefined)[]
): number {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may pass anything
  if (context !== undefined && (typeof context !== 'object' || context === null)) {
    throw InvalidRequestError.badValue('context', context, 'an object { tuples?, attributes?, data? }');
  }
  const tuples: unknown = context?.tuples ?? [];
  const attributes: unknown = context?.attributes ?? [];
  if (!Array.isArray(tuples)) throw InvalidRequestError.badValue('context.tuples', tuples, 'an array of tuples');
  if (!Array.isArray(attributes)) throw InvalidRequestError.badValue('context.attributes', attributes, 'an array of attributes');
  if (tuples.length > budget.maxContextTuples) {
    throw tooMany('context.tuples', `${String(tuples.length)} tuples`, `at most ${String(budget.maxContextTuples)} contextual tuples per request (budget.maxContextTuples)`);
  }
  let attributeCount = attributes.length;
  for (const set of attributeSets) if (set !== undefined) attributeCount += Object.keys(set).length;
  if (attributeCount > budget.maxContextAttributes) {
    throw tooMany('context.attributes', `${String(attributeCount)} attributes`, `at most ${String(budget.maxContextAttributes)} contextual, subject and resource attributes per request (budget.maxContextAttributes)`);
  }
  let values = 0;
  for (const raw of attributes as AttributeInput[]) values += listLength(budget, 'context attribute value', parseAttribute(raw).value);
  for (const set of attributeSets) {
    if (set === undefined) continue;
    for (const [name, value] of Object.entries(set)) values += listLength(budget, `attribute "${name}"`, value);
  }
  const data = context?.data;
  if (data !== undefined) {
    const counted = countValues(budget, data, 0);
    if (counted > budget.maxContextDataValues) {
      throw tooMany('context.data', `${String(counted)} values`, `at most ${String(budget.maxContextDataValues)} values in context.data (budget.maxContextDataValues)`);
    }
    values += counted;
  }
  return tuples.length + attributeCount + values;
}

function listLength(budget: Readonly<Required<EvaluationBudget>>, what: string, value: unknown): number {
  if (!Array.isArray(value)) return 1;
  if (value.length > budget.maxListLength) {
    throw tooMany(what, `a list of ${String(value.length)} elements`, `lists of at most ${String(budget.maxListLength)} elements (budget.maxListLength)`);
  }
  return value.length;
}

/** Values in a JSON-like tree, stopping as soon as the count passes the limit. */
function countValues(budget: Readonly<Required<EvaluationBudget>>, value: unknown, depth: number): number {
  if (depth > 64) throw tooMany('context.data', 'a value nested deeper than 64 levels', 'at most 64 levels of nesting');
  if (Array.isArray(value)) {
    listLength(budget, 'a list in context.data', value);
    let n = 1;
    for (const v of value) {
      n += countValues(budget, v, depth + 1);
      if (n > budget.maxContextDataValues) return n;
    }
    return n;
  }
  if (typeof value === 'object' && value !== null) {
    let n = 1;
    for (const v of Object.values(value)) {
      n += countValues(budget, v, depth + 1);
      if (n > budget.maxContextDataValues) return n;
    }
    return n;
  }
  return 1;
}

function tooMany(what: string, got: string, expected: string): InvalidRequestError {
  return InvalidRequestError.badValue(what, got, expected);
}
