import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';

import { main } from '../src/main.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-validate-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function validate(...files: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['validate', ...files], { stdout: (t) => (out += t), stderr: (t) => (out += t), env: {}, handleSignals: false });
  return { code, out };
}

const HEAD = `schema: |-
  entity user {}
  entity doc {
      relation owner @user
      permission view = owner
  }
relationships:
  - doc:1#owner@user:a
scenarios:
  - name: s
    checks:
      - entity: doc:1
        subject: user:a
`;

describe('gatehouse validate never passes a file it did not check', () => {
  it('exits 2 with FILE:LINE:COL for a misspelt "assertions" key, where it used to PASS with 0 assertions', async () => {
    const path = file('assert.yaml', `${HEAD}        assert:\n          view: true\n`);
    const r = await validate(path);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`INVALID ${path}`);
    expect(r.out).toContain(`${path}:14:9: unknown key "assert" in a check (did you mean "assertions"?)`);
    expect(r.out).not.toContain('PASS');
  });

  it('exits 2 for a misspelt "relationships" key, whatever else passes', async () => {
    const good = file('good.yaml', `${HEAD}        assertions:\n          view: true\n`);
    const bad = file('relationship.yaml', `${HEAD.replace('relationships:', 'relationship:')}        assertions:\n          view: false\n`);
    const r = await validate(good, bad);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`PASS ${good}: 1 assertions`);
    expect(r.out).toContain(`${bad}:7:1: unknown key "relationship" in the file`);
  });

  it('points a YAML indentation error at its line', async () => {
    const path = file('indent.yaml', `${HEAD}       assertions:\n          view: true\n`);
    const r = await validate(path);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:14:\\d+: invalid YAML: `));
  });
});
