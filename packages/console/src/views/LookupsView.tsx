import { useState } from 'react';
import type { SyntheticEvent, ReactNode } from 'react';
import type { Api } from '../api.js';
import { Pager } from './Pager.js';

const PAGE_SIZE = 50;

interface Results {
  readonly ids: readonly string[];
  readonly page: number;
  readonly tokens: readonly string[];
  readonly next: string;
}

/** One lookup form with paged results. */
function Lookup(props: {
  title: string;
  fields: readonly { key: string; label: string; placeholder: string }[];
  run: (values: Record<string, string>, token: string) => Promise<{ ids: string[]; next: string }>;
  describe: (values: Record<string, string>, id: string) => string;
}): ReactNode {
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(props.fields.map((f) => [f.key, ''])));
  const [asked, setAsked] = useState<Record<string, string> | undefined>();
  const [results, setResults] = useState<Results | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = (v: Record<string, string>, tokens: readonly string[]): void => {
    props
      .run(v, tokens[tokens.length - 1] ?? '')
      .then((r) => {
        setResults({ ids: r.ids, page: tokens.length, tokens, next: r.next });
        setError(undefined);
      })
      .catch((err: unknown) => {
        setResults(undefined);
        setError((err as Error).message);
      });
  };
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    setAsked(values);
    load(values, ['']);
  };
  const slug = props.title.toLowerCase().replace(/\W+/g, '-');
  return (
    <section aria-labelledby={`${slug}-heading`} className="lookup">
      <h2 id={`${slug}-heading`}>{props.title}</h2>
      <form onSubmit={submit} aria-label={props.title}>
        {props.fields.map((f) => (
          <span className="field" key={f.key}>
            <label htmlFor={`${slug}-${f.key}`}>{f.label}</label>
            <input id={`${slug}-${f.key}`} value={values[f.key] ?? ''} placeholder={f.placeholder} required onChange={(e) => { setValues({ ...values, [f.key]: e.target.value }); }} />
          </span>
        ))}
        <button type="submit">Look up</button>
      </form>
      {error === undefined ? null : <p role="alert" className="error">{error}</p>}
      {results === undefined || asked === undefined ? null : (
        <>
          <ul aria-label={`${props.title}: results`}>
            {results.ids.map((id) => (
              <li key={id}><code>{props.describe(asked, id)}</code></li>
            ))}
          </ul>
          {results.ids.length === 0 ? <p>None.</p> : null}
          <Pager label={props.title} page={results.page} hasNext={results.next !== ''} onFirst={() => { load(asked, ['']); }} onNext={() => { load(asked, [...results.tokens, results.next]); }} />
        </>
      )}
    </section>
  );
}

/** Lookups: the entities a subject may act on, and the subjects that may act on an entity, paged. */
export function LookupsView(props: { api: Api; tenant: string }): ReactNode {
  const { api, tenant } = props;
  return (
    <div className="lookups-view">
      <Lookup
        title="Entities a subject may act on"
        fields={[
          { key: 'subject', label: 'Subject', placeholder: 'user:alice' },
          { key: 'permission', label: 'Permission', placeholder: 'view' },
          { key: 'entityType', label: 'Entity type', placeholder: 'document' },
        ]}
        run={async (v, token) => await api.lookupEntity(tenant, { subject: v.subject ?? '', permission: v.permission ?? '', entityType: v.entityType ?? '' }, PAGE_SIZE, token)}
        describe={(v, id) => `${(v.entityType ?? '').trim()}:${id}`}
      />
      <Lookup
        title="Subjects that may act on an entity"
        fields={[
          { key: 'entity', label: 'Entity', placeholder: 'document:1' },
          { key: 'permission', label: 'Permission', placeholder: 'view' },
          { key: 'subjectType', label: 'Subject type', placeholder: 'user' },
        ]}
        run={async (v, token) => await api.lookupSubject(tenant, { entity: v.entity ?? '', permission: v.permission ?? '', subjectType: v.subjectType ?? '' }, PAGE_SIZE, token)}
        describe={(v, id) => `${(v.subjectType ?? '').trim().split('#')[0] ?? ''}:${id}`}
      />
    </div>
  );
}
