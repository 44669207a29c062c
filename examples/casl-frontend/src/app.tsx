import { subject } from '@casl/ability';
import type { MongoAbility } from '@casl/ability';
import { AbilityProvider, Can, useAbility } from '@casl/react';
import { RemoteAbility } from '@gatehouse/casl/browser';
import { useEffect, useState, useSyncExternalStore } from 'react';

import { users } from '../policy.js';

interface Login {
  readonly user: string;
  readonly tenant: string;
}
interface Doc {
  readonly id: string;
  readonly title: string;
}

function headersOf(login: Login): Record<string, string> {
  return { authorization: `Bearer ${login.user}`, 'x-tenant-id': login.tenant };
}

function LoginForm({ onLogin }: { onLogin: (login: Login) => void }): React.JSX.Element {
  const [user, setUser] = useState<string>(users[0].id);
  const [tenant, setTenant] = useState<string>(users[0].tenant);
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        onLogin({ user, tenant });
      }}
    >
      <h2>Log in</h2>
      <label htmlFor="user">User</label>
      <select
        id="user"
        value={user}
        onChange={(e) => {
          setUser(e.target.value);
          setTenant(users.find((u) => u.id === e.target.value)?.tenant ?? tenant);
        }}
      >
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.id} ({u.role})
          </option>
        ))}
      </select>
      <label htmlFor="tenant">Tenant</label>
      <select id="tenant" value={tenant} onChange={(e) => setTenant(e.target.value)}>
        <option value="acme">acme</option>
        <option value="globex">globex</option>
      </select>
      <p>
        <button className="primary" type="submit" id="login">
          Log in
        </button>
      </p>
    </form>
  );
}

function Documents({ docs, remote }: { docs: readonly Doc[]; remote: RemoteAbility }): React.JSX.Element {
  const ability = useAbility<MongoAbility>();
  const version = useSyncExternalStore(remote.subscribe, remote.getSnapshot);
  return (
    <div className="card">
      <h2>Documents</h2>
      <table>
        <tbody>
          {docs.map((doc) => (
            <tr key={doc.id} data-doc={doc.id}>
              <td>#{doc.id}</td>
              <td>{doc.title}</td>
              <td className="actions">
                <Can I="edit" this={subject('document', { ...doc })}>
                  <button className="edit" data-action={`edit-${doc.id}`}>
                    Edit
                  </button>
                </Can>
                <Can I="delete" this={subject('document', { ...doc })}>
                  <button className="delete" data-action={`delete-${doc.id}`}>
                    Delete
                  </button>
                </Can>
                {!ability.can('edit', subject('document', { ...doc })) && <span className="muted">read only</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="status" id="status">
        rules version {version} · snap token {remote.snapToken ?? '-'}
      </p>
    </div>
  );
}

async function loadDocuments(login: Login): Promise<Doc[]> {
  const res = await fetch('/api/documents', { headers: headersOf(login) });
  if (!res.ok) throw new Error(`documents: HTTP ${String(res.status)}`);
  return ((await res.json()) as { documents: Doc[] }).documents;
}

function Session({ login, onLogout }: { login: Login; onLogout: () => void }): React.JSX.Element {
  const [remote, setRemote] = useState<RemoteAbility>();
  const [docs, setDocs] = useState<readonly Doc[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const query = new URLSearchParams({ user: login.user, tenant: login.tenant });
    const r = new RemoteAbility({
      url: '/api/abilities',
      headers: headersOf(login),
      eventsUrl: `/api/events?${query.toString()}`,
      refreshIntervalMs: 60_000,
      onError: (err) => setError(String(err)),
    });
    r.ready.then(() => setRemote(r), (err: unknown) => setError(String(err)));
    loadDocuments(login).then(setDocs, (err: unknown) => setError(String(err)));
    return () => r.close();
  }, [login]);

  return (
    <>
      <header>
        <h1>Gatehouse + CASL</h1>
        <span id="who">
          {login.user} @ {login.tenant}
        </span>
        <button onClick={onLogout} id="logout">
          Log out
        </button>
      </header>
      <main>
        {error !== undefined && <p className="card">Error: {error}</p>}
        {remote !== undefined && docs !== undefined ? (
          <AbilityProvider value={remote.ability}>
            <Documents docs={docs} remote={remote} />
          </AbilityProvider>
        ) : (
          <p className="card">Loading…</p>
        )}
      </main>
    </>
  );
}

/** The page: a login screen, then the tenant's documents with Edit/Delete where the user may. */
export function App(): React.JSX.Element {
  const [login, setLogin] = useState<Login>();
  if (login === undefined) {
    return (
      <>
        <header>
          <h1>Gatehouse + CASL</h1>
        </header>
        <main>
          <LoginForm onLogin={setLogin} />
        </main>
      </>
    );
  }
  return <Session key={`${login.user}@${login.tenant}`} login={login} onLogout={() => setLogin(undefined)} />;
}
