import { useEffect, useRef, useState } from 'react';
import type { SyntheticEvent, ReactNode } from 'react';
import type { Api, CheckQuery, ExplainAnswer } from '../api.js';
import type { ChangeEvent } from '../feed.js';
import { useDebounced } from '../use-debounced.js';
import { ExplanationGraph } from './ExplanationGraph.js';

interface Result {
  readonly query: CheckQuery;
  readonly answer: ExplainAnswer;
  /** Set when the check re-ran because a change arrived on the feed. */
  readonly after: string | undefined;
}

/** Check: subject, permission, entity (and contextual data) → ALLOWED / DENIED, its snap token and the explanation. */
export function CheckView(props: { api: Api; tenant: string; lastChange: ChangeEvent | undefined }): ReactNode {
  const { api, tenant, lastChange } = props;
  const [query, setQuery] = useState<CheckQuery>({ subject: '', permission: '', entity: '', context: '' });
  const [result, setResult] = useState<Result | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const asked = useRef<CheckQuery | undefined>(undefined);
  const inflight = useRef<AbortController | undefined>(undefined);

  const run = (q: CheckQuery, after: string | undefined): void => {
    inflight.current?.abort();
    const abort = new AbortController();
    inflight.current = abort;
    setBusy(true);
    api
      .explain(tenant, q, abort.signal, after)
      .then((answer) => {
        setResult({ query: q, answer, after });
        setError(undefined);
      })
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        setResult(undefined);
        setError((err as Error).message);
      })
      .finally(() => {
        if (inflight.current === abort) setBusy(false);
      });
  };

  // A committed change may alter the answer: ask again, at least as fresh as the change (once per burst).
  const change = useDebounced(lastChange, 150);
  useEffect(() => {
    const q = asked.current;
    if (change === undefined || q === undefined) return;
    run(q, change.snapToken);
  }, [change]);

  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    asked.current = query;
    run(query, undefined);
  };
  const field = (name: keyof CheckQuery) => ({
    id: `check-${name}`,
    value: query[name],
    onChange: (e: { target: { value: string } }) => {
      setQuery((q) => ({ ...q, [name]: e.target.value }));
    },
  });

  const title = result === undefined ? '' : `${result.query.entity.trim()}#${result.query.permission.trim()} for ${result.query.subject.trim()}`;
  return (
    <div className="check-view">
      <form onSubmit={submit} className="check-form">
        <span className="field">
          <label htmlFor="check-subject">Subject</label>
          <input {...field('subject')} placeholder="user:alice" required />
        </span>
        <span className="field">
          <label htmlFor="check-permission">Permission</label>
          <input {...field('permission')} placeholder="view" required />
        </span>
        <span className="field">
          <label htmlFor="check-entity">Entity</label>
          <input {...field('entity')} placeholder="document:1" required />
        </span>
        <button type="submit" disabled={busy}>Check</button>
        <span className="field wide">
          <label htmlFor="check-context">Contextual data (optional JSON)</label>
          <textarea {...field('context')} rows={2} placeholder='{"tuples": ["document:1#viewer@user:bob"], "attributes": [], "data": {}}' />
        </span>
      </form>
      <div role="status" aria-live="polite" className={`result ${result === undefined ? '' : result.answer.allowed ? 'allowed' : 'denied'}`}>
        {result === undefined ? null : (
          <>
            <strong>{result.answer.allowed ? 'ALLOWED' : 'DENIED'}</strong> <span>{title}</span>{' '}
            <span className="snap">snap token {result.answer.snapToken}</span>
            {result.after === undefined ? null : <span className="rerun"> · re-checked after change {result.after}</span>}
          </>
        )}
      </div>
      {error === undefined ? null : <p role="alert" className="error">{error}</p>}
      {result === undefined ? null : <ExplanationGraph tree={result.answer.tree} title={title} />}
    </div>
  );
}
