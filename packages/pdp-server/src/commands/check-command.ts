import { readFile } from 'node:fs/promises';
import { InvalidRequestError, parseSubject } from '@gatehouse/core';
import type { CheckContext, Resource } from '@gatehouse/core';
import { Engine } from '@gatehouse/engine';
import { explanationText } from '../explanation-text.js';
import { shapeExplanation } from '../explanation.js';
import type { CliIo } from '../main.js';
import { applySeedData, parseSeedData } from '../seed.js';

/** Usage of `gatehouse check`. */
export const CHECK_USAGE = `Usage: gatehouse check (--schema FILE | --rbac FILE) [--data FILE] [--tenant T] [--context JSON] QUERY

Answers one check against a schema and data files, in an in-memory engine.
QUERY is ENTITY#PERMISSION@SUBJECT: "document:1#edit@user:alice", "document#read@user:bob" (type level),
"team:eng#member@team:core#member" (a userset subject).

Options:
  --schema FILE   schema-language file of the default tenant
  --rbac FILE     RBAC YAML instead of --schema
  --data FILE     YAML/JSON with relationships, attributes (and tenants:) in validation-file string forms
  --tenant T      the tenant to check in (default t1)
  --context JSON  {"tuples":[…],"attributes":[…],"data":{…}} for this check only
  --explain       also print the tree of why: each node of the permission's expression allowed (✓), denied (✗),
                  not evaluated (·) or cut (⊘, a cycle), with the tuples that decided it; in colour when
                  stdout is a terminal and NO_COLOR is not set
  -h, --help      this text

Prints "allowed" (exit 0) or "denied" (exit 1); exit 2 on bad input.`;

/** Parses `document:1#edit@user:alice` into resource, permission and subject. */
export function parseQuery(query: string): { resource: Resource; permission: string; subject: ReturnType<typeof parseSubject> } {
  const at = query.indexOf('@');
  const hash = query.indexOf('#');
  if (at === -1 || hash === -1 || hash > at) {
    throw InvalidRequestError.badValue('query', query, '"type:id#permission@subject", e.g. "document:1#edit@user:alice"');
  }
  const entity = query.slice(0, hash);
  const permission = query.slice(hash + 1, at);
  if (!/^[a-zA-Z_]{1,64}$/.test(permission)) throw InvalidRequestError.badValue('query permission', permission, 'a permission name');
  const colon = entity.indexOf(':');
  const type = colon === -1 ? entity : entity.slice(0, colon);
  const id = colon === -1 ? undefined : entity.slice(colon + 1);
  if (!/^[a-zA-Z_]{1,64}$/.test(type) || id === '') throw InvalidRequestError.badValue('query entity', entity, '"type:id" or "type"');
  const subject = parseSubject(query.slice(at + 1));
  return { resource: id === undefined ? { type } : { type, id }, permission, subject };
}

/** Colour when stdout is a terminal, unless NO_COLOR is set (https://no-color.org) or TERM is dumb. */
function useColour(io: CliIo): boolean {
  const noColor = io.env.NO_COLOR;
  return io.stdoutIsTTY === true && (noColor === undefined || noColor === '') && io.env.TERM !== 'dumb';
}

/** Runs `gatehouse check`; returns the exit status. */
export async function checkCommand(
  opts: { schema?: string; rbac?: string; data?: string; tenant?: string; context?: string; explain?: boolean; query: string },
  io: CliIo,
): Promise<number> {
  const { resource, permission, subject } = parseQuery(opts.query);
  let context: CheckContext | undefined;
  if (opts.context !== undefined) {
    try {
      context = JSON.parse(opts.context) as CheckContext;
    } catch (err) {
      throw new InvalidRequestError(`invalid --context: ${(err as Error).message}`);
    }
  }
  const schema = opts.schema === undefined ? undefined : await readFile(opts.schema, 'utf8');
  const rbac = opts.rbac === undefined ? undefined : await readFile(opts.rbac, 'utf8');
  if (schema === undefined && rbac === undefined) throw new InvalidRequestError('give --schema FILE or --rbac FILE');
  const engine = await Engine.create({ ...(schema === undefined ? {} : { schema }), ...(rbac === undefined ? {} : { rbac }) });
  try {
    if (opts.data !== undefined) await applySeedData(engine, parseSeedData(await readFile(opts.data, 'utf8')));
    const tenant = opts.tenant ?? engine.defaultTenant;
    const request = { tenant, subject, action: permission, resource, ...(context === undefined ? {} : { context }) };
    if (opts.explain === true) {
      const { allowed, tree, depthExceeded, schema: compiled } = await engine.explain(request);
      const shaped = shapeExplanation(tree, compiled);
      io.stdout(allowed ? 'allowed\n' : depthExceeded ? 'denied (the depth limit was reached: the check fails closed)\n' : 'denied\n');
      io.stdout(explanationText(shaped, { colour: useColour(io) }));
      return allowed ? 0 : 1;
    }
    const d = await engine.check(request);
    io.stdout(d.allowed ? 'allowed\n' : 'denied\n');
    return d.allowed ? 0 : 1;
  } finally {
    await engine.close();
  }
}
