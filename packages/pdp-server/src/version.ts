import { readFileSync } from 'node:fs';

/** The version of `@gatehouse/pdp-server`, read from its package.json (printed by `gatehouse --version`). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
