import { StreamLanguage } from '@codemirror/language';
import type { StreamParser } from '@codemirror/language';

/**
 * Highlighting for the schema language (Permify's): keywords (`entity`, `relation`, `permission`, `action`,
 * `attribute`, `rule`), operators (`and`, `or`, `not`), attribute types, `@type#relation` references, comments
 * (`//` and block comments), strings and numbers inside rule bodies. A tokenizer, not a parser: diagnostics come
 * from the server's compiler.
 */
interface State {
  inBlockComment: boolean;
  /** After `entity` / `rule`: the next word is a declared name. */
  declares: boolean;
}

const KEYWORDS = new Set(['entity', 'relation', 'permission', 'action', 'attribute', 'rule']);
const OPERATORS = new Set(['and', 'or', 'not']);
const TYPES = new Set(['boolean', 'string', 'integer', 'double']);
const LITERALS = new Set(['true', 'false', 'null']);

export const schemaParser: StreamParser<State> = {
  name: 'gatehouse-schema',
  startState: () => ({ inBlockComment: false, declares: false }),
  token(stream, state) {
    if (state.inBlockComment) {
      if (stream.skipTo('*/')) {
        stream.match('*/');
        state.inBlockComment = false;
      } else stream.skipToEnd();
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match('/*')) {
      state.inBlockComment = true;
      return 'comment';
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'(?:[^'\\]|\\.)*'?/)) return 'string';
    if (stream.match(/^\d+(?:\.\d+)?/)) return 'number';
    if (stream.match(/^@[A-Za-z_]+/)) return 'typeName';
    if (stream.match(/^#[A-Za-z_]+/)) return 'propertyName';
    const word = stream.match(/^[A-Za-z_][A-Za-z_0-9]*/) as RegExpMatchArray | null;
    if (word !== null) {
      const w = word[0];
      if (KEYWORDS.has(w)) {
        state.declares = w === 'entity' || w === 'rule';
        return 'keyword';
      }
      if (OPERATORS.has(w)) return 'operatorKeyword';
      if (TYPES.has(w) && stream.match(/^(?:\[\])?/)) return 'typeName';
      if (LITERALS.has(w)) return 'atom';
      if (state.declares) {
        state.declares = false;
        return 'variableName.definition';
      }
      return 'variableName';
    }
    if (stream.match(/^(?:==|!=|<=|>=|&&|\|\||[=<>!+\-*/%.,()[\]{}?:])/)) return 'operator';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
};

/** The schema language for CodeMirror 6. */
export const schemaLanguage = StreamLanguage.define(schemaParser);
