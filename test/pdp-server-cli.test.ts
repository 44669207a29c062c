import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { main } from '@gatehouse/pdp-server';
import type { GatehouseServer } from '@gatehouse/pdp-server';
import { FIXTURES } from './fixtures/server/helpers.js';

const run = promisify(execFile);
const f = (name: string): string => join(FIXTURES, name);
const ROOT = join(FIXTURES, '..', '..', '..');
const BIN = join(ROOT, 'packages', 'pdp-server', 'bin', 'gatehouse.js');

async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env, handleSignals: false });
  return { code, out, err };
}

describe('gatehouse CLI', () => {
  it('prints help for the CLI and every command', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/validate FILE/);
    for (const cmd of ['validate', 'compile', 'check', 'serve']) {
      const r = await cli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: gatehouse ${cmd}`);
    }
    expect((await cli([])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['validate', '--nope', 'x'])).code).toBe(2);
  });

  describe('validate', () => {
    it('exits 0 when every assertion holds', async () => {
      const r = await cli(['validate', f('validate-pass.yaml')]);
      expect(r.code).toBe(0);
      expect(r.out).toContain('PASS');
      expect(r.out).toContain('5 assertions');
    });

    it('exits 1 and names scenario, query, expected and actual for a failed assertion', async () => {
      const r = await cli(['validate', f('validate-pass.yaml'), f('validate-fail.yaml')]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/scenario "wrong expectation" check: user:bob edit document:1: expected true, actual false/);
    });

    it('exits 2 with file:line:col for an invalid file, or an unreadable one, whatever else failed', async () => {
      const r = await cli(['validate', f('validate-fail.yaml'), f('validate-invalid.yaml')]);
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/validate-invalid\.yaml:\d+:\d+: schema:/);
      const missing = await cli(['validate', f('no-such-file.yaml')]);
      expect(missing.code).toBe(2);
      expect(missing.out).toMatch(/no-such-file\.yaml:1:1:/);
    });

    it('--json prints one compact object per file and nothing else', async () => {
      const r = await cli(['validate', '--json', f('validate-pass.yaml'), f('validate-fail.yaml')]);
      expect(r.code).toBe(1);
      const lines = r.out.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      const [a, b] = lines.map((l) => JSON.parse(l));
      expect(Object.keys(a)).toEqual(['file', 'passed', 'failed', 'errors', 'failures']);
      expect(a).toEqual({ file: f('validate-pass.yaml'), passed: 5, failed: 0, errors: [], failures: [] });
      expect(b.failures).toEqual([{ scenario: 'wrong expectation', kind: 'check', query: 'user:bob edit document:1', expected: true, actual: false }]);
      expect(lines.every((l) => !l.includes('\n') && !/^\s/.test(l))).toBe(true);
    });

    it('passes every conformance file shipped with the project', async () => {
      const dir = join(ROOT, '..', 'shared', 'conformance', 'permify');
      if (!existsSync(dir)) return;
      const { readdirSync } = await import('node:fs');
      const files = readdirSync(dir).filter((n) => n.endsWith('.yaml')).map((n) => join(dir, n));
      const r = await cli(['validate', '--json', ...files]);
      expect(r.out.trimEnd().split('\n').map((l) => JSON.parse(l).failed)).toEqual(files.map(() => 0));
      expect(r.code).toBe(0);
    });
  });

  it('compile prints the schema of an RBAC file, and exits 2 on a bad one', async () => {
    const r = await cli(['compile', f('roles.rbac.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/entity tenant \{/);
    expect(r.out).toMatch(/permission delete = tenant\.admin/);
    const bad = await cli(['compile', f('validate-pass.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/\d+:\d+/);
  });

  it('check prints allowed (exit 0) or denied (exit 1), and exits 2 on bad input', async () => {
    const base = ['check', '--schema', f('docs.perm'), '--data', f('docs-data.yaml')];
    expect(await cli([...base, 'document:d1#edit@user:alice'])).toEqual({ code: 0, out: 'allowed\n', err: '' });
    expect(await cli([...base, 'document:d2#view@user:bob'])).toEqual({ code: 1, out: 'denied\n', err: '' });
    expect((await cli([...base, '--tenant', 'acme', 'document#edit@user:root'])).out).toBe('allowed\n');
    expect((await cli([...base, '--context', '{"data":{"level":5}}', 'document:d1#read_secret@user:carol'])).out).toBe('allowed\n');
    expect((await cli(['check', '--rbac', f('roles.rbac.yaml'), 'document#read@user:x'])).out).toBe('denied\n');
    expect((await cli([...base, 'not a query'])).code).toBe(2);
    expect((await cli([...base, 'document:d1#fly@user:alice'])).code).toBe(2);
    expect((await cli(['check', 'document:d1#edit@user:alice'])).code).toBe(2);
    expect((await cli(['check', '--schema', f('missing.perm'), 'document:d1#edit@user:alice'])).code).toBe(2);
  });

  it('serve takes flags and environment variables, refuses to run without a key, and stops on close', async () => {
    const refused = await cli(['serve', '--port', '0', '--log-level', 'silent']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--dev/);
    expect((await cli(['serve', '--port', 'abc', '--dev'])).code).toBe(2);

    let server: GatehouseServer | undefined;
    let url = '';
    let err = '';
    const done = main(['serve', '--schema', f('docs.perm'), '--data', f('docs-data.yaml'), '--host', '127.0.0.1'], {
      stdout: () => undefined,
      stderr: (t) => (err += t),
      env: { GATEHOUSE_PORT: '0', GATEHOUSE_API_KEYS: 'k1,k2:acme', GATEHOUSE_LOG_LEVEL: 'silent', GATEHOUSE_RATE_LIMIT: '1000' },
      handleSignals: false,
      onListening: (s, u) => {
        server = s;
        url = u;
      },
    });
    for (let i = 0; i < 200 && server === undefined; i++) await new Promise((r) => setTimeout(r, 25));
    expect(err).toContain(url);
    const body = JSON.stringify({ entity: { type: 'document', id: 'd1' }, permission: 'edit', subject: { type: 'user', id: 'alice' } });
    const ok = await fetch(`${url}/v1/tenants/t1/permissions/check`, { method: 'POST', body, headers: { authorization: 'Bearer k1', 'content-type': 'application/json' } });
    expect((await ok.json()).can).toBe('CHECK_RESULT_ALLOWED');
    const scoped = await fetch(`${url}/v1/tenants/t1/permissions/check`, { method: 'POST', body, headers: { authorization: 'Bearer k2', 'content-type': 'application/json' } });
    expect(scoped.status).toBe(403);
    expect(ok.headers.get('x-ratelimit-limit')).toBe('1000');
    await server!.close();
    expect(await done).toBe(0);
  });
});

describe('gatehouse executable', () => {
  it('runs from bin/gatehouse.js (building first when dist is missing) and stops gracefully on SIGTERM', async () => {
    if (!existsSync(join(ROOT, 'packages', 'pdp-server', 'dist', 'cli.js'))) {
      await run('npx', ['tsc', '-b', 'packages/pdp-server'], { cwd: ROOT });
    }
    const v = await run('node', [BIN, 'validate', '--json', f('validate-pass.yaml')], { cwd: ROOT });
    expect(JSON.parse(v.stdout).passed).toBe(5);
    const failing = await run('node', [BIN, 'validate', f('validate-fail.yaml')], { cwd: ROOT }).catch((e: unknown) => e);
    expect((failing as { code: number }).code).toBe(1);

    // `gatehouse validate --json … | head -1`: the reader goes away; no EPIPE stack trace, the exit status stays.
    const piped = spawn('node', [BIN, 'validate', '--json', f('validate-fail.yaml'), f('validate-pass.yaml'), f('validate-fail.yaml')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    piped.stdout.destroy();
    let pipedErr = '';
    piped.stderr.on('data', (b: Buffer) => (pipedErr += b.toString()));
    const pipedCode = await new Promise<number | null>((resolve) => piped.on('close', resolve));
    expect(pipedErr).toBe('');
    expect(pipedCode).toBe(1);

    const child = spawn('node', [BIN, 'serve', '--dev', '--port', '0', '--log-level', 'silent', '--schema', f('docs.perm')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr.on('data', (b: Buffer) => {
        text += b.toString();
        const m = /listening on (http:\/\/\S+)/.exec(text);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${String(code)}: ${text}`)));
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
  }, 120_000);
});
