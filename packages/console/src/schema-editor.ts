import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { EditorState, RangeSet, StateEffect, StateField } from '@codemirror/state';
import type { Range } from '@codemirror/state';
import { Decoration, EditorView, GutterMarker, gutter, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import type { DecorationSet } from '@codemirror/view';
import type { Diagnostic } from './api.js';
import { schemaLanguage } from './schema-language.js';

/** The schema editor: CodeMirror 6 with the schema language, and the compiler's diagnostics marked in place. */
export interface SchemaEditor {
  text(): string;
  setText(text: string): void;
  setDiagnostics(diagnostics: readonly Diagnostic[]): void;
  /** Moves the cursor to a 1-based line and column and focuses the editor. */
  reveal(line: number, column: number): void;
  destroy(): void;
}

const setDiagnosticsEffect = StateEffect.define<readonly Diagnostic[]>();

class ErrorMarker extends GutterMarker {
  public constructor(private readonly message: string) {
    super();
  }

  public override toDOM(): Node {
    const span = document.createElement('span');
    span.className = 'cm-diagnostic-marker';
    span.textContent = '●';
    span.title = this.message;
    return span;
  }
}

interface Marks {
  readonly underline: DecorationSet;
  readonly gutter: RangeSet<GutterMarker>;
}

function positionOf(state: EditorState, d: Diagnostic): number {
  const line = state.doc.line(Math.min(Math.max(d.line, 1), state.doc.lines));
  return Math.min(line.from + Math.max(d.column - 1, 0), line.to);
}

const marksField = StateField.define<Marks>({
  create: () => ({ underline: Decoration.none, gutter: RangeSet.of<GutterMarker>([]) }),
  update(marks, tr) {
    let next = { underline: marks.underline.map(tr.changes), gutter: marks.gutter.map(tr.changes) };
    for (const effect of tr.effects) {
      if (!effect.is(setDiagnosticsEffect)) continue;
      const underline: Range<Decoration>[] = [];
      const markers: Range<GutterMarker>[] = [];
      for (const d of effect.value) {
        const from = positionOf(tr.state, d);
        const line = tr.state.doc.lineAt(from);
        const wordEnd = /^[\w@#.]+/.exec(tr.state.doc.sliceString(from, line.to))?.[0].length ?? 0;
        const to = Math.min(from + Math.max(wordEnd, 1), line.to);
        if (to > from) underline.push(Decoration.mark({ class: 'cm-diagnostic', attributes: { title: d.message } }).range(from, to));
        markers.push(new ErrorMarker(d.message).range(line.from));
      }
      next = { underline: Decoration.set(underline, true), gutter: RangeSet.of(markers, true) };
    }
    return next;
  },
  provide: (f) => [
    EditorView.decorations.from(f, (m) => m.underline),
    gutter({ class: 'cm-diagnostic-gutter', markers: (view) => view.state.field(f).gutter }),
  ],
});

/**
 * The editor's own styles. CodeMirror mounts styles in a constructable style sheet only inside a shadow root (in a
 * document it adds a `<style>` element, which the console's CSP forbids), so the editor lives in one and brings these.
 */
const theme = EditorView.theme({
  '&': { fontSize: '13px', backgroundColor: '#fff', maxHeight: '50vh', minHeight: '200px', border: '1px solid #d5d9e0', borderRadius: '5px' },
  '&.cm-focused': { outline: '2px solid #2855c5', outlineOffset: '2px' },
  '.cm-scroller': { fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, monospace", overflow: 'auto' },
  '.cm-diagnostic': { textDecoration: 'underline wavy #c62828', textUnderlineOffset: '3px', backgroundColor: '#fdecea' },
  '.cm-diagnostic-gutter': { width: '14px' },
  '.cm-diagnostic-marker': { color: '#c62828', fontSize: '11px' },
});

/**
 * Mounts the editor in a shadow root of `parent`.
 * @param parent - the element to mount in.
 * @param text - the initial schema text.
 * @param onChange - called with the text after each edit.
 */
export function createSchemaEditor(parent: HTMLElement, text: string, onChange: (text: string) => void): SchemaEditor {
  const shadow = parent.shadowRoot ?? parent.attachShadow({ mode: 'open' });
  const view = new EditorView({
    parent: shadow,
    root: shadow,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        marksField,
        history(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        schemaLanguage,
        theme,
        syntaxHighlighting(defaultHighlightStyle),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ 'aria-label': 'Schema', spellcheck: 'false' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    text: () => view.state.doc.toString(),
    setText(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    },
    setDiagnostics(diagnostics) {
      view.dispatch({ effects: setDiagnosticsEffect.of(diagnostics) });
    },
    reveal(line, column) {
      const pos = positionOf(view.state, { line, column, code: '', message: '' });
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    },
    destroy() {
      view.destroy();
    },
  };
}
