import { diffLines } from 'diff';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { Api, Diagnostic } from '../api.js';
import type { SchemaEditor } from '../schema-editor.js';

/** Compile this long after the last keystroke. */
const DEBOUNCE_MS = 300;

interface Versions {
  readonly head: string;
  readonly list: readonly { version: string; createdAt: string }[];
}

function DiffView(props: { api: Api; tenant: string; versions: Versions; pair: [string, string] | undefined; onPair: (p: [string, string]) => void }): ReactNode {
  const { api, tenant, versions, pair } = props;
  const [texts, setTexts] = useState<[string, string] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (pair === undefined) return;
    let live = true;
    Promise.all([api.source(tenant, pair[0]), api.source(tenant, pair[1])])
      .then(([a, b]) => {
        if (live) setTexts([a.schema, b.schema]);
      })
      .catch((err: unknown) => {
        if (live) setError((err as Error).message);
      });
    return () => {
      live = false;
    };
  }, [api, tenant, pair]);
  const parts = useMemo(() => (texts === undefined ? [] : diffLines(texts[0], texts[1])), [texts]);
  const options = versions.list.map((v) => (
    <option key={v.version} value={v.version}>
      {v.version}
      {v.version === versions.head ? ' (head)' : ''} · {v.createdAt}
    </option>
  ));
  return (
    <section className="diff" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      {versions.list.length < 2 ? <p>One version so far: save a change to compare.</p> : null}
      <div className="diff-pick">
        <label htmlFor="diff-from">From version</label>
        <select id="diff-from" value={pair?.[0] ?? ''} onChange={(e) => { props.onPair([e.target.value, pair?.[1] ?? versions.head]); }}>
          <option value="" disabled>choose</option>
          {options}
        </select>
        <label htmlFor="diff-to">To version</label>
        <select id="diff-to" value={pair?.[1] ?? ''} onChange={(e) => { props.onPair([pair?.[0] ?? versions.head, e.target.value]); }}>
          <option value="" disabled>choose</option>
          {options}
        </select>
      </div>
      {error === undefined ? null : <p role="alert" className="error">{error}</p>}
      {pair === undefined || texts === undefined ? null : (
        <pre className="diff-lines" aria-label={`Diff from version ${pair[0]} to version ${pair[1]}`}>
          {parts.flatMap((p, i) =>
            p.value
              .replace(/\n$/, '')
              .split('\n')
              .map((line, j) => (
                <div key={`${String(i)}-${String(j)}`} className={p.added ? 'added' : p.removed ? 'removed' : 'same'}>
                  {p.added ? '+ ' : p.removed ? '- ' : '  '}
                  {line}
                </div>
              )),
          )}
        </pre>
      )}
    </section>
  );
}

/** Schema: the editor with highlighting and compile diagnostics as you type; save as a new version; versions and diffs. */
export function SchemaView(props: { api: Api; tenant: string }): ReactNode {
  const { api, tenant } = props;
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<SchemaEditor | undefined>(undefined);
  const [text, setText] = useState<string | undefined>();
  const [diagnostics, setDiagnostics] = useState<readonly Diagnostic[] | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [versions, setVersions] = useState<Versions>({ head: '', list: [] });
  const [pair, setPair] = useState<[string, string] | undefined>();

  const refreshVersions = async (): Promise<Versions> => {
    const v = await api.versions(tenant);
    const next = { head: v.head, list: v.versions };
    setVersions(next);
    return next;
  };

  // Load the head schema and mount the editor (CodeMirror is loaded on first use, not with the page).
  useEffect(() => {
    let live = true;
    let mounted: SchemaEditor | undefined;
    Promise.all([api.source(tenant).catch(() => ({ version: '', schema: '' })), import('../schema-editor.js'), refreshVersions()])
      .then(([source, mod]) => {
        if (!live || host.current === null) return;
        mounted = mod.createSchemaEditor(host.current, source.schema, setText);
        editor.current = mounted;
        setText(source.schema);
      })
      .catch((err: unknown) => {
        if (live) setError((err as Error).message);
      });
    return () => {
      live = false;
      mounted?.destroy();
      editor.current = undefined;
    };
  }, [api, tenant]);

  // Compile-only, debounced, the previous request cancelled.
  useEffect(() => {
    if (text === undefined) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api
        .compile(tenant, text, abort.signal)
        .then((d) => {
          setDiagnostics(d);
          editor.current?.setDiagnostics(d);
        })
        .catch((err: unknown) => {
          if (!abort.signal.aborted) setError((err as Error).message);
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [api, tenant, text]);

  const save = (): void => {
    const current = editor.current?.text();
    if (current === undefined) return;
    const before = versions.head;
    api
      .writeSchema(tenant, current)
      .then(async (version) => {
        setSaved(version);
        setError(undefined);
        await refreshVersions();
        if (before !== '') setPair([before, version]);
      })
      .catch((err: unknown) => {
        setError((err as Error).message);
      });
  };

  const ok = diagnostics?.length === 0;
  return (
    <div className="schema-view">
      <div className="editor-bar">
        <button type="button" onClick={save} disabled={!ok}>Save schema</button>
        <span className="compile-state">{diagnostics === undefined ? 'compiling…' : ok ? 'compiles' : `${String(diagnostics.length)} problem`}</span>
        {saved === undefined ? null : <span className="saved">saved as version {saved}</span>}
      </div>
      <div ref={host} className="editor" />
      <section aria-labelledby="diagnostics-heading" className="diagnostics">
        <h2 id="diagnostics-heading">Diagnostics</h2>
        <ul aria-live="polite">
          {(diagnostics ?? []).map((d) => (
            <li key={`${String(d.line)}:${String(d.column)}:${d.message}`}>
              <button type="button" className="link" onClick={() => { editor.current?.reveal(d.line, d.column); }}>
                Line {d.line}, column {d.column}
              </button>
              : {d.message}
            </li>
          ))}
        </ul>
      </section>
      {error === undefined ? null : <p role="alert" className="error">{error}</p>}
      <DiffView api={api} tenant={tenant} versions={versions} pair={pair} onPair={setPair} />
    </div>
  );
}
