import { readFile } from 'node:fs/promises';
import { compileRbac } from '@gatehouse/engine';
import type { CliIo } from '../main.js';

/** Usage of `gatehouse compile`. */
export const COMPILE_USAGE = `Usage: gatehouse compile RBAC.yaml

Compiles an RBAC file (resources, roles, derivations, conditions) to the schema language and prints it.

Options:
  -h, --help  this text

Exit status: 0, or 2 when the file is unreadable or invalid.`;

/** Runs `gatehouse compile`; returns the exit status. */
export async function compileCommand(file: string, io: CliIo): Promise<number> {
  const schema = compileRbac(await readFile(file, 'utf8'));
  io.stdout(schema.endsWith('\n') ? schema : `${schema}\n`);
  return 0;
}
