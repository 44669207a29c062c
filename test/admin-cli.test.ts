// `gatehouse audit tail`: a tenant's audit trail as NDJSON, read with the API key or as a user holding view_audit.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { main } from '@gatehouse/pdp-server';
import { auditCommand } from '../packages/pdp-server/src/commands/audit-command.js';
import { GLOBEX_KEY, KEY, startAdminServer } from './fixtures/admin/harness.js';
import type { AdminHarness } from './fixtures/admin/harness.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t: string) => {
      out += t;
    },
    stderr: (t: string) => {
      err += t;
    },
    env: {},
    handleSignals: false,
  });
  return { code, out, err };
}

describe('gatehouse audit tail', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminServer();
    await h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'erin', role: 'viewer' });
    await h.post('acme', 'members/roles/assign', { actor: 'carol', user_id: 'fred', role: 'viewer' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('prints every entry once, oldest first, one JSON object per line', async () => {
    const r = await run(['audit', 'tail', '--url', h.url, '--tenant', 'acme', '--api-key', KEY]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; action: string; actor: string; target: string; snap_token: string });
    expect(lines.map((e) => [e.action, e.actor, e.target])).toEqual([
      ['data.write', 'key#0', 'tenant:acme'],
      ['member.role.assign', 'alice', 'user:erin'],
      ['member.role.assign', 'carol', 'user:fred'],
    ]);
    expect(Object.keys(lines[0] ?? {}).sort()).toEqual(['action', 'actor', 'at', 'details', 'id', 'snap_token', 'target']);
  });

  it('filters, and reads as a user only when the policy lets that user', async () => {
    const byCarol = await run(['audit', 'tail', '--url', h.url, '--tenant', 'acme', '--api-key', KEY, '--actor', 'alice', '--filter-actor', 'carol']);
    expect(byCarol.out.trimEnd().split('\n').map((l) => (JSON.parse(l) as { target: string }).target)).toEqual(['user:fred']);
    const refused = await run(['audit', 'tail', '--url', h.url, '--tenant', 'acme', '--api-key', KEY, '--actor', 'carol']);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    expect(refused.err).toContain('view_audit');
  });

  it('keeps the key’s tenant scope and refuses bad options', async () => {
    const scoped = await run(['audit', 'tail', '--url', h.url, '--tenant', 'acme', '--api-key', GLOBEX_KEY]);
    expect(scoped.code).toBe(2);
    expect(scoped.err).toContain('403');
    expect((await run(['audit', 'tail', '--url', h.url, '--tenant', '../x', '--api-key', KEY])).code).toBe(2);
    expect((await run(['audit', 'tail', '--tenant', 'acme'])).code).toBe(2);
    expect((await run(['audit', 'head', '--url', h.url, '--tenant', 'acme'])).code).toBe(2);
    const help = await run(['audit', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('NDJSON');
  });

  it('--follow prints new entries as they are recorded, until stopped', async () => {
    const stop = new AbortController();
    const lines: { action: string; target: string }[] = [];
    let grown = false;
    const code = await auditCommand(['tail', '--url', h.url, '--tenant', 'acme', '--api-key', KEY, '--follow', '--interval-ms', '100', '--action', 'member.role.assign'], {
      stdout: (t: string) => {
        for (const l of t.trimEnd().split('\n')) lines.push(JSON.parse(l) as { action: string; target: string });
        if (!grown && lines.length === 2) {
          grown = true;
          void h.post('acme', 'members/roles/assign', { actor: 'alice', user_id: 'gus', role: 'viewer' });
        }
        if (lines.length === 3) stop.abort();
      },
      stderr: () => undefined,
      env: {},
      handleSignals: false,
    }, stop.signal);
    expect(code).toBe(0);
    expect(lines.map((e) => e.target)).toEqual(['user:erin', 'user:fred', 'user:gus']);
  });
});
