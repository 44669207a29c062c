import { useCallback, useEffect, useState } from 'react';
import type { KeyboardEvent, ReactNode, SyntheticEvent } from 'react';
import { Api, ApiError } from './api.js';
import { storedKey, storeKey } from './session.js';
import { useFeed } from './use-feed.js';
import { CheckView } from './views/CheckView.js';
import { DataView } from './views/DataView.js';
import { LiveView } from './views/LiveView.js';
import { LookupsView } from './views/LookupsView.js';
import { SchemaView } from './views/SchemaView.js';
import { ValidateView } from './views/ValidateView.js';

const TABS = ['Schema', 'Data', 'Check', 'Lookups', 'Live', 'Validate'] as const;
type Tab = (typeof TABS)[number];
const DEFAULT_TENANT = 't1';

interface Session {
  readonly api: Api;
  readonly tenants: readonly string[];
}

function SignIn(props: { onSignedIn: (s: Session) => void; error: string | undefined }): ReactNode {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(props.error);
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    setBusy(true);
    const api = new Api(key);
    api
      .tenants()
      .then((tenants) => {
        storeKey(key);
        props.onSignedIn({ api, tenants });
      })
      .catch((err: unknown) => {
        setError(err instanceof ApiError && err.status === 401 ? 'That API key was not accepted.' : (err as Error).message);
        setBusy(false);
      });
  };
  return (
    <main className="sign-in">
      <h1>Gatehouse console</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label htmlFor="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" value={key} onChange={(e) => { setKey(e.target.value); }} required />
        <button type="submit" disabled={busy || key === ''}>Sign in</button>
        {error === undefined ? null : <p role="alert" className="error">{error}</p>}
        <p className="hint">The key stays in this tab (session storage) and is sent only as a request header.</p>
      </form>
    </main>
  );
}

function Console(props: { session: Session; onSignOut: () => void }): ReactNode {
  const { api, tenants } = props.session;
  // The default tenant first when the key may use it.
  const [tenant, setTenant] = useState(tenants.includes(DEFAULT_TENANT) ? DEFAULT_TENANT : (tenants[0] ?? ''));
  const [tab, setTab] = useState<Tab>('Check');
  const [visited, setVisited] = useState<ReadonlySet<Tab>>(new Set(['Check']));
  const feed = useFeed(api, tenant);
  useEffect(() => {
    // When the console first stood ready (signed in, tenants listed): read by the first-render measurement.
    performance.mark('gatehouse-console:ready');
  }, []);
  const open = useCallback((t: Tab) => {
    setTab(t);
    setVisited((v) => (v.has(t) ? v : new Set([...v, t])));
  }, []);
  // The tabs pattern: arrow keys (and Home / End) move between tabs, Tab leaves the tab list.
  const onTabKey = (e: KeyboardEvent): void => {
    const i = TABS.indexOf(tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1 + TABS.length, Home: 0, End: TABS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const t = TABS[next % TABS.length] ?? tab;
    open(t);
    document.getElementById(`tab-${t}`)?.focus();
  };
  const views: Record<Tab, ReactNode> = {
    Schema: <SchemaView api={api} tenant={tenant} />,
    Data: <DataView api={api} tenant={tenant} lastChange={feed.last} />,
    Check: <CheckView api={api} tenant={tenant} lastChange={feed.last} />,
    Lookups: <LookupsView api={api} tenant={tenant} />,
    Live: <LiveView feed={feed} />,
    Validate: <ValidateView api={api} />,
  };
  return (
    <div className="console">
      <header>
        <h1>Gatehouse console</h1>
        <label htmlFor="tenant">Tenant</label>
        <select id="tenant" value={tenant} onChange={(e) => { setTenant(e.target.value); }}>
          {tenants.map((t) => (
            <option key={t} value={t}>{t}</option>
          ))}
        </select>
        <span className={`feed-status ${feed.status}`} title={feed.message}>change feed: {feed.status}</span>
        <button type="button" onClick={props.onSignOut}>Sign out</button>
      </header>
      {tenants.length === 0 ? (
        <p role="alert">This key may use no tenant.</p>
      ) : (
        <>
          <nav role="tablist" aria-label="Views" onKeyDown={onTabKey}>
            {TABS.map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                id={`tab-${t}`}
                aria-selected={t === tab}
                aria-controls={`panel-${t}`}
                tabIndex={t === tab ? 0 : -1}
                onClick={() => { open(t); }}
              >
                {t}
              </button>
            ))}
          </nav>
          {TABS.filter((t) => visited.has(t)).map((t) => (
            <section key={`${t}-${tenant}`} role="tabpanel" id={`panel-${t}`} aria-labelledby={`tab-${t}`} hidden={t !== tab}>
              {views[t]}
            </section>
          ))}
        </>
      )}
    </div>
  );
}

/** The console: sign in with an API key, pick a tenant, then the views. */
export function App(): ReactNode {
  const [session, setSession] = useState<Session | undefined>();
  const [restoring, setRestoring] = useState(() => storedKey() !== undefined);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const key = storedKey();
    if (key === undefined) return;
    const api = new Api(key);
    api
      .tenants()
      .then((tenants) => { setSession({ api, tenants }); })
      .catch((err: unknown) => {
        storeKey(undefined);
        setError((err as Error).message);
      })
      .finally(() => { setRestoring(false); });
  }, []);
  const signOut = useCallback(() => {
    storeKey(undefined);
    setSession(undefined);
  }, []);
  if (restoring) return <p className="loading">Loading…</p>;
  if (session === undefined) return <SignIn onSignedIn={setSession} error={error} />;
  return <Console session={session} onSignOut={signOut} />;
}
