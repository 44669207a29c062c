import { useCallback, useEffect, useState } from 'react';
import type { SyntheticEvent, ReactNode } from 'react';
import { tupleText } from '../api.js';
import type { Api, WireAttribute, WireTuple } from '../api.js';
import type { ChangeEvent } from '../feed.js';
import { useDebounced } from '../use-debounced.js';
import { Pager } from './Pager.js';

const PAGE_SIZE = 50;

interface Paged<T> {
  readonly items: readonly T[];
  readonly page: number;
  /** Token of this page (to reload it) and of the next one. */
  readonly tokens: readonly string[];
  readonly next: string;
}

function usePaged<T, F>(load: (filter: F, token: string) => Promise<{ items: T[]; next: string }>, filter: F, reloadOn: unknown) {
  const [state, setState] = useState<Paged<T>>({ items: [], page: 1, tokens: [''], next: '' });
  const [error, setError] = useState<string | undefined>();
  const fetchPage = useCallback(
    (tokens: readonly string[]) => {
      load(filter, tokens[tokens.length - 1] ?? '')
        .then((r) => {
          setState({ items: r.items, page: tokens.length, tokens, next: r.next });
          setError(undefined);
        })
        .catch((err: unknown) => {
          setError((err as Error).message);
        });
    },
    [load, filter],
  );
  useEffect(() => {
    fetchPage(['']);
  }, [fetchPage, reloadOn]);
  return {
    state,
    error,
    first: () => { fetchPage(['']); },
    next: () => { fetchPage([...state.tokens, state.next]); },
    reload: () => { fetchPage(state.tokens); },
  };
}

const NO_TUPLE_FILTER = { entityType: '', entityId: '', relation: '', subjectType: '', subjectId: '' };
const NO_ATTRIBUTE_FILTER = { entityType: '', entityId: '', attribute: '' };

/** `document:1$public = true (boolean)`, from Permify's `{"@type": "…BooleanValue", data}` value. */
export function attributeText(a: WireAttribute): string {
  const v = a.value as { '@type'?: unknown; data?: unknown } | null;
  const typeName = typeof v?.['@type'] === 'string' ? v['@type'].replace(/^.*\./, '') : '';
  const kind = typeName.replace(/ArrayValue$/, '[]').replace(/Value$/, '').toLowerCase();
  const data = v !== null && typeof v === 'object' && 'data' in v ? v.data : v;
  return `${a.entity.type}:${a.entity.id}$${a.attribute} = ${JSON.stringify(data)}${kind === '' ? '' : ` (${kind})`}`;
}

/** Data: the tenant's relationships and attributes, filtered and paged; add and delete tuples. */
export function DataView(props: { api: Api; tenant: string; lastChange: ChangeEvent | undefined }): ReactNode {
  const { api, tenant, lastChange } = props;
  const [draft, setDraft] = useState(NO_TUPLE_FILTER);
  const [filter, setFilter] = useState(NO_TUPLE_FILTER);
  const [attrDraft, setAttrDraft] = useState(NO_ATTRIBUTE_FILTER);
  const [attrFilter, setAttrFilter] = useState(NO_ATTRIBUTE_FILTER);
  const [newTuple, setNewTuple] = useState('');
  const [newAttribute, setNewAttribute] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  const loadTuples = useCallback(
    async (f: typeof NO_TUPLE_FILTER, token: string) => {
      const r = await api.relationships(tenant, f, PAGE_SIZE, token);
      return { items: r.tuples, next: r.next };
    },
    [api, tenant],
  );
  const loadAttributes = useCallback(
    async (f: typeof NO_ATTRIBUTE_FILTER, token: string) => {
      const r = await api.attributes(tenant, f, PAGE_SIZE, token);
      return { items: r.attributes, next: r.next };
    },
    [api, tenant],
  );
  // Reload the first page when the data changes (a write here or anywhere else).
  const changed = useDebounced(lastChange?.snapToken, 250);
  const tuples = usePaged<WireTuple, typeof NO_TUPLE_FILTER>(loadTuples, filter, changed);
  const attributes = usePaged<WireAttribute, typeof NO_ATTRIBUTE_FILTER>(loadAttributes, attrFilter, changed);

  const done = (what: string) => (snap: string) => {
    setMessage(`${what} at snap token ${snap}`);
    setError(undefined);
  };
  const fail = (err: unknown): void => {
    setError((err as Error).message);
  };
  const add = (e: SyntheticEvent): void => {
    e.preventDefault();
    const t = newTuple.trim();
    api.writeTuple(tenant, t).then(done(`added ${t}`)).then(() => { setNewTuple(''); }).catch(fail);
  };
  const addAttribute = (e: SyntheticEvent): void => {
    e.preventDefault();
    const a = newAttribute.trim();
    api.writeAttribute(tenant, a).then(done(`wrote ${a}`)).then(() => { setNewAttribute(''); }).catch(fail);
  };
  const remove = (t: string): void => {
    api.deleteTuple(tenant, t).then(done(`deleted ${t}`)).catch(fail);
  };
  const input = (id: string, label: string, value: string, set: (v: string) => void, placeholder = ''): ReactNode => (
    <span className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} placeholder={placeholder} onChange={(e) => { set(e.target.value); }} />
    </span>
  );

  return (
    <div className="data-view">
      <form onSubmit={add} className="add-form">
        {input('add-tuple', 'Tuple', newTuple, setNewTuple, 'document:1#viewer@user:alice')}
        <button type="submit" disabled={newTuple.trim() === ''}>Add tuple</button>
      </form>
      <form onSubmit={addAttribute} className="add-form">
        {input('add-attribute', 'Attribute', newAttribute, setNewAttribute, 'document:1$public|boolean:true')}
        <button type="submit" disabled={newAttribute.trim() === ''}>Write attribute</button>
      </form>
      <p role="status" aria-live="polite" className="message">{message ?? ''}</p>
      {error === undefined ? null : <p role="alert" className="error">{error}</p>}

      <section aria-labelledby="relationships-heading">
        <h2 id="relationships-heading">Relationships</h2>
        <form className="filter" onSubmit={(e) => { e.preventDefault(); setFilter(draft); }} aria-label="Relationship filter">
          {input('f-entity-type', 'Entity type', draft.entityType, (v) => { setDraft({ ...draft, entityType: v }); })}
          {input('f-entity-id', 'Entity id', draft.entityId, (v) => { setDraft({ ...draft, entityId: v }); })}
          {input('f-relation', 'Relation', draft.relation, (v) => { setDraft({ ...draft, relation: v }); })}
          {input('f-subject-type', 'Subject type', draft.subjectType, (v) => { setDraft({ ...draft, subjectType: v }); })}
          {input('f-subject-id', 'Subject id', draft.subjectId, (v) => { setDraft({ ...draft, subjectId: v }); })}
          <button type="submit">Filter relationships</button>
        </form>
        {tuples.error === undefined ? null : <p role="alert" className="error">{tuples.error}</p>}
        <table>
          <thead>
            <tr><th scope="col">Tuple</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {tuples.state.items.map((t) => {
              const text = tupleText(t);
              return (
                <tr key={text}>
                  <td><code>{text}</code></td>
                  <td><button type="button" aria-label={`Delete ${text}`} onClick={() => { remove(text); }}>Delete</button></td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {tuples.state.items.length === 0 ? <p>No relationships match.</p> : null}
        <Pager label="Relationships" page={tuples.state.page} hasNext={tuples.state.next !== ''} onFirst={tuples.first} onNext={tuples.next} />
      </section>

      <section aria-labelledby="attributes-heading">
        <h2 id="attributes-heading">Attributes</h2>
        <form className="filter" onSubmit={(e) => { e.preventDefault(); setAttrFilter(attrDraft); }} aria-label="Attribute filter">
          {input('a-entity-type', 'Entity type', attrDraft.entityType, (v) => { setAttrDraft({ ...attrDraft, entityType: v }); })}
          {input('a-entity-id', 'Entity id', attrDraft.entityId, (v) => { setAttrDraft({ ...attrDraft, entityId: v }); })}
          {input('a-attribute', 'Attribute name', attrDraft.attribute, (v) => { setAttrDraft({ ...attrDraft, attribute: v }); })}
          <button type="submit">Filter attributes</button>
        </form>
        {attributes.error === undefined ? null : <p role="alert" className="error">{attributes.error}</p>}
        <ul className="attributes">
          {attributes.state.items.map((a) => (
            <li key={`${a.entity.type}:${a.entity.id}$${a.attribute}`}><code>{attributeText(a)}</code></li>
          ))}
        </ul>
        {attributes.state.items.length === 0 ? <p>No attributes match.</p> : null}
        <Pager label="Attributes" page={attributes.state.page} hasNext={attributes.state.next !== ''} onFirst={attributes.first} onNext={attributes.next} />
      </section>
    </div>
  );
}
