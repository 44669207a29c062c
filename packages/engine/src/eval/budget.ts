import { BudgetExceededError, InvalidRequestError } from '@gatehouse/core';

/**
 * The limits one request runs under (docs/budgets.md). Every evaluation — rules, the permission graph, lookups,
 * expand, subject permissions — counts **steps** against `maxSteps`; the request's contextual data is bounded
 * before anything is evaluated.
 */
export interface EvaluationBudget {
  /**
   * Steps one request may take: one per permission-graph visit, stored tuple row or candidate examined, expand
   * node, and CEL node evaluated (comprehension iterations included) plus one per element of every list a CEL
   * node produces or reads. @defaultValue `100_000` (well under 50 ms of event-loop time on a 2-core machine)
   */
  readonly maxSteps?: number;
  /** Contextual tuples per request. @defaultValue `1000` */
  readonly maxContextTuples?: number;
  /** Contextual attributes per request (context attributes plus subject and resource attributes). @defaultValue `1000` */
  readonly maxContextAttributes?: number;
  /** Elements of any one list in the request (an attribute value or a list inside `context.data`). @defaultValue `10_000` */
  readonly maxListLength?: number;
  /** Values (scalars, list elements, object entries) in `context.data` altogether. @defaultValue `10_000` */
  readonly maxContextDataValues?: number;
}

/**
 * Steps one visit of the permission graph costs (a permission, relation or attribute of an entity, a rule call,
 * an expand node): about as long as reading this many tuple rows.
 */
export const VISIT_STEPS = 8;

/** The defaults of {@link EvaluationBudget}. */
export const DEFAULT_BUDGET: Readonly<Required<EvaluationBudget>> = Object.freeze({
  maxSteps: 100_000,
  maxContextTuples: 1000,
  maxContextAttributes: 1000,
  maxListLength: 10_000,
  maxContextDataValues: 10_000,
});

/** The largest value any budget field accepts. */
const MAX_BUDGET_VALUE = 1_000_000_000;

/**
 * The budget of an engine: the defaults with `options` over them, each a positive integer.
 * @throws {@link InvalidRequestError} naming the bad field.
 */
export function resolveBudget(options: EvaluationBudget | undefined): Readonly<Required<EvaluationBudget>> {
  if (options === undefined) return DEFAULT_BUDGET;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may pass anything
  if (typeof options !== 'object' || options === null) throw InvalidRequestError.badValue('options.budget', options, 'an object { maxSteps?, maxContextTuples?, … }');
  const out: Record<string, number> = { ...DEFAULT_BUDGET };
  for (const [key, value] of Object.entries(options)) {
    if (!(key in DEFAULT_BUDGET)) throw InvalidRequestError.badValue('options.budget', key, `one of ${Object.keys(DEFAULT_BUDGET).join(', ')}`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_BUDGET_VALUE) {
      throw InvalidRequestError.badValue(`options.budget.${key}`, value, `an integer from 1 to ${String(MAX_BUDGET_VALUE)}`);
    }
    out[key] = value;
  }
  return Object.freeze(out) as Readonly<Required<EvaluationBudget>>;
}

/**
 * Counts the steps of one request and throws {@link BudgetExceededError} once they pass the limit. Shared by
 * every evaluation the request runs (a lookup's candidates, a subject-permission list's members).
 * @internal
 */
export class StepMeter {
  /** Steps taken so far. */
  public used = 0;

  public constructor(
    public readonly limit: number,
    private readonly tenant?: string,
  ) {}

  private error: BudgetExceededError | undefined;
  /** Values derived once per request (the CEL form of `context.data`): one request, one meter. */
  public readonly requestCache = new WeakMap<object, unknown>();

  /** True once the steps have passed the limit (every further {@link StepMeter.spend} throws). */
  public get exhausted(): boolean {
    return this.used > this.limit;
  }

  /**
   * Counts `steps`. Once the total has passed the limit every call throws (also `spend(0)`), so code that catches
   * errors to try another branch (CEL's `all`/`exists`, `||`) cannot get further work done.
   * @throws {@link BudgetExceededError} when the total passes the limit.
   */
  public spend(steps: number): void {
    if ((this.used += steps) > this.limit) this.exceeded();
  }

  private exceeded(): never {
    // One error per request: thrown again on every later step without capturing a new stack each time.
    throw (this.error ??= new BudgetExceededError(
      `evaluation exceeded the step budget of ${String(this.limit)} steps (see docs/budgets.md: a rule, graph or lookup this large needs a larger budget or a smaller request)`,
      { limit: this.limit, ...(this.tenant === undefined ? {} : { tenant: this.tenant }) },
    ));
  }
}
