import { validateFile } from '@gatehouse/engine';
import type { CliIo } from '../main.js';

/** Usage of `gatehouse validate`. */
export const VALIDATE_USAGE = `Usage: gatehouse validate FILE.yaml [FILE…] [--json]

Runs Permify validation files (schema, relationships, attributes, scenarios with check, entity-filter and
subject-filter assertions), each in a fresh engine in tenant t1.

Options:
  --json      one compact JSON object per file on stdout (NDJSON) and nothing else
  -h, --help  this text

Exit status: 2 when a file is unreadable or invalid (YAML, a key the format does not define such as a
misspelt "assertions", schema, a data line, a malformed entry), each reported as FILE:LINE:COL; else 1 when
an assertion failed; else 0.`;

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Runs `gatehouse validate`; returns the exit status. */
export async function validateCommand(files: readonly string[], json: boolean, io: CliIo): Promise<number> {
  let invalid = false;
  let failed = false;
  let passedFiles = 0;
  for (const file of files) {
    const r = await validateFile(file);
    if (r.errors.length > 0) invalid = true;
    else if (r.failed > 0) failed = true;
    else passedFiles++;
    if (json) {
      io.stdout(`${JSON.stringify({ file: r.file, passed: r.passed, failed: r.failed, errors: r.errors, failures: r.failures })}\n`);
      continue;
    }
    if (r.errors.length > 0) {
      io.stdout(`INVALID ${r.file}\n`);
      for (const e of r.errors) io.stdout(`  ${r.file}:${String(e.line)}:${String(e.column)}: ${e.message}\n`);
    } else if (r.failed > 0) {
      io.stdout(`FAIL ${r.file}: ${String(r.failed)} of ${String(r.passed + r.failed)} assertions failed\n`);
    } else {
      io.stdout(`PASS ${r.file}: ${String(r.passed)} assertions\n`);
    }
    for (const f of r.failures) {
      io.stdout(`  scenario ${JSON.stringify(f.scenario)} ${f.kind}: ${f.query}: expected ${show(f.expected)}, actual ${show(f.actual)}\n`);
    }
  }
  if (!json) {
    const bad = files.length - passedFiles;
    io.stdout(`${String(files.length)} file(s): ${String(passedFiles)} passed, ${String(bad)} with failures or errors\n`);
  }
  return invalid ? 2 : failed ? 1 : 0;
}
