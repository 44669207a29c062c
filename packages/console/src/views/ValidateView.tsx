import { useState } from 'react';
import type { ChangeEvent, SyntheticEvent, ReactNode } from 'react';
import type { Api, ValidationAnswer } from '../api.js';

/** Validate: paste or upload a Permify validation file and see each assertion's result. */
export function ValidateView(props: { api: Api }): ReactNode {
  const [yaml, setYaml] = useState('');
  const [result, setResult] = useState<ValidationAnswer | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const upload = (e: ChangeEvent<HTMLInputElement>): void => {
    const file = e.target.files?.[0];
    if (file === undefined) return;
    file
      .text()
      .then(setYaml)
      .catch((err: unknown) => {
        setError((err as Error).message);
      });
  };
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    setBusy(true);
    props.api
      .validate(yaml)
      .then((r) => {
        setResult(r);
        setError(undefined);
      })
      .catch((err: unknown) => {
        setResult(undefined);
        setError((err as Error).message);
      })
      .finally(() => {
        setBusy(false);
      });
  };
  return (
    <div className="validate-view">
      <form onSubmit={submit}>
        <label htmlFor="validation-yaml">Validation YAML</label>
        <textarea id="validation-yaml" rows={14} value={yaml} spellCheck={false} onChange={(e) => { setYaml(e.target.value); }} />
        <label htmlFor="validation-file">Upload a file</label>
        <input id="validation-file" type="file" accept=".yaml,.yml,text/yaml" onChange={upload} />
        <button type="submit" disabled={busy || yaml.trim() === ''}>Run validation</button>
      </form>
      {error === undefined ? null : <p role="alert" className="error">{error}</p>}
      {result === undefined ? null : (
        <section aria-labelledby="validation-heading" className="validation-result">
          <h2 id="validation-heading">
            {result.errors.length > 0 ? 'The file is invalid' : result.failed === 0 ? 'Every assertion holds' : 'Some assertions fail'}:{' '}
            {result.passed} passed, {result.failed} failed
          </h2>
          {result.errors.length === 0 ? null : (
            <ul className="errors">
              {result.errors.map((e) => (
                <li key={`${String(e.line)}:${String(e.column)}`}>Line {e.line}, column {e.column}: {e.message}</li>
              ))}
            </ul>
          )}
          {result.outcomes.length === 0 ? null : (
            <table aria-label="Assertions">
              <thead>
                <tr><th scope="col">Result</th><th scope="col">Scenario</th><th scope="col">Kind</th><th scope="col">Query</th><th scope="col">Expected</th><th scope="col">Actual</th></tr>
              </thead>
              <tbody>
                {result.outcomes.map((f, i) => (
                  <tr key={i} className={f.passed ? 'passed' : 'failed'}>
                    <td>{f.passed ? '✓ passed' : '✗ failed'}</td>
                    <td>{f.scenario}</td><td>{f.kind}</td><td><code>{f.query}</code></td>
                    <td><code>{JSON.stringify(f.expected)}</code></td><td><code>{JSON.stringify(f.actual)}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </div>
  );
}
