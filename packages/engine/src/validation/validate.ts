import { readFile } from 'node:fs/promises';

import { LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';

import { Engine } from '../engine.js';
import type { Store } from '../store/store.js';
import { compileSchema } from '../schema/compiler.js';
import { SchemaCompileError, SchemaParseError, type SourcePosition } from '../schema/errors.js';
import type { CompiledSchema } from '../schema/ir.js';
import { attributeProblem, tupleProblem } from './data-lines.js';
import { blockScalarMap } from './block-scalar-map.js';
import { DEFAULT_DEPTH, EntryReader, Malformed, type Query } from './entry-reader.js';
import { unknownKeys } from './known-keys.js';
import { describeNode, entries, entry, isMap, isNull, isScalar, isSeq, scalarText, YamlSource } from './yaml-source.js';

/** A problem that makes the file invalid (YAML, schema, a data line, a malformed entry): exit status 2. */
export interface ValidationIssue {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** An assertion that did not hold, or whose query failed (exit status 1). */
export interface ValidationFailure {
  readonly scenario: string;
  readonly kind: 'check' | 'entity_filter' | 'subject_filter';
  /** `user:1 view document:1`, `user:1 view document` (entity filter), `user view document:1` (subject filter). */
  readonly query: string;
  readonly expected: boolean | readonly string[];
  /** The answer, or `error: <message>` when the query itself failed. */
  readonly actual: boolean | readonly string[] | string;
}

/** One assertion and how it came out (listed only when {@link ValidateOptions.outcomes} asks). */
export interface ValidationOutcome extends ValidationFailure {
  readonly passed: boolean;
}

/** What running one validation file found. */
export interface ValidationResult {
  readonly file: string;
  /** Assertions that held. */
  readonly passed: number;
  /** Assertions that did not hold (see `failures`). */
  readonly failed: number;
  readonly errors: readonly ValidationIssue[];
  readonly failures: readonly ValidationFailure[];
  /** Every assertion run, passed or not, in file order: present only when `outcomes: true` was asked. */
  readonly outcomes?: readonly ValidationOutcome[];
}

/** Options of {@link validate}. */
export interface ValidateOptions {
  /** The name reported as `file`. @defaultValue `'<input>'` */
  readonly fileName?: string;
  /**
   * Makes the store the run's engine uses: a fresh, empty one whose default tenant is `t1` (e.g. a
   * `PostgresStore` on a schema of its own). Called once per run; the run closes it.
   * @defaultValue a new `MemoryStore`
   */
  readonly store?: () => Store | Promise<Store>;
  /** List every assertion's outcome (passes too) in `outcomes`, e.g. for a UI. @defaultValue false */
  readonly outcomes?: boolean;
  /**
   * The most evaluation steps the whole run may take, every assertion's steps added up (each assertion also keeps
   * the engine's own per-request budget). Once passed, the remaining assertions are not run and the result has an
   * error saying so: a server running posted files (`POST /v1/validate`) bounds a file of many costly checks.
   * @defaultValue unbounded
   */
  readonly maxSteps?: number;
}

/** Lets the event loop run other work (I/O, timers) between two assertions of a long file. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The tenant every validation file runs in (`tenant_id` is ignored, as in Permify). */
const TENANT = 't1';
const MAX_PAGES = 10_000;

/**
 * Runs a Permify validation file (docs/semantics.md#validation-files) in a fresh engine, in tenant `t1`: compiles
 * the schema, writes every relationship and attribute line, then runs every check, entity filter and subject
 * filter assertion. Lists compare without regard to order. A query that errors counts as a failure. A key the
 * format does not define (a misspelt `assertions:` or `relationships:`) is an error of the file, at its line and
 * column, and nothing runs; so is invalid YAML, at the line the parser stopped.
 *
 * @param yamlText - The file's text.
 * @param options - `fileName` to report; `store` to run on (default in memory).
 * @returns Counts, the file's problems (`errors`, exit status 2) and failed assertions (`failures`, exit status 1).
 * @example
 * ```ts
 * const result = await validate(text, { fileName: 'rbac.yaml' });
 * if (result.errors.length > 0) process.exitCode = 2;
 * else if (result.failed > 0) process.exitCode = 1;
 * ```
 */
export async function validate(yamlText: string, options: ValidateOptions = {}): Promise<ValidationResult> {
  const run = new Run(yamlText, options.fileName ?? '<input>', options.store, options.outcomes === true, options.maxSteps);
  return await run.execute();
}

/**
 * Reads a validation file and runs it with {@link validate}. An unreadable file is reported as an error of
 * the result, not thrown.
 *
 * @param path - A local path.
 * @param options - `store` to run on, as for {@link validate}.
 * @returns The result, with `file` set to `path`.
 * @example
 * ```ts
 * const { failed, errors } = await validateFile('policy.test.yaml');
 * ```
 */
export async function validateFile(path: string, options: Omit<ValidateOptions, 'fileName'> = {}): Promise<ValidationResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const errors = [{ line: 1, column: 1, message: `expected a readable file, found: ${reason}` }];
    return { file: path, passed: 0, failed: 0, errors, failures: [], ...(options.outcomes === true ? { outcomes: [] } : {}) };
  }
  return await validate(text, { ...options, fileName: path });
}

class Run {
  private passed = 0;
  private readonly errors: ValidationIssue[] = [];
  private readonly failures: ValidationFailure[] = [];
  private readonly outcomes: ValidationOutcome[] = [];
  private src!: YamlSource;
  private read!: EntryReader;

  public constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly makeStore: (() => Store | Promise<Store>) | undefined,
    private readonly listOutcomes: boolean,
    private readonly maxSteps: number | undefined,
  ) {}

  private result(): ValidationResult {
    const result = { file: this.file, passed: this.passed, failed: this.failures.length, errors: this.errors, failures: this.failures };
    return this.listOutcomes ? { ...result, outcomes: this.outcomes } : result;
  }

  private issue(message: string, position: SourcePosition): void {
    this.errors.push({ line: position.line, column: position.column, message });
  }

  public async execute(): Promise<ValidationResult> {
    const lines = new LineCounter();
    const doc = parseDocument(this.text, { lineCounter: lines, prettyErrors: false });
    this.src = new YamlSource(lines);
    this.read = new EntryReader(this.src);
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        // The parser's offset of the problem, mapped to a line and column (its own linePos is set only with prettyErrors).
        const { line, col } = lines.linePos(e.pos[0]);
        this.issue(`invalid YAML: ${e.message.split('\n')[0] ?? e.message}`, { line, column: col });
      }
      return this.result();
    }
    const root = doc.contents;
    if (!isMap(root)) {
      this.issue(`expected a map with a "schema" key, found ${describeNode(root)}`, this.src.position(root));
      return this.result();
    }
    const unknown = unknownKeys(root, this.src);
    if (unknown.length > 0) {
      for (const u of unknown) this.issue(u.message, u.position);
      return this.result();
    }
    const schemaText = this.schemaText(root);
    if (schemaText === undefined) return this.result();
    const schema = this.compile(root, schemaText);
    if (schema === undefined) return this.result();
    let store: Store | undefined;
    try {
      store = await this.makeStore?.();
    } catch (error) {
      this.issue(`the store could not be made: ${error instanceof Error ? error.message : String(error)}`, this.src.position(root));
      return this.result();
    }
    let engine: Engine;
    try {
      engine = await Engine.create({ schema: schemaText, defaultTenant: TENANT, maxDepth: DEFAULT_DEPTH, ...(store === undefined ? {} : { store }) });
    } catch (error) {
      await store?.close().catch(() => undefined);
      const node = entry(root, 'schema')?.value ?? null;
      const what = error instanceof SchemaParseError || error instanceof SchemaCompileError ? 'schema rejected' : 'the engine could not start';
      this.issue(`${what}: ${error instanceof Error ? error.message : String(error)}`, this.src.position(node));
      return this.result();
    }
    try {
      await this.writeData(engine, root, schema);
      if (this.errors.length > 0) return this.result();
      await this.scenarios(engine, root);
    } finally {
      await engine.close();
    }
    return this.result();
  }

  private schemaText(root: YAMLMap): string | undefined {
    const e = entry(root, 'schema');
    if (e === undefined) {
      this.issue('expected a "schema" key, found none', this.src.position(root));
      return undefined;
    }
    if (!isScalar(e.value) || typeof e.value.value !== 'string') {
      this.issue(`expected the schema as a string, found ${describeNode(e.value)}`, this.src.position(e.value ?? e.keyNode));
      return undefined;
    }
    return e.value.value;
  }

  private compile(root: YAMLMap, text: string): CompiledSchema | undefined {
    try {
      return compileSchema(text);
    } catch (error) {
      if (!(error instanceof SchemaParseError || error instanceof SchemaCompileError)) throw error;
      const node = entry(root, 'schema')?.value ?? null;
      const message = error.message.replace(/^\d+:\d+: /, '');
      this.issue(`schema: ${message}`, this.schemaPosition(node, error));
      return undefined;
    }
  }

  /**
   * Maps a position inside the schema text to the file: exact for block scalars, literal (`|`, `|-`…) and folded
   * (`>`, `>-`…, whose lines the parser joined); the start of the value for other scalars.
   */
  private schemaPosition(node: Node | null, at: SourcePosition): SourcePosition {
    const start = this.src.position(node);
    if (!isScalar(node) || (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED')) return start;
    const lines = this.text.split(/\r\n|\r|\n/);
    const mapped = typeof node.value === 'string' ? blockScalarMap(lines, start.line, node.type === 'BLOCK_FOLDED', node.value) : undefined;
    if (mapped !== undefined) return mapped(at);
    let indent = 0;
    for (let i = start.line; i < lines.length; i++) {
      const l = lines[i] ?? '';
      if (l.trim() !== '') {
        indent = l.length - l.trimStart().length;
        break;
      }
    }
    return { line: start.line + at.line, column: indent + at.column };
  }

  private list(root: YAMLMap, key: string): Node[] {
    const e = entry(root, key);
    if (e === undefined || isNull(e.value)) return [];
    if (!isSeq(e.value)) {
      this.issue(`expected "${key}" to be a list, found ${describeNode(e.value)}`, this.src.position(e.value));
      return [];
    }
    return e.value.items as Node[];
  }

  private async writeData(engine: Engine, root: YAMLMap, schema: CompiledSchema): Promise<void> {
    for (const item of this.list(root, 'relationships')) {
      const pos = this.src.position(item);
      try {
        const line = this.read.stringOf(item, 'a relationship "type:id#relation@type:id[#relation]"', pos);
        const tuple = this.read.tuple(line, pos);
        const problem = tupleProblem(tuple, schema);
        if (problem !== undefined) throw new Malformed(`relationship ${JSON.stringify(line)}: ${problem}`, pos);
        await engine.write({ tenant: TENANT, tuples: [tuple] });
      } catch (error) {
        this.dataError(error, 'relationship', pos);
      }
    }
    for (const item of this.list(root, 'attributes')) {
      const pos = this.src.position(item);
      try {
        const line = this.read.stringOf(item, 'an attribute "type:id$name|type:value"', pos);
        const attribute = this.read.attribute(line, pos);
        const problem = attributeProblem(attribute, schema);
        if (problem !== undefined) throw new Malformed(`attribute ${JSON.stringify(line)}: ${problem}`, pos);
        await engine.write({ tenant: TENANT, attributes: [attribute] });
      } catch (error) {
        this.dataError(error, 'attribute', pos);
      }
    }
  }

  private dataError(error: unknown, what: string, pos: SourcePosition): void {
    if (error instanceof Malformed) this.issue(error.message, error.position);
    else this.issue(`${what} rejected: ${error instanceof Error ? error.message : String(error)}`, pos);
  }

  private maps(map: YAMLMap, key: string, what: string): YAMLMap[] {
    const e = entry(map, key);
    if (e === undefined || isNull(e.value)) return [];
    if (!isSeq(e.value)) throw new Malformed(`expected "${key}" to be a list of ${what}, found ${describeNode(e.value)}`, this.src.position(e.value));
    const out: YAMLMap[] = [];
    for (const item of e.value.items as Node[]) {
      if (!isMap(item)) {
        this.issue(`expected each of "${key}" to be a map (${what}), found ${describeNode(item)}`, this.src.position(item));
      } else {
        out.push(item);
      }
    }
    return out;
  }

  private assertions(map: YAMLMap, fallback: SourcePosition): { key: string; value: Node | null; keyNode: Node }[] {
    const e = entry(map, 'assertions');
    if (e === undefined || isNull(e.value)) return [];
    if (!isMap(e.value)) throw new Malformed(`expected assertions to be a map, found ${describeNode(e.value)}`, this.src.position(e.value, fallback));
    return entries(e.value);
  }

  private async scenarios(engine: Engine, root: YAMLMap): Promise<void> {
    let scenarios: YAMLMap[];
    try {
      scenarios = this.maps(root, 'scenarios', 'scenarios');
    } catch (error) {
      if (!(error instanceof Malformed)) throw error;
      this.issue(error.message, error.position);
      return;
    }
    for (const [i, scenario] of scenarios.entries()) {
      const nameNode = entry(scenario, 'name')?.value ?? null;
      const name = isScalar(nameNode) && nameNode.value !== null ? (typeof nameNode.value === 'string' ? nameNode.value : scalarText(nameNode.value)) : `scenario ${i + 1}`;
      for (const [key, run] of [
        ['checks', (m: YAMLMap): Promise<void> => this.check(engine, name, m)],
        ['entity_filters', (m: YAMLMap): Promise<void> => this.entityFilter(engine, name, m)],
        ['subject_filters', (m: YAMLMap): Promise<void> => this.subjectFilter(engine, name, m)],
      ] as const) {
        let items: YAMLMap[];
        try {
          items = this.maps(scenario, key, key === 'checks' ? 'checks' : 'filters');
        } catch (error) {
          if (!(error instanceof Malformed)) throw error;
          this.issue(error.message, error.position);
          continue;
        }
        for (const item of items) {
          await yieldToLoop();
          if (this.maxSteps !== undefined && engine.stats().evaluationSteps > this.maxSteps) {
            this.issue(`the run stopped here: it used more than its budget of ${String(this.maxSteps)} evaluation steps for the whole file`, this.src.position(item));
            return;
          }
          try {
            await run(item);
          } catch (error) {
            if (!(error instanceof Malformed)) throw error;
            this.issue(error.message, error.position);
          }
        }
      }
    }
  }

  private record(outcome: ValidationFailure, passed: boolean): void {
    if (passed) this.passed++;
    else this.failures.push(outcome);
    if (this.listOutcomes) this.outcomes.push({ ...outcome, passed });
  }

  private async check(engine: Engine, scenario: string, map: YAMLMap): Promise<void> {
    const here = this.src.position(map);
    const entity = this.read.entity(entry(map, 'entity')?.value ?? null, here);
    const { subject, text } = this.read.subject(entry(map, 'subject')?.value ?? null, here);
    const q = this.read.query(map);
    const planned: { permission: string; expected: boolean }[] = [];
    for (const a of this.assertions(map, here)) {
      if (!isScalar(a.value) || typeof a.value.value !== 'boolean') {
        throw new Malformed(`expected assertion "${a.key}" to be true or false, found ${describeNode(a.value)}`, this.src.position(a.value, this.src.position(a.keyNode)));
      }
      planned.push({ permission: a.key, expected: a.value.value });
    }
    for (const { permission, expected } of planned) {
      const query = `${text} ${permission} ${entity.text}`;
      let actual: boolean | string;
      if (typeof q.depth === 'string') {
        actual = q.depth;
      } else {
        try {
          const decision = await engine.check({
            tenant: TENANT,
            subject,
            action: permission,
            resource: { type: entity.type, id: entity.id },
            depth: q.depth,
            ...(q.context === undefined ? {} : { context: q.context }),
          });
          actual = decision.allowed;
        } catch (error) {
          actual = `error: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      this.record({ scenario, kind: 'check', query, expected, actual }, actual === expected);
    }
  }

  private idLists(map: YAMLMap, here: SourcePosition): { permission: string; expected: string[] }[] {
    const planned: { permission: string; expected: string[] }[] = [];
    for (const a of this.assertions(map, here)) {
      if (!isSeq(a.value)) {
        throw new Malformed(`expected assertion "${a.key}" to be a list of ids, found ${describeNode(a.value)}`, this.src.position(a.value, this.src.position(a.keyNode)));
      }
      const ids = (a.value.items as Node[]).map((item) => this.read.stringOf(item, 'an id', this.src.position(item)));
      planned.push({ permission: a.key, expected: ids });
    }
    return planned;
  }

  private async entityFilter(engine: Engine, scenario: string, map: YAMLMap): Promise<void> {
    const here = this.src.position(map);
    const typeNode = entry(map, 'entity_type')?.value ?? null;
    const entityType = this.read.stringOf(typeNode, 'an entity type', here);
    const { subject, text } = this.read.subject(entry(map, 'subject')?.value ?? null, here);
    const q = this.read.query(map);
    for (const { permission, expected } of this.idLists(map, here)) {
      const query = `${text} ${permission} ${entityType}`;
      const actual = await this.collect(q, async (depth, continuousToken) =>
        await engine.lookupEntity({
          tenant: TENANT,
          entityType,
          permission,
          subject,
          depth,
          ...(q.context === undefined ? {} : { context: q.context }),
          ...(continuousToken === undefined ? {} : { continuousToken }),
        }),
      );
      this.compare(scenario, 'entity_filter', query, expected, actual);
    }
  }

  private async subjectFilter(engine: Engine, scenario: string, map: YAMLMap): Promise<void> {
    const here = this.src.position(map);
    const refNode = entry(map, 'subject_reference')?.value ?? null;
    const reference = this.read.stringOf(refNode, 'a subject reference "type" or "type#relation"', here);
    const [refType = '', refRelation, ...rest] = reference.split('#');
    if (!/^[a-zA-Z_]{1,64}$/.test(refType) || rest.length > 0 || (refRelation !== undefined && !/^[a-zA-Z_]{1,64}$/.test(refRelation) && refRelation !== '...')) {
      throw new Malformed(`expected a subject reference "type" or "type#relation", found ${JSON.stringify(reference)}`, this.src.position(refNode, here));
    }
    const entity = this.read.entity(entry(map, 'entity')?.value ?? null, here);
    const q = this.read.query(map);
    const subjectReference = refRelation === undefined || refRelation === '...' ? { type: refType } : { type: refType, relation: refRelation };
    for (const { permission, expected } of this.idLists(map, here)) {
      const query = `${reference} ${permission} ${entity.text}`;
      const actual = await this.collect(q, async (depth, continuousToken) =>
        await engine.lookupSubject({
          tenant: TENANT,
          entity: { type: entity.type, id: entity.id },
          permission,
          subjectReference,
          depth,
          ...(q.context === undefined ? {} : { context: q.context }),
          ...(continuousToken === undefined ? {} : { continuousToken }),
        }),
      );
      this.compare(scenario, 'subject_filter', query, expected, actual);
    }
  }

  /** Every page of a lookup, or `error: …`. */
  private async collect(
    q: Query,
    page: (depth: number, token: string | undefined) => Promise<{ ids: readonly string[]; continuousToken?: string | undefined }>,
  ): Promise<string[] | string> {
    if (typeof q.depth === 'string') return q.depth;
    const ids: string[] = [];
    let token: string | undefined;
    try {
      for (let i = 0; i < MAX_PAGES; i++) {
        const result = await page(q.depth, token);
        ids.push(...result.ids);
        token = result.continuousToken;
        if (token === undefined || token === '') return ids;
      }
      return `error: more than ${MAX_PAGES} pages`;
    } catch (error) {
      return `error: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private compare(
    scenario: string,
    kind: 'entity_filter' | 'subject_filter',
    query: string,
    expected: string[],
    actual: string[] | string,
  ): void {
    const sortedExpected = [...expected].sort();
    if (typeof actual === 'string') {
      this.record({ scenario, kind, query, expected: sortedExpected, actual }, false);
      return;
    }
    const sortedActual = [...actual].sort();
    const same = sortedExpected.length === sortedActual.length && sortedExpected.every((id, i) => id === sortedActual[i]);
    this.record({ scenario, kind, query, expected: sortedExpected, actual: sortedActual }, same);
  }
}
