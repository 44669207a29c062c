/**
 * The PDP server's side of the console: `--ui` serving (CSP, caching, no way out of the build), the compile-only
 * and version routes, the explain route's tree, the validate route, and `gatehouse check --explain`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ExplanationNode } from '@gatehouse/core';
import { createServer, main } from '@gatehouse/pdp-server';
import type { GatehouseServer } from '@gatehouse/pdp-server';
import { consoleRoot, loadConsoleFiles } from '../packages/pdp-server/src/routes/console-routes.js';
import { ensureConsoleBuild } from './fixtures/console/build.js';

const KEY = 'console-test-key';
const SCOPED = 'scoped-key';
const SCHEMA = `entity user {}
entity team {
  relation member @user @team#member
}
entity folder {
  relation admin @user
}
entity document {
  relation owner @user
  relation viewer @user @team#member
  relation parent @folder
  relation banned @user
  permission view = (owner or viewer or parent.admin) not banned
  permission edit = owner
}
`;

interface Srv {
  readonly server: GatehouseServer;
  readonly url: string;
  readonly port: number;
}

async function serve(options: Parameters<typeof createServer>[0]): Promise<Srv> {
  const server = await createServer({ schema: SCHEMA, logLevel: 'silent', ...options });
  const { url, port } = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, url, port };
}

/** GET (no body) or POST JSON with the key; the parsed body. */
async function call(s: Srv, path: string, body?: unknown, key: string | null = KEY): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(s.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A raw GET whose path goes out exactly as written (no client-side normalisation of `..` or `%2e`). */
async function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function labels(node: ExplanationNode): string[] {
  return [`${node.label}:${node.state}`, ...node.children.flatMap(labels)];
}

function find(node: ExplanationNode, pred: (n: ExplanationNode) => boolean): ExplanationNode | undefined {
  if (pred(node)) return node;
  for (const c of node.children) {
    const hit = find(c, pred);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

describe('PDP server --ui: the console is served with a strict CSP, cacheable assets and nothing else', () => {
  let s: Srv;
  beforeAll(async () => {
    ensureConsoleBuild();
    s = await serve({ apiKeys: [KEY], ui: true });
  }, 120_000);
  afterAll(async () => {
    await s.server.close();
  });

  it('redirects /ui to /ui/ and serves index.html there without a key, not cached, under a CSP that forbids inline code', async () => {
    const redirect = await call(s, '/ui', undefined, null);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/ui/');
    const page = await call(s, '/ui/', undefined, null);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = String(page.headers.get('content-security-policy'));
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    // Every script of the page is a file of this origin: no inline script for the CSP to block.
    const scripts = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, inline] of scripts) {
      expect(attrs).toMatch(/src="\/ui\/assets\/[\w.-]+\.js"/);
      expect(inline?.trim()).toBe('');
    }
    expect(page.body).not.toMatch(/<style|\sstyle=|\son\w+=/i);
  });

  it('serves hashed assets as immutable for a year, gzipped when the client accepts it', async () => {
    const page = await call(s, '/ui/', undefined, null);
    const script = /src="(\/ui\/assets\/[\w.-]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const plain = await rawGet(s.port, script ?? '');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-security-policy']).toBeDefined();
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await rawGet(s.port, script ?? '', { 'accept-encoding': 'gzip, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(gz.body.length).toBeLessThan(plain.body.length);
  });

  it.each([
    '/ui/../package.json',
    '/ui/%2e%2e/package.json',
    '/ui/%2e%2e%2f%2e%2e%2fpackage.json',
    '/ui/assets/..%2f..%2findex.js',
    '/ui/assets/%2e%2e/%2e%2e/index.js',
    '/ui//etc/passwd',
    '/ui/..%5c..%5cpackage.json',
    '/ui/index.js',
    '/ui/assets/',
    '/ui/assets/x.js%00.html',
    '/ui/%252e%252e/package.json',
  ])('answers %s with 404 (or 400) and never a file outside the build', async (path) => {
    const r = await rawGet(s.port, path);
    expect([400, 404]).toContain(r.status);
    expect(r.body.toString('utf8')).not.toMatch(/"name"|consoleRoot|root:x:0/);
  });

  it('is off by default: without ui the server has no /ui route', async () => {
    const plain = await serve({ apiKeys: [KEY] });
    try {
      expect((await call(plain, '/ui/', undefined, null)).status).toBe(404);
    } finally {
      await plain.server.close();
    }
  });

  it.each([
    [['--ui'], {}],
    [[], { GATEHOUSE_UI: '1' }],
  ])('gatehouse serve %j %j serves the console and says where', async (flags, env) => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-serve-ui-'));
    writeFileSync(join(dir, 'schema.perm'), SCHEMA);
    let err = '';
    let page = 0;
    try {
      const code = await main(['serve', ...flags, '--api-key', KEY, '--port', '0', '--log-level', 'silent', '--schema', join(dir, 'schema.perm')], {
        stdout: () => undefined,
        stderr: (t) => (err += t),
        env,
        handleSignals: false,
        onListening: (srv, url) => {
          void fetch(`${url}/ui/`)
            .then((r) => {
              page = r.status;
            })
            .finally(() => void srv.close());
        },
      });
      expect(code).toBe(0);
      expect(page).toBe(200);
      expect(err).toMatch(/gatehouse console at http:\/\/127\.0\.0\.1:\d+\/ui\//);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains clearly when the console package is missing or has no build', async () => {
    await expect(consoleRoot('@gatehouse/no-such-console')).rejects.toThrow(/--ui needs the console.*npm install/);
    const empty = mkdtempSync(join(tmpdir(), 'gh-console-'));
    try {
      await expect(loadConsoleFiles(join(empty, 'missing'))).rejects.toThrow(/no build .*npm run build/);
      writeFileSync(join(empty, 'other.txt'), 'x');
      await expect(loadConsoleFiles(empty)).rejects.toThrow(/no index\.html/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('PDP server routes for the console', () => {
  let server: Srv;
  beforeAll(async () => {
    server = await serve({ apiKeys: [KEY, `${SCOPED}:other`] });
    await server.server.engine.createTenant('other');
    await server.server.engine.write({
      tenant: 't1',
      tuples: [
        'document:1#owner@user:alice',
        'document:1#parent@folder:f',
        'folder:f#admin@user:fred',
        'document:2#viewer@team:a#member',
        'team:a#member@team:b#member',
        'team:b#member@team:a#member',
      ],
    });
  });
  afterAll(async () => {
    await server.server.close();
  });

  it('compile reports a typo at its line and column and stores nothing', async () => {
    const before = await call(server, '/v1/tenants/t1/schemas/list', {});
    const typo = SCHEMA.replace('relation parent @folder', 'relaton parent @folder');
    const r = await call(server, '/v1/tenants/t1/schemas/compile', { schema: typo });
    expect(r.status).toBe(200);
    expect(r.body.diagnostics).toHaveLength(1);
    const line = typo.split('\n').findIndex((l) => l.includes('relaton')) + 1;
    expect(r.body.diagnostics[0]).toMatchObject({ line, column: 3, code: 'GH_ERR_SCHEMA_PARSE' });
    expect(r.body.diagnostics[0].message).toMatch(/expected/);
    const unknown = await call(server, '/v1/tenants/t1/schemas/compile', { schema: SCHEMA.replace('parent.admin', 'parent.owner') });
    const viewLine = SCHEMA.split('\n').findIndex((l) => l.includes('permission view')) + 1;
    expect(unknown.body.diagnostics[0]).toMatchObject({ code: 'GH_ERR_SCHEMA_COMPILE', line: viewLine });
    expect((await call(server, '/v1/tenants/t1/schemas/compile', { schema: SCHEMA })).body.diagnostics).toEqual([]);
    expect((await call(server, '/v1/tenants/t1/schemas/list', {})).body).toEqual(before.body);
  });

  it('compile, source and explain refuse a key scoped to another tenant, and bad bodies', async () => {
    expect((await call(server, '/v1/tenants/t1/schemas/compile', { schema: SCHEMA }, SCOPED)).status).toBe(403);
    expect((await call(server, '/v1/tenants/t1/schemas/source', {}, SCOPED)).status).toBe(403);
    const explain = { entity: { type: 'document', id: '1' }, permission: 'view', subject: { type: 'user', id: 'alice' } };
    expect((await call(server, '/v1/tenants/t1/permissions/explain', explain, SCOPED)).status).toBe(403);
    expect((await call(server, '/v1/tenants/t1/schemas/compile', { schema: 42 })).status).toBe(400);
    expect((await call(server, '/v1/tenants/t1/schemas/compile', { schema: 'x'.repeat(300 * 1024) })).status).toBe(400);
  });

  it('source returns the text of the head or of a named version', async () => {
    const first = await call(server, '/v1/tenants/t1/schemas/source', {});
    expect(first.body.schema).toBe(SCHEMA);
    const changed = SCHEMA.replace('permission edit = owner', 'permission edit = owner or parent.admin');
    const written = await call(server, '/v1/tenants/t1/schemas/write', { schema: changed });
    const head = await call(server, '/v1/tenants/t1/schemas/source', {});
    expect(head.body).toEqual({ schema_version: written.body.schema_version, schema: changed });
    const old = await call(server, '/v1/tenants/t1/schemas/source', { metadata: { schema_version: first.body.schema_version } });
    expect(old.body.schema).toBe(SCHEMA);
    expect((await call(server, '/v1/tenants/t1/schemas/source', { metadata: { schema_version: 'nope' } })).status).toBe(404);
  });

  it('explain returns the decision and the expression tree: the deciding tuple, skipped operands as not evaluated', async () => {
    const r = await call(server, '/v1/tenants/t1/permissions/explain', {
      entity: { type: 'document', id: '1' },
      permission: 'view',
      subject: { type: 'user', id: 'alice' },
    });
    expect(r.status).toBe(200);
    expect(r.body.can).toBe('CHECK_RESULT_ALLOWED');
    expect(r.body.metadata.snap_token).toMatch(/^\d+$/);
    const tree = r.body.tree as ExplanationNode;
    expect(tree).toMatchObject({ kind: 'permission', label: 'document:1#view', state: 'allowed' });
    const owner = find(tree, (n) => n.label === 'document:1#owner');
    expect(owner).toMatchObject({ state: 'allowed', tuples: ['document:1#owner@user:alice'] });
    // `(owner or viewer or parent.admin)`: owner decided the union, so viewer and parent.admin were skipped.
    expect(labels(tree)).toEqual(expect.arrayContaining(['viewer:not_evaluated', 'parent.admin:not_evaluated', 'document:1#banned:denied']));
  });

  it('explain shows a hop through parent with its tuple, and a cycle as cut', async () => {
    const fred = await call(server, '/v1/tenants/t1/permissions/explain', {
      entity: { type: 'document', id: '1' },
      permission: 'view',
      subject: { type: 'user', id: 'fred' },
    });
    expect(fred.body.can).toBe('CHECK_RESULT_ALLOWED');
    const admin = find(fred.body.tree, (n) => n.label === 'folder:f#admin');
    expect(admin).toMatchObject({ state: 'allowed', tuples: ['document:1#parent@folder:f', 'folder:f#admin@user:fred'] });
    const zed = await call(server, '/v1/tenants/t1/permissions/explain', {
      entity: { type: 'document', id: '2' },
      permission: 'view',
      subject: { type: 'user', id: 'zed' },
    });
    expect(zed.body.can).toBe('CHECK_RESULT_DENIED');
    expect(find(zed.body.tree, (n) => n.state === 'cut')).toMatchObject({ kind: 'cycle', label: 'team:a#member' });
  });

  it('explain lists at most 100 children of a node and counts the rest', async () => {
    const tuples = Array.from({ length: 150 }, (_, i) => `document:9#viewer@team:t${String(i)}#member`);
    await server.server.engine.write({ tenant: 't1', tuples });
    const r = await call(server, '/v1/tenants/t1/permissions/explain', {
      entity: { type: 'document', id: '9' },
      permission: 'view',
      subject: { type: 'user', id: 'nobody' },
    });
    expect(r.body.can).toBe('CHECK_RESULT_DENIED');
    const viewer = find(r.body.tree, (n) => n.label === 'document:9#viewer');
    expect(viewer?.children).toHaveLength(100);
    expect(viewer?.omitted).toBe(50);
    for (const child of viewer?.children ?? []) {
      expect(child).toMatchObject({ state: 'denied', label: expect.stringMatching(/^team:t\d+#member$/) });
      expect(child.tuples).toEqual([`document:9#viewer@${child.label}`]);
    }
  });

  it('explain draws where the depth ran out as a cut, and denies as the failed check does', async () => {
    const body = { metadata: { depth: 3 }, entity: { type: 'document', id: '2' }, permission: 'view', subject: { type: 'user', id: 'zed' } };
    const check = await call(server, '/v1/tenants/t1/permissions/check', body);
    expect(check.status).toBe(400);
    expect(check.body.details[0].reason).toBe('GH_ERR_DEPTH_EXCEEDED');
    const r = await call(server, '/v1/tenants/t1/permissions/explain', body);
    expect(r.status).toBe(200);
    expect(r.body.can).toBe('CHECK_RESULT_DENIED');
    expect(r.body.depth_exceeded).toBe(true);
    const cuts: { kind: string; state: string; detail?: string }[] = [];
    const walk = (n: { kind: string; state: string; detail?: string; children: unknown[] }): void => {
      if (n.kind === 'depth') cuts.push(n);
      for (const c of n.children) walk(c as typeof n);
    };
    walk(r.body.tree);
    expect(cuts.length).toBeGreaterThan(0);
    expect(cuts.every((c) => c.state === 'cut' && (c.detail ?? '').includes('depth limit of 3'))).toBe(true);
  });

  it('explain takes contextual tuples for that request only', async () => {
    const body = {
      entity: { type: 'document', id: '3' },
      permission: 'view',
      subject: { type: 'user', id: 'bob' },
      context: { tuples: ['document:3#viewer@user:bob'] },
    };
    const r = await call(server, '/v1/tenants/t1/permissions/explain', body);
    expect(r.body.can).toBe('CHECK_RESULT_ALLOWED');
    expect(find(r.body.tree, (n) => n.label === 'document:3#viewer')?.tuples).toEqual(['document:3#viewer@user:bob']);
    const { context: _c, ...without } = body;
    expect((await call(server, '/v1/tenants/t1/permissions/explain', without)).body.can).toBe('CHECK_RESULT_DENIED');
  });

  it('validate runs a posted validation file in a throwaway engine and reports each failed assertion', async () => {
    const yaml = `schema: >-
  entity user {}
  entity document {
    relation owner @user
    permission edit = owner
  }
relationships:
  - document:1#owner@user:alice
scenarios:
  - name: owners edit
    checks:
      - entity: document:1
        subject: user:alice
        assertions:
          edit: true
      - entity: document:1
        subject: user:bob
        assertions:
          edit: true
`;
    const r = await call(server, '/v1/validate', { yaml });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ passed: 1, failed: 1, errors: [] });
    expect(r.body.failures[0]).toMatchObject({ scenario: 'owners edit', query: 'user:bob edit document:1', expected: true, actual: false });
    expect(r.body.outcomes).toEqual([
      { scenario: 'owners edit', kind: 'check', query: 'user:alice edit document:1', expected: true, actual: true, passed: true },
      { scenario: 'owners edit', kind: 'check', query: 'user:bob edit document:1', expected: true, actual: false, passed: false },
    ]);
    // The server's own data was not touched: alice owns document:1 in the throwaway engine only.
    const check = await call(server, '/v1/tenants/t1/data/relationships/read', { filter: { entity: { type: 'document', ids: ['1'] }, relation: 'owner' } });
    expect(check.body.tuples).toHaveLength(1);
    const invalid = await call(server, '/v1/validate', { yaml: 'schema: >-\n  entity user {\n' });
    expect(invalid.body.errors.length).toBeGreaterThan(0);
    expect(invalid.body.errors[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect((await call(server, '/v1/validate', { yaml: 'x'.repeat(600 * 1024) })).status).toBe(400);
    expect((await call(server, '/v1/validate', { yaml: 42 })).status).toBe(400);
    expect((await call(server, '/v1/validate', { yaml }, null)).status).toBe(401);
  });
});

describe('gatehouse check --explain', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gh-explain-'));
    writeFileSync(join(dir, 'schema.perm'), SCHEMA);
    writeFileSync(join(dir, 'data.yaml'), 'relationships:\n  - document:1#parent@folder:f\n  - folder:f#admin@user:fred\n');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(argv: string[], io: { tty?: boolean; env?: Record<string, string> } = {}): Promise<{ code: number; out: string }> {
    let out = '';
    const code = await main(argv, {
      stdout: (t) => (out += t),
      stderr: () => undefined,
      env: io.env ?? {},
      handleSignals: false,
      ...(io.tty === undefined ? {} : { stdoutIsTTY: io.tty }),
    });
    return { code, out };
  }

  it('prints the decision and the same tree as the console, plain when stdout is not a terminal', async () => {
    const args = ['check', '--schema', join(dir, 'schema.perm'), '--data', join(dir, 'data.yaml'), '--explain', 'document:1#view@user:fred'];
    const r = await cli(args);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('\u001b[');
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('allowed');
    expect(lines[1]).toBe('✓ document:1#view  allowed');
    expect(r.out).toContain('└─ ✓ not  allowed');
    expect(r.out).toMatch(/✓ folder:f#admin {2}allowed {2}\[document:1#parent@folder:f, folder:f#admin@user:fred\]/);
    expect(r.out).toMatch(/✗ document:1#owner {2}denied/);
    const denied = await cli([...args.slice(0, -1), 'document:1#edit@user:fred']);
    expect(denied.code).toBe(1);
    expect(denied.out).toMatch(/^denied\n✗ document:1#edit {2}denied/);
  });

  it('colours the tree on a terminal, unless NO_COLOR is set', async () => {
    const args = ['check', '--schema', join(dir, 'schema.perm'), '--explain', 'document:1#view@user:fred'];
    const tty = await cli(args, { tty: true });
    expect(tty.out).toContain('\u001b[31m✗ document:1#view  denied\u001b[0m');
    const noColor = await cli(args, { tty: true, env: { NO_COLOR: '1' } });
    expect(noColor.out).not.toContain('\u001b[');
    expect(noColor.out).toContain('✗ document:1#view  denied');
  });
});
