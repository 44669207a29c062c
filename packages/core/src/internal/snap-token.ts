const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * Compares two decimal snap tokens as integers: negative when `a` is older than `b`, 0 when equal,
 * positive when newer; `undefined` when either is not a decimal integer string (unknown freshness).
 */
export function compareDecimalSnapTokens(a: string, b: string): number | undefined {
  if (!DECIMAL.test(a) || !DECIMAL.test(b)) return undefined;
  if (a.length !== b.length) return a.length - b.length;
  if (a.length < 16) return Number(a) - Number(b);
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}
