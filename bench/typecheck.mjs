// Type-checking cost of typed schemas (issue 18): a generated 200-entity Schema and a file of 1,000 typed calls
// (`can`, `check`, bound gates, `lookupResources`), type-checked by the repository's TypeScript against the built
// declarations of @gatehouse/core, strict, NodeNext. The same 1,000 calls untyped are measured in the same run.
// Prints one JSON line: ours = seconds for the typed file, peer = seconds for the untyped one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-typecheck-'));
const ENTITIES = 200;
const CALLS = 1000;

// A schema of 200 entity types: each has 3 relations (to users and to the previous entity), 2 attributes and 4
// permissions, one of them through the previous entity.
/** Entity names take letters and underscores only: 0 → ent_a, 26 → ent_ba. */
const name = (i) => `ent_${[...i.toString(26)].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('')}`;
let schema = 'entity user {}\n';
for (let i = 0; i < ENTITIES; i++) {
  const prev = i === 0 ? '' : `\n  relation parent @${name(i - 1)}`;
  schema += `entity ${name(i)} {\n  relation owner @user\n  relation viewer @user${prev}\n  attribute public boolean\n  attribute level integer\n`;
  schema += `  permission edit = owner\n  permission view = owner or viewer or public${i === 0 ? '' : ' or parent.view'}\n`;
  schema += '  permission delete = owner\n  permission share = owner or viewer\n}\n';
}
writeFileSync(join(dir, 'schema.perm'), schema);
execFileSync(process.execPath, [join(root, 'packages/pdp-server/bin/gatehouse.js'), 'generate', '--schema', join(dir, 'schema.perm'), '--out', join(dir, 'gatehouse-schema.ts')], { stdio: ['ignore', 'ignore', 'inherit'] });

const actions = ['edit', 'view', 'delete', 'share', 'owner'];
function calls(typed) {
  let text = `import { Gatehouse } from '@gatehouse/core';\nimport type { Pdp } from '@gatehouse/core';\n`;
  if (typed) text += `import type { Schema } from './gatehouse-schema.js';\n`;
  text += `declare const pdp: Pdp;\nconst gate = new Gatehouse${typed ? '<Schema>' : ''}({ pdp });\nconst bound = gate.bind('acme', 'alice');\n`;
  text += 'export async function run(): Promise<void> {\n';
  for (let i = 0; i < CALLS; i++) {
    const e = name((i * 37) % ENTITIES);
    const a = actions[i % actions.length];
    switch (i % 5) {
      case 0: text += `  await gate.can('alice', '${a}', '${e}:${i}');\n`; break;
      case 1: text += `  await gate.check({ subject: 'user:alice', action: '${a}', resource: { type: '${e}', id: '${i}', attributes: { public: true } } });\n`; break;
      case 2: text += `  await bound.can('${a}', '${e}:${i}');\n`; break;
      case 3: text += `  await gate.lookupResources({ subject: 'alice', action: '${a}', resourceType: '${e}' });\n`; break;
      default: text += `  await gate.can({ type: 'user', id: 'u${i}' }, '${a}', '${e}', { tenant: 'acme' });\n`;
    }
  }
  return `${text}}\n`;
}
writeFileSync(join(dir, 'typed.ts'), calls(true));
writeFileSync(join(dir, 'untyped.ts'), calls(false));

const options = {
  strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [],
  paths: { '@gatehouse/core': [join(root, 'packages/core/dist/index.d.ts')] },
};
function check(file) {
  const started = performance.now();
  const program = ts.createProgram([join(dir, file)], options);
  const errors = ts.getPreEmitDiagnostics(program);
  const seconds = (performance.now() - started) / 1000;
  if (errors.length > 0) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(errors[0].messageText, '\n')}`);
  return seconds;
}
check('untyped.ts'); // warm the compiler's own code once
const untyped = Math.min(check('untyped.ts'), check('untyped.ts'));
const typed = Math.min(check('typed.ts'), check('typed.ts'));
rmSync(dir, { recursive: true, force: true });
const result = {
  id: 'typecheck', ours: Math.round(typed * 100) / 100, peer: Math.round(untyped * 100) / 100, unit: 's',
  ratio: Math.round((typed / untyped) * 100) / 100, target: 'typed <= 10 s', pass: typed <= 10,
  notes: `${ENTITIES}-entity generated schema, ${CALLS} calls; peer = the same calls untyped; TypeScript ${ts.version}`,
};
console.log(JSON.stringify(result));
