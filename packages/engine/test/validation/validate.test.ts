import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from '@jest/globals';

import { MemoryStore } from '@gatehouse/engine';
import type { Store } from '@gatehouse/engine';

import { validate, validateFile } from '../../src/validation/index.js';

const SCHEMA = `schema: |-
  entity user {}

  entity organization {
      relation admin @user
      relation member @user
  }

  entity document {
      relation org @organization
      relation owner @user
      relation viewer @user @organization#member
      relation banned @user
      attribute is_public boolean
      attribute min_level integer

      permission edit = owner or org.admin
      permission view = (edit or viewer or is_public) not banned
      permission read_secret = view and has_level(min_level)
  }

  rule has_level(min_level integer) {
      context.data.level >= min_level
  }
`;

const DATA = `relationships:
  - organization:acme#admin@user:alice
  - organization:acme#member@user:bob
  - document:d1#org@organization:acme
  - document:d1#owner@user:dave
  - document:d2#viewer@organization:acme#member
  - document:d2#banned@user:bob
attributes:
  - document:d3$is_public|boolean:true
  - document:d1$min_level|integer:3
`;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('validate', () => {
  it('passes a file whose assertions all hold, counting checks and filters', async () => {
    const result = await validate(`${SCHEMA}${DATA}scenarios:
  - name: access
    checks:
      - entity: document:d1
        subject: user:alice
        assertions:
          edit: true
          view: true
      - entity: document:d2
        subject: user:bob
        assertions:
          viewer: true
          view: false
      - entity: document:d1
        subject: user:dave
        context:
          data:
            level: 5
        assertions:
          read_secret: true
      - entity: document:d2
        subject: user:frank
        context:
          tuples:
            - organization:acme#member@user:frank
        assertions:
          view: true
    entity_filters:
      - entity_type: document
        subject: user:dave
        assertions:
          view: [d3, d1]
    subject_filters:
      - subject_reference: user
        entity: document:d1
        assertions:
          edit: [dave, alice]
`, { fileName: 'ok.yaml' });
    expect(result).toEqual({ file: 'ok.yaml', passed: 8, failed: 0, errors: [], failures: [] });
  });

  it('reports a failing assertion with its scenario, query, expected and actual', async () => {
    const result = await validate(`${SCHEMA}${DATA}scenarios:
  - name: wrong on purpose
    checks:
      - entity: document:d1
        subject: user:bob
        assertions:
          edit: true
    subject_filters:
      - subject_reference: user
        entity: document:d1
        assertions:
          edit: [alice]
`);
    expect(result.errors).toEqual([]);
    expect(result.passed).toBe(0);
    expect(result.failed).toBe(2);
    expect(result.failures).toEqual([
      { scenario: 'wrong on purpose', kind: 'check', query: 'user:bob edit document:d1', expected: true, actual: false },
      { scenario: 'wrong on purpose', kind: 'subject_filter', query: 'user edit document:d1', expected: ['alice'], actual: ['alice', 'dave'] },
    ]);
  });

  it('compares id lists without regard to order, but duplicates count', async () => {
    const result = await validate(`${SCHEMA}${DATA}scenarios:
  - name: lists
    entity_filters:
      - entity_type: document
        subject: user:alice
        assertions:
          edit: [d1, d1]
          view: [d3, d1]
`);
    expect(result.passed).toBe(1);
    expect(result.failures).toEqual([{ scenario: 'lists', kind: 'entity_filter', query: 'user:alice edit document', expected: ['d1', 'd1'], actual: ['d1'] }]);
  });

  it('counts a check that errors (missing context.data key, unknown permission) as a failure', async () => {
    const result = await validate(`${SCHEMA}${DATA}scenarios:
  - name: errors
    checks:
      - entity: document:d1
        subject: user:dave
        assertions:
          read_secret: false
          nothing_here: false
`);
    expect(result.errors).toEqual([]);
    expect(result.failed).toBe(2);
    expect(result.failures.map((f) => f.query)).toEqual(['user:dave read_secret document:d1', 'user:dave nothing_here document:d1']);
    for (const f of result.failures) expect(String(f.actual)).toMatch(/^error: /);
  });

  it('treats an explicit depth below 3 as a failure of that assertion', async () => {
    const result = await validate(`${SCHEMA}${DATA}scenarios:
  - name: shallow
    checks:
      - entity: document:d1
        subject: user:dave
        depth: 2
        assertions:
          edit: true
`);
    expect(result.failures).toEqual([
      { scenario: 'shallow', kind: 'check', query: 'user:dave edit document:d1', expected: true, actual: 'error: depth must be at least 3, got 2' },
    ]);
  });

  it('reports invalid YAML as a file error with line and column', async () => {
    const result = await validate('schema: "entity user {}"\nrelationships: [a\n');
    expect(result.passed + result.failed).toBe(0);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.message).toMatch(/^invalid YAML: /);
    expect(result.errors[0]?.line).toBeGreaterThanOrEqual(1);
    expect(result.errors[0]?.column).toBeGreaterThanOrEqual(1);
  });

  it('maps a schema error to its line and column in the file', async () => {
    const result = await validate('tenant_id: ignored\nschema: |-\n  entity user {}\n  entity doc {\n      relation owner @person\n  }\n');
    expect(result.errors).toEqual([{ line: 5, column: 23, message: 'schema: expected an entity type after "@", found undefined entity "person"' }]);
  });

  /** Where `person` (the undefined type) is in the file: 1-based line and column. */
  function whereIsPerson(file: string): { line: number; column: number } {
    const lines = file.split('\n');
    const i = lines.findIndex((l) => l.includes('@person'));
    return { line: i + 1, column: (lines[i] ?? '').indexOf('person') + 1 };
  }

  it.each([
    ['>- with a blank line', 'schema: >-\n  entity user {}\n\n  entity doc {\n      relation owner @person\n  }\n'],
    ['> with two blank lines', 'tenant_id: t\nschema: >\n  entity user {}\n\n\n  entity doc {\n      relation owner @person\n  }\n'],
    ['>- whose lines fold into one', 'schema: >-\n  entity user {}\n  entity team {}\n\n  entity doc { relation member @team relation owner @person }\n'],
    ['>- with the error on a line joined to the one before', 'schema: >-\n  entity user {}\n\n  entity doc {}\n  entity folder { relation owner @person }\n'],
    ['>+ with leading blank lines', 'schema: >+\n\n  entity user {}\n\n  entity doc {\n      relation owner @person\n  }\n\n'],
    ['|- with blank lines', 'schema: |-\n  entity user {}\n\n\n  entity doc {\n      relation owner @person\n  }\n'],
  ])('maps a schema error to its line and column in the file for a block scalar %s', async (_what, file) => {
    const result = await validate(file);
    expect(result.errors).toEqual([{ ...whereIsPerson(file), message: 'schema: expected an entity type after "@", found undefined entity "person"' }]);
  });

  it('reports data lines that break the schema at their line, and runs no scenario', async () => {
    const result = await validate(`${SCHEMA}relationships:
  - document:d1#owner@user:dave
  - document:d1#owner@organization:acme
  - document:d1#nope@user:dave
  - not a tuple
attributes:
  - document:d1$min_level|string:high
scenarios:
  - name: never runs
    checks:
      - entity: document:d1
        subject: user:dave
        assertions:
          edit: true
`);
    expect(result.passed).toBe(0);
    expect(result.errors.map((e) => [e.line, e.column])).toEqual([
      [27, 5],
      [28, 5],
      [29, 5],
      [31, 5],
    ]);
    expect(result.errors[0]?.message).toBe(
      'relationship "document:d1#owner@organization:acme": expected a subject of document#owner (@user), found organization:acme',
    );
    expect(result.errors[1]?.message).toBe('relationship "document:d1#nope@user:dave": expected a relation of entity "document", found "nope"');
    expect(result.errors[3]?.message).toBe(
      'attribute "document:d1$min_level|string:high": expected a value of type integer for document$min_level, found string',
    );
  });

  it('reports malformed entries (non-boolean assertion, non-list filter, old context list) as file errors', async () => {
    const result = await validate(`${SCHEMA}${DATA}scenarios:
  - name: malformed
    checks:
      - entity: document:d1
        subject: user:dave
        assertions:
          edit: true
          checks:
      - entity: document:d1
        subject: user:dave
        context: ["organization:acme#member@user:dave"]
        assertions:
          edit: true
    entity_filters:
      - entity_type: document
        subject: user:dave
        assertions:
          view: d1
`);
    expect(result.failed).toBe(0);
    expect(result.errors).toEqual([
      { line: 42, column: 18, message: 'expected assertion "checks" to be true or false, found nothing' },
      { line: 45, column: 18, message: 'expected context to be a map of tuples, attributes and data, found a list' },
      { line: 52, column: 17, message: 'expected assertion "view" to be a list of ids, found "d1"' },
    ]);
  });

  it('reads a file from disk and reports an unreadable one as a file error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-validate-'));
    dirs.push(dir);
    const path = join(dir, 'rbac.yaml');
    writeFileSync(path, `${SCHEMA}${DATA}scenarios:\n  - name: s\n    checks:\n      - entity: document:d1\n        subject: user:dave\n        assertions:\n          edit: true\n`);
    expect(await validateFile(path)).toEqual({ file: path, passed: 1, failed: 0, errors: [], failures: [] });
    const missing = await validateFile(join(dir, 'missing.yaml'));
    expect(missing.errors).toHaveLength(1);
    expect(missing.errors[0]?.message).toMatch(/^expected a readable file, found: /);
  });
});

describe('validate with a store of the caller\'s', () => {
  const FILE = `${SCHEMA}${DATA}scenarios:\n  - name: s\n    checks:\n      - entity: document:d1\n        subject: user:dave\n        assertions:\n          edit: true\n`;

  it('runs the file on the store the option makes, and closes it', async () => {
    const inner = new MemoryStore();
    let commits = 0;
    let closed = 0;
    // A store the engine treats as durable (not a MemoryStore instance), so it keeps a view of its own.
    const store: Store = {
      open: () => inner.open(),
      headSnapToken: () => inner.headSnapToken(),
      createTenant: (id, name) => inner.createTenant(id, name),
      deleteTenant: (id) => inner.deleteTenant(id),
      getTenant: (id) => inner.getTenant(id),
      listTenants: (o) => inner.listTenants(o),
      writeSchema: (t, x) => inner.writeSchema(t, x),
      readSchema: (t, v) => inner.readSchema(t, v),
      listSchemas: (t, o) => inner.listSchemas(t, o),
      commit: (w) => {
        commits++;
        return inner.commit(w);
      },
      readTuples: (t, f, o) => inner.readTuples(t, f, o),
      readAttributes: (t, f, o) => inner.readAttributes(t, f, o),
      loadTenant: (t, o) => inner.loadTenant(t, o),
      changesSince: (token, o) => inner.changesSince(token, o),
      subscribe: (l) => inner.subscribe(l),
      close: () => {
        closed++;
        return inner.close();
      },
    };
    const result = await validate(FILE, { store: () => store });
    expect(result).toMatchObject({ passed: 1, failed: 0, errors: [] });
    expect(commits).toBeGreaterThan(0);
    expect((await inner.readTuples('t1', {})).tuples).toHaveLength(6);
    expect(closed).toBe(1);
  });

  it('reports a store that cannot be made as a file error, not a throw', async () => {
    const result = await validate(FILE, {
      store: () => {
        throw new Error('no database');
      },
    });
    expect(result.errors).toEqual([{ line: 1, column: 1, message: 'the store could not be made: no database' }]);
  });
});

describe('validateFile on the worked example of permify.md §3.4', () => {
  it('passes all 16 expectations: usersets, walks, exclusion, attributes, rules, contextual tuples and both filters', async () => {
    const file = fileURLToPath(new URL('./fixtures/permify-worked-example.yaml', import.meta.url));
    const result = await validateFile(file);
    expect({ errors: result.errors, failures: result.failures, passed: result.passed }).toEqual({ errors: [], failures: [], passed: 16 });
  });
});
