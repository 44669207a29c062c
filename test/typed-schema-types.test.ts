import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { main } from '@gatehouse/pdp-server';

const TYPED = join(dirname(fileURLToPath(import.meta.url)), 'typed');

/** Compiles test/typed with its tsconfig; each `@ts-expect-error` there must meet an error, every other line none. */
function diagnostics(): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(TYPED, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('test/typed/tsconfig.json did not parse');
  const program = ts.createProgram(config.fileNames, config.options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file === undefined ? '' : `${d.file.fileName.slice(TYPED.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} `;
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

describe('typed schemas', () => {
  it('the generated schema file in test/typed is fresh (gatehouse generate --check)', async () => {
    const code = await main(
      ['generate', '--schema', 'test/fixtures/server/docs.perm', '--out', join(TYPED, 'gatehouse-schema.ts'), '--check'],
      { stdout: () => undefined, stderr: () => undefined, env: {}, handleSignals: false },
    );
    expect(code).toBe(0);
  });

  it('typos in entity types, actions, relations and attribute values do not compile; correct and untyped code does', () => {
    expect(diagnostics()).toEqual([]);
  });
});
