// Red-team probes of `gatehouse generate --url`: the schema it turns into TypeScript comes from a server, which may
// be hostile (or impersonated). Whatever the server answers, the generated file must hold nothing but the schema's
// types and its hash: a name that would put code into the file is refused (exit 2, nothing written), and so is
// anything that is not a compiled schema. The probes serve crafted `schemas/read` answers from a local server.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { main } from '@gatehouse/pdp-server';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-hostile-generate-'));

/** What the hostile server answers next, and the headers of the requests it received. */
let answer: { status: number; body: string; location?: string } = { status: 200, body: '{}' };
const seen: IncomingHttpHeaders[] = [];
let hostile: Server;
let base = '';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

beforeAll(async () => {
  hostile = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.location === undefined ? {} : { location: answer.location }) });
      res.end(answer.body);
    });
  });
  base = await listen(hostile);
});
afterAll(async () => {
  await new Promise((resolve) => hostile.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function generate(url: string, out: string, extra: string[] = []): Promise<{ code: number; out: string; err: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['generate', '--url', url, '--tenant', 'acme', '--out', out, ...extra], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
    handleSignals: false,
  });
  return { code, out: stdout, err: stderr };
}

/** A compiled (Permify JSON) schema with one entity `doc`, into which a probe puts its hostile part. */
function definition(doc: Record<string, unknown>, rules: Record<string, unknown> = {}): string {
  return JSON.stringify({
    schema: {
      entity_definitions: {
        user: { name: 'user', relations: {}, permissions: {}, attributes: {} },
        doc: { name: 'doc', relations: {}, permissions: {}, attributes: {}, ...doc },
      },
      rule_definitions: rules,
    },
  });
}

/** The top-level statements of a TypeScript text, as `kind name` strings. */
function topLevel(text: string): string[] {
  const file = ts.createSourceFile('generated.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  return file.statements.map((s) => {
    if (ts.isVariableStatement(s)) return `const ${s.declarationList.declarations.map((d) => d.name.getText(file)).join(',')}`;
    if (ts.isTypeAliasDeclaration(s)) return `type ${s.name.text}`;
    return ts.SyntaxKind[s.kind];
  });
}

const INJECTIONS: [string, string][] = [
  ['an entity name that closes the type and exports code', definition({ name: "doc: {}; }; export const pwned = process.exit(1); type X = { a" })],
  ['a relation name with a quote', definition({ relations: { r: { name: "r' | 'x", relation_references: [{ type: 'user' }] } } })],
  ['a relation key with a newline (no name given)', definition({ relations: { 'r\nexport const pwned = 1;': { relation_references: [{ type: 'user' }] } } })],
  ['a subject type that leaves the string literal', definition({ relations: { owner: { name: 'owner', relation_references: [{ type: "user' ; export const pwned = 1; //" }] } } })],
  ['a subject relation with a comment opener', definition({ relations: { owner: { name: 'owner', relation_references: [{ type: 'user', relation: 'member/*' }] } } })],
  ['a permission name with a template literal', definition({ permissions: { '${process.exit(1)}': {} } })],
  ['an attribute name with a line separator (U+2028)', definition({ attributes: { a: { name: 'a\u2028export const pwned = 1;', type: 'ATTRIBUTE_TYPE_STRING' } } })],
  ['an attribute type that is an Object.prototype key (constructor)', definition({ attributes: { a: { name: 'a', type: 'constructor' } } })],
  ['an attribute type that is an Object.prototype key (__proto__)', definition({ attributes: { a: { name: 'a', type: '__proto__' } } })],
  ['a rule argument type that is an Object.prototype key (toString)', definition({}, { r: { name: 'r', arguments: { x: 'toString' } } })],
  ['a rule argument name with a brace', definition({}, { r: { name: 'r', arguments: { 'x}; export const pwned = 1; {': 'ATTRIBUTE_TYPE_STRING' } } })],
  ['a name that is a number', definition({ name: 42 })],
  ['a name over 64 characters', definition({ name: 'a'.repeat(65) })],
];

describe('gatehouse generate --url against a hostile server', () => {
  it.each(INJECTIONS.map(([what, body], i) => [what, body, i] as const))('refuses %s: exit 2, nothing written', async (_what, body, i) => {
    answer = { status: 200, body };
    const out = join(dir, `injected-${String(i)}.ts`);
    const r = await generate(base, out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(r.out).toBe('');
  });

  it('refuses an answer that is not JSON with exit 2 and a message, not a crash', async () => {
    answer = { status: 200, body: '<html>not a schema</html>' };
    const out = join(dir, 'not-json.ts');
    const r = await generate(base, out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(r.err).toMatch(/gatehouse generate|schema/i);
  });

  it('refuses an answer larger than 16 MB instead of reading it all into memory', async () => {
    answer = { status: 200, body: `{"schema": {"entity_definitions": {}}, "pad": "${'x'.repeat(17 * 1024 * 1024)}"}` };
    const out = join(dir, 'huge.ts');
    const r = await generate(base, out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/larger than/);
    expect(existsSync(out)).toBe(false);
  });

  it('prints no terminal escape sequence from an error answer', async () => {
    answer = { status: 500, body: '\u001b]0;pwned\u0007\u001b[2Jboom' };
    const r = await generate(base, join(dir, 'err.ts'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('boom');
    // eslint-disable-next-line no-control-regex
    expect(r.err).not.toMatch(/[\u001b\u0007]/);
  });

  it('writes only the hash and the Schema type for a legitimate answer, even when the URL carries line separators', async () => {
    answer = { status: 200, body: definition({ relations: { owner: { name: 'owner', relation_references: [{ type: 'user' }] } }, permissions: { view: {} } }) };
    const out = join(dir, 'fine.ts');
    // The URL is printed into the file's header comment: U+2028/U+2029 end a JavaScript comment as \n does.
    const r = await generate(`${base}/x\u2028export const pwned = 1;\u2029/`, out, ['--api-key', 'k']);
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(topLevel(text)).toEqual(['const schemaHash', 'type Schema']);
    expect(text).not.toMatch(/[\u2028\u2029]/);
  });

  it('does not send the API key on to another origin the server redirects to', async () => {
    const other = createServer((req, res) => {
      seen.push({ ...req.headers, 'x-origin': 'other' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(definition({}));
    });
    const otherUrl = await listen(other);
    try {
      seen.length = 0;
      answer = { status: 307, body: '', location: `${otherUrl.replace('127.0.0.1', 'localhost')}/v1/tenants/acme/schemas/read` };
      await generate(base, join(dir, 'redirected.ts'), ['--api-key', 'secret-key-0123456789']);
      const atOther = seen.filter((h) => h['x-origin'] === 'other');
      expect(atOther.length).toBeGreaterThan(0);
      for (const h of atOther) expect(h.authorization).toBeUndefined();
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
