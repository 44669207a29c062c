import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import { validateFile } from '@gatehouse/engine';

// Permify's example validation files, kept as fixtures in the repository (see test/fixtures/permify/NOTICE).
const dir = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/permify');
const EXPECTED_FILES = 17;
const MISSING = '(no conformance files)';

const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort() : [];

describe('Permify conformance files through validate()', () => {
  it(`finds all ${EXPECTED_FILES} validation files in ${dir}`, () => {
    if (!existsSync(dir)) {
      throw new Error(`conformance directory ${dir} is missing: expected test/fixtures/permify in the repository`);
    }
    expect(files).toHaveLength(EXPECTED_FILES);
  });

  // An empty table would abort the suite with a generic jest message; fail with ours instead.
  it.each(files.length > 0 ? files : [MISSING])('%s passes every assertion with no file errors', async (file) => {
    if (file === MISSING) throw new Error(`no conformance files in ${dir}: expected test/fixtures/permify/*.yaml in the repository`);
    const result = await validateFile(join(dir, file));
    expect({ errors: result.errors, failures: result.failures }).toEqual({ errors: [], failures: [] });
    expect(result.failed).toBe(0);
  });

  it('runs the 62 check, 2 entity-filter and 3 subject-filter assertions the files hold', async () => {
    let passed = 0;
    for (const file of files) passed += (await validateFile(join(dir, file))).passed;
    expect(passed).toBe(62 + 2 + 3);
  });
});
