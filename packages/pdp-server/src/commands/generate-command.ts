import { readFile, writeFile } from 'node:fs/promises';
import { assertTenant, InvalidRequestError } from '@gatehouse/core';
import { compileRbac, compileSchema, schemaTypeModel, toPermifyDefinition } from '@gatehouse/engine';
import type { PermifyJson } from '@gatehouse/engine';
import { renderSchemaTypes } from '../generate/schema-types-file.js';
import type { CliIo } from '../main.js';

/** Usage of `gatehouse generate`. */
export const GENERATE_USAGE = `Usage: gatehouse generate (--schema FILE | --rbac FILE | --url URL --tenant T [--api-key KEY]) [--out FILE] [--check]

Writes TypeScript types of a schema (entity types, relations, permissions, attribute types, rules) and its content
hash, for new Gatehouse<Schema>(…), typedDecorators<Schema>() and typedAuthorize<Schema>().

Options:
  --schema FILE   a schema-language file
  --rbac FILE     an RBAC YAML file
  --url URL       a running PDP server: reads the tenant's schema (POST /v1/tenants/T/schemas/read)
  --tenant T      the tenant to read with --url (default t1)
  --api-key KEY   the server's API key (or GATEHOUSE_API_KEY)
  --out FILE      where to write the file (default: print it)
  --check         write nothing; exit 1 when --out is missing or differs from what would be generated
  -h, --help      this text

Exit status: 0, 1 when --check finds the file stale, 2 on bad input.`;

/** Options of `gatehouse generate`, as parsed from the command line. */
export interface GenerateFlags {
  readonly schema?: string | undefined;
  readonly rbac?: string | undefined;
  readonly url?: string | undefined;
  readonly tenant?: string | undefined;
  readonly 'api-key'?: string | undefined;
  readonly out?: string | undefined;
  readonly check?: boolean | undefined;
}

/** The largest `schemas/read` answer `generate --url` reads (a hostile server could stream without end). */
const MAX_SCHEMA_ANSWER = 16 * 1024 * 1024;

/** Reads a response body as text, refusing it once it passes `max` bytes. */
async function cappedText(res: Response, max: number, origin: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body === null) return '';
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new InvalidRequestError(`reading the schema from ${origin}: the answer is larger than ${String(max)} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readRemote(url: string, tenant: string, apiKey: string | undefined): Promise<PermifyJson> {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw InvalidRequestError.badValue('--url', url, 'an http(s) URL such as http://127.0.0.1:3476');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw InvalidRequestError.badValue('--url', url, 'an http(s) URL');
  const target = new URL(`v1/tenants/${encodeURIComponent(tenant)}/schemas/read`, base.href.endsWith('/') ? base : `${base.href}/`);
  const res = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }) },
    body: '{}',
    signal: AbortSignal.timeout(10_000),
  });
  const text = await cappedText(res, MAX_SCHEMA_ANSWER, target.origin);
  // The server's words reach a terminal: no control characters (escape sequences), at most 200 of them.
  // eslint-disable-next-line no-control-regex
  const shown = text.slice(0, 200).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  if (!res.ok) throw new InvalidRequestError(`reading the schema of tenant ${tenant} from ${target.origin}: HTTP ${res.status} ${shown}`);
  let body: { schema?: PermifyJson } | null;
  try {
    body = JSON.parse(text) as { schema?: PermifyJson } | null;
  } catch {
    throw new InvalidRequestError(`reading the schema from ${target.origin}: the answer is not JSON`);
  }
  if (typeof body !== 'object' || body?.schema === undefined) throw new InvalidRequestError(`reading the schema from ${target.origin}: the answer has no "schema"`);
  return body.schema;
}

async function definitionOf(flags: GenerateFlags, env: CliIo['env']): Promise<{ definition: PermifyJson; source: string }> {
  const sources = [flags.schema, flags.rbac, flags.url].filter((s) => s !== undefined);
  if (sources.length !== 1) throw new InvalidRequestError('generate needs exactly one of --schema, --rbac or --url');
  if (flags.schema !== undefined) {
    return { definition: toPermifyDefinition(compileSchema(await readFile(flags.schema, 'utf8'))), source: flags.schema };
  }
  if (flags.rbac !== undefined) {
    return { definition: toPermifyDefinition(compileSchema(compileRbac(await readFile(flags.rbac, 'utf8')))), source: flags.rbac };
  }
  const tenant = flags.tenant ?? 't1';
  assertTenant(tenant);
  const url = flags.url ?? '';
  const definition = await readRemote(url, tenant, flags['api-key'] ?? env.GATEHOUSE_API_KEY);
  return { definition, source: `${url} (tenant ${tenant})` };
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Runs `gatehouse generate`; returns the exit status. */
export async function generateCommand(flags: GenerateFlags, io: CliIo): Promise<number> {
  if (flags.check === true && flags.out === undefined) throw new InvalidRequestError('--check needs --out FILE, the file to compare');
  const { definition, source } = await definitionOf(flags, io.env);
  const text = renderSchemaTypes(schemaTypeModel(definition), source);
  if (flags.out === undefined) {
    io.stdout(text);
    return 0;
  }
  if (flags.check === true) {
    const current = await readIfExists(flags.out);
    if (current === text) return 0;
    io.stderr(`gatehouse generate: ${flags.out} is ${current === undefined ? 'missing' : 'stale'}: run the same command without --check\n`);
    return 1;
  }
  await writeFile(flags.out, text);
  io.stderr(`gatehouse generate: wrote ${flags.out}\n`);
  return 0;
}
