import { parseArgs } from 'node:util';
import { GatehouseError } from '@gatehouse/core';
import { auditCommand } from './commands/audit-command.js';
import { CHECK_USAGE, checkCommand } from './commands/check-command.js';
import { COMPILE_USAGE, compileCommand } from './commands/compile-command.js';
import { GENERATE_USAGE, generateCommand } from './commands/generate-command.js';
import { SERVE_USAGE, serveCommand } from './commands/serve-command.js';
import { VALIDATE_USAGE, validateCommand } from './commands/validate-command.js';
import type { GatehouseServer } from './server.js';
import { packageVersion } from './version.js';

/** Where the CLI writes and what it reads; the process by default, replaceable in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** `serve` installs SIGTERM/SIGINT handlers. @defaultValue true */
  handleSignals: boolean;
  /** Whether stdout is a terminal (`check --explain` colours its tree then). @defaultValue process.stdout.isTTY when stdout is the process's */
  stdoutIsTTY?: boolean;
  /** Called by `serve` once it listens. */
  onListening?: (server: GatehouseServer, url: string) => void;
}

let stdoutClosed = false;
let stdoutGuarded = false;

/**
 * Writes to the process's stdout; once its reader has gone (`gatehouse validate --json … | head -1`), the EPIPE is
 * swallowed and later output dropped, so the command still exits with its own status instead of a stack trace.
 */
function processStdout(text: string): void {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
        stdoutClosed = true;
        return;
      }
      throw err;
    });
  }
  if (!stdoutClosed) process.stdout.write(text);
}

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  validate FILE… [--json]                      run Permify validation files (exit 0 / 1 failed / 2 invalid)
  compile RBAC.yaml                            print the schema an RBAC file compiles to
  check --schema F [--data F] QUERY            answer one check: "document:1#edit@user:alice"
  generate --schema F [--out F] [--check]      write TypeScript types of a schema
  serve [--schema F] [--data F] [--port N] …   run the PDP server
  audit tail --url U --tenant T [--api-key K]   print a tenant's audit trail as NDJSON

Run "gatehouse <command> --help" for a command's options; "gatehouse --version" prints the version.`;

function usageError(io: CliIo, message: string, usage: string): number {
  io.stderr(`gatehouse: ${message}\n\n${usage}\n`);
  return 2;
}

/**
 * Runs the `gatehouse` CLI with the arguments after the program name.
 *
 * @param argv - e.g. `['validate', 'policy.yaml', '--json']`.
 * @param io - output sinks and environment; the process's by default.
 * @returns the exit status (0 success, 1 a failed check or assertion, 2 bad input).
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const cli: CliIo = {
    stdout: io.stdout ?? processStdout,
    stderr: io.stderr ?? ((t) => process.stderr.write(t)),
    env: io.env ?? process.env,
    handleSignals: io.handleSignals ?? true,
    stdoutIsTTY: io.stdoutIsTTY ?? (io.stdout === undefined && process.stdout.isTTY),
    ...(io.onListening === undefined ? {} : { onListening: io.onListening }),
  };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        return usageError(cli, 'no command given', USAGE);
      case '-h':
      case '--help':
      case 'help':
        cli.stdout(`${USAGE}\n`);
        return 0;
      case '-v':
      case '--version':
        cli.stdout(`${packageVersion()}\n`);
        return 0;
      case 'validate': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
        });
        if (values.help === true) return help(cli, VALIDATE_USAGE);
        if (positionals.length === 0) return usageError(cli, 'validate needs at least one file', VALIDATE_USAGE);
        return await validateCommand(positionals, values.json === true, cli);
      }
      case 'compile': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
        if (values.help === true) return help(cli, COMPILE_USAGE);
        const [file, ...more] = positionals;
        if (file === undefined || more.length > 0) return usageError(cli, 'compile needs exactly one file', COMPILE_USAGE);
        return await compileCommand(file, cli);
      }
      case 'generate': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            schema: { type: 'string' },
            rbac: { type: 'string' },
            url: { type: 'string' },
            tenant: { type: 'string' },
            'api-key': { type: 'string' },
            out: { type: 'string' },
            check: { type: 'boolean' },
            help: { type: 'boolean', short: 'h' },
          },
        });
        if (values.help === true) return help(cli, GENERATE_USAGE);
        if (positionals.length > 0) return usageError(cli, `unexpected argument ${JSON.stringify(positionals[0])}`, GENERATE_USAGE);
        const { help: _h, ...flags } = values;
        return await generateCommand(flags, cli);
      }
      case 'check': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            schema: { type: 'string' },
            rbac: { type: 'string' },
            data: { type: 'string' },
            tenant: { type: 'string' },
            context: { type: 'string' },
            explain: { type: 'boolean' },
            help: { type: 'boolean', short: 'h' },
          },
        });
        if (values.help === true) return help(cli, CHECK_USAGE);
        const [query, ...more] = positionals;
        if (query === undefined || more.length > 0) return usageError(cli, 'check needs exactly one query', CHECK_USAGE);
        const { help: _h, ...opts } = values;
        return await checkCommand({ ...opts, query }, cli);
      }
      case 'serve': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            schema: { type: 'string' },
            rbac: { type: 'string' },
            data: { type: 'string' },
            reseed: { type: 'boolean' },
            host: { type: 'string' },
            port: { type: 'string' },
            'api-key': { type: 'string', multiple: true },
            dev: { type: 'boolean' },
            postgres: { type: 'string' },
            'postgres-schema': { type: 'string' },
            'audit-retention-days': { type: 'string' },
            'rate-limit': { type: 'string' },
            'body-limit': { type: 'string' },
            'heartbeat-ms': { type: 'string' },
            'eval-budget': { type: 'string' },
            'max-watchers': { type: 'string' },
            'max-watchers-per-key': { type: 'string' },
            'metrics-key': { type: 'string' },
            'log-level': { type: 'string' },
            ui: { type: 'boolean' },
            help: { type: 'boolean', short: 'h' },
          },
        });
        if (values.help === true) return help(cli, SERVE_USAGE);
        if (positionals.length > 0) return usageError(cli, `unexpected argument ${JSON.stringify(positionals[0])}`, SERVE_USAGE);
        const { help: _h, ...flags } = values;
        return await serveCommand(flags, cli);
      }
      case 'audit':
        return await auditCommand(rest, cli);
      default:
        return usageError(cli, `unknown command ${JSON.stringify(command)}`, USAGE);
    }
  } catch (err) {
    if (err instanceof GatehouseError) {
      cli.stderr(`gatehouse ${command}: ${err.message}\n`);
      return 2;
    }
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e.code === 'string' && (e.code.startsWith('ERR_PARSE_ARGS') || e.code.startsWith('E'))) {
      cli.stderr(`gatehouse ${command}: ${String(e.message)}\n`);
      return 2;
    }
    throw err;
  }
}

function help(io: CliIo, usage: string): number {
  io.stdout(`${usage}\n`);
  return 0;
}
