/**
 * The one error family of Gatehouse. Every error has a stable `code`, an ES2022 `cause` where one exists,
 * and a `Symbol.for` brand so `instanceof` works across duplicate installs of the package.
 */

/** Stable error codes. */
export type GatehouseErrorCode =
  | 'GH_ERR_INVALID_REQUEST'
  | 'GH_ERR_PDP_UNAVAILABLE'
  | 'GH_ERR_PDP_PROTOCOL'
  | 'GH_ERR_DEPTH_EXCEEDED'
  | 'GH_ERR_EVALUATION'
  | 'GH_ERR_BUDGET_EXCEEDED'
  | 'GH_ERR_SCHEMA_PARSE'
  | 'GH_ERR_SCHEMA_COMPILE'
  | 'GH_ERR_NOT_FOUND'
  | 'GH_ERR_CONFLICT'
  | 'GH_ERR_FORBIDDEN'
  | 'GH_ERR_VALIDATION'
  | 'GH_ERR_STORE'
  | 'GH_ERR_CLOSED'
  | 'GH_ERR_NOT_SUPPORTED';

const kGatehouseError = Symbol.for('gatehouse.error');

/** Base class of every error Gatehouse throws. */
export class GatehouseError extends Error {
  /** A stable, machine-readable code such as `GH_ERR_PDP_UNAVAILABLE`. */
  public readonly code: GatehouseErrorCode;
  /** The tenant the failing request was about, when known. */
  public readonly tenant: string | undefined;

  public constructor(
    code: GatehouseErrorCode,
    message: string,
    options?: ErrorOptions & { tenant?: string | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.tenant = options?.tenant;
    Object.defineProperty(this, kGatehouseError, { value: true });
  }

  /**
   * `instanceof` by brand, so it holds across duplicate installs. Subclasses registered with a brand
   * (all of core's) compare their own brand; other subclasses fall back to the prototype chain.
   */
  public static override [Symbol.hasInstance](instance: unknown): boolean {
    if (typeof instance !== 'object' || instance === null) return false;
    if (this === GatehouseError) return kGatehouseError in instance;
    if (Object.hasOwn(this, 'brand')) {
      return (this as unknown as { brand: symbol }).brand in instance;
    }
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  }
}

function brandOf(name: string): symbol {
  return Symbol.for(`gatehouse.error.${name}`);
}

function branded<T extends new (...args: never[]) => GatehouseError>(ctor: T, name: string): T {
  const brand = brandOf(name);
  Object.defineProperty(ctor, 'brand', { value: brand });
  return ctor;
}

function mark(err: GatehouseError, name: string): void {
  Object.defineProperty(err, brandOf(name), { value: true });
}

/** The request was malformed: a bad subject, resource, tenant id, option or value. */
export class InvalidRequestError extends GatehouseError {
  /** The input that was rejected, when there is one. */
  public readonly input: unknown;
  /** What was expected instead. */
  public readonly expected: string | undefined;

  public constructor(
    message: string,
    options?: ErrorOptions & { tenant?: string; input?: unknown; expected?: string },
  ) {
    super('GH_ERR_INVALID_REQUEST', message, options);
    this.input = options?.input;
    this.expected = options?.expected;
    mark(this, 'InvalidRequestError');
  }

  /** A tenant id that does not match `^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`. */
  public static badTenant(id: unknown): InvalidRequestError {
    return new InvalidRequestError(
      `invalid tenant id ${JSON.stringify(id)}: expected 1-128 characters of letters, digits, "_", "." or "-", starting with a letter or digit`,
      { input: id, expected: 'a tenant id matching ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$' },
    );
  }

  /** A value of the wrong form, naming what it is (`subject`, `resource`, `options.timeoutMs`, …). */
  public static badValue(what: string, value: unknown, expected: string): InvalidRequestError {
    const shown = showValue(value);
    return new InvalidRequestError(`invalid ${what} ${shown}: expected ${expected}`, {
      input: value,
      expected,
    });
  }
}
branded(InvalidRequestError, 'InvalidRequestError');

/** The PDP could not be reached or did not answer in time (network, deadline, circuit open, 5xx). */
export class PdpUnavailableError extends GatehouseError {
  public constructor(message: string, options?: ErrorOptions & { tenant?: string }) {
    super('GH_ERR_PDP_UNAVAILABLE', message, options);
    mark(this, 'PdpUnavailableError');
  }
}
branded(PdpUnavailableError, 'PdpUnavailableError');

/** The PDP answered, but not in the protocol's shape (malformed JSON, missing fields, unexpected status). */
export class PdpProtocolError extends GatehouseError {
  /** The HTTP status of the answer, when there was one. */
  public readonly status: number | undefined;
  public constructor(message: string, options?: ErrorOptions & { tenant?: string; status?: number }) {
    super('GH_ERR_PDP_PROTOCOL', message, options);
    this.status = options?.status;
    mark(this, 'PdpProtocolError');
  }
}
branded(PdpProtocolError, 'PdpProtocolError');

/** Evaluation ran out of its depth budget (as in Permify, this is an error, not a denial). */
export class DepthExceededError extends GatehouseError {
  public readonly depth: number;
  public constructor(depth: number, options?: ErrorOptions & { tenant?: string }) {
    super('GH_ERR_DEPTH_EXCEEDED', `evaluation exceeded the depth budget of ${String(depth)}`, options);
    this.depth = depth;
    mark(this, 'DepthExceededError');
  }
}
branded(DepthExceededError, 'DepthExceededError');

/** Evaluation failed (a rule read a missing `context.data` key, a CEL runtime error, …). */
export class EvaluationError extends GatehouseError {
  public constructor(message: string, options?: ErrorOptions & { tenant?: string }) {
    super('GH_ERR_EVALUATION', message, options);
    mark(this, 'EvaluationError');
  }
}
branded(EvaluationError, 'EvaluationError');

/**
 * Evaluation ran out of its step budget (code `GH_ERR_BUDGET_EXCEEDED`): a rule, graph walk, lookup or expand
 * would have cost more than the PDP allows one request. An {@link EvaluationError} (so code that handles those
 * handles this too); the PDP server answers it with HTTP 422 and the client turns it into a denial with reason
 * `budget_exceeded`.
 */
export class BudgetExceededError extends EvaluationError {
  /** The budget that ran out, in its unit (`steps` for the step budget), when known. */
  public readonly limit: number | undefined;
  public constructor(message: string, options?: ErrorOptions & { tenant?: string; limit?: number }) {
    super(message, options);
    Object.defineProperty(this, 'code', { value: 'GH_ERR_BUDGET_EXCEEDED', enumerable: true });
    this.limit = options?.limit;
    mark(this, 'BudgetExceededError');
  }
}
branded(BudgetExceededError, 'BudgetExceededError');

/** Something named in the request does not exist (tenant, entity type, permission, schema version). */
export class NotFoundError extends GatehouseError {
  public constructor(message: string, options?: ErrorOptions & { tenant?: string }) {
    super('GH_ERR_NOT_FOUND', message, options);
    mark(this, 'NotFoundError');
  }
}
branded(NotFoundError, 'NotFoundError');

/** The request conflicts with existing state (e.g. creating a tenant that exists). */
export class ConflictError extends GatehouseError {
  public constructor(message: string, options?: ErrorOptions & { tenant?: string }) {
    super('GH_ERR_CONFLICT', message, options);
    mark(this, 'ConflictError');
  }
}
branded(ConflictError, 'ConflictError');

/** Thrown by `assert*`-style calls when the decision is a denial. A denial is otherwise a value. */
export class ForbiddenError extends GatehouseError {
  /** The reason of the denial (`denied`, `pdp_unavailable`, …). */
  public readonly reason: string | undefined;
  public constructor(message: string, options?: ErrorOptions & { tenant?: string; reason?: string }) {
    super('GH_ERR_FORBIDDEN', message, options);
    this.reason = options?.reason;
    mark(this, 'ForbiddenError');
  }
}
branded(ForbiddenError, 'ForbiddenError');

/**
 * A call on a client (or another Gatehouse object) after its `close()`: closed objects answer nothing, not even a
 * denial, so a use after shutdown is seen rather than silently answered.
 */
export class ClientClosedError extends GatehouseError {
  public constructor(message: string, options?: ErrorOptions & { tenant?: string }) {
    super('GH_ERR_CLOSED', message, options);
    mark(this, 'ClientClosedError');
  }
}
branded(ClientClosedError, 'ClientClosedError');

/** Longest shown form of an offending value in a message. */
const SHOWN_MAX = 80;

function truncate(text: string): string {
  return text.length <= SHOWN_MAX ? text : `${text.slice(0, SHOWN_MAX - 1)}…`;
}

/** Compact JSON of an object or array (bigints as numbers, cycles as "[circular]"), or undefined if it has none. */
function compactJson(value: object): string | undefined {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[circular]';
        seen.add(v);
      }
      return v;
    });
  } catch {
    return undefined;
  }
}

/** @internal The offending value as a message shows it: compact JSON (truncated), or its kind when it has no JSON form. */
export function showValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return value.name === '' ? 'a function' : `a function ${value.name}`;
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    const plain = Array.isArray(value) || proto === Object.prototype || proto === null;
    const json = compactJson(value);
    const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
    const named = typeof ctor === 'string' && ctor !== '' ? ctor : 'object';
    if (plain) return json === undefined ? 'an object' : truncate(json);
    return json === undefined || json === '{}' ? `an instance of ${named}` : truncate(`${named} ${json}`);
  }
  if (typeof value === 'string') return truncate(JSON.stringify(value));
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${value.toString()}`;
  }
  return 'undefined';
}
