/**
 * `<AuditLog>`: the tenant's audit trail, oldest first (commit order), with filters (actor, action, target,
 * since, until) and "Load more", which also fetches entries written since the last page.
 */
import { useCallback, useId, useState } from 'react';
import type { SyntheticEvent, ReactElement } from 'react';

import { auditFilterOf, detailsText, emptyAuditFilterForm, timeText } from '../audit-model.js';
import type { AuditFilterForm } from '../audit-model.js';
import { appendPage } from '../members-model.js';
import type { AuditEntry, AuditFilter } from '../types.js';
import { classes, errorText, useAdminClient, useLoad, useStrings } from './common.js';
import type { ViewProps } from './common.js';

/** Props of {@link AuditLog}. */
export interface AuditLogProps extends ViewProps {
  /** Entries per page. @defaultValue 50 */
  readonly pageSize?: number | undefined;
  /** The filter applied first (the form starts with it). */
  readonly initialFilter?: AuditFilter | undefined;
  /** Locale of the times shown. @defaultValue the browser's */
  readonly locale?: string | undefined;
}

const fields = ['actor', 'action', 'target'] as const;

/** The audit trail view. Keyboard-usable, labelled filters; failures go to its `role="alert"` region. */
export function AuditLog(props: AuditLogProps): ReactElement {
  const client = useAdminClient(props);
  const s = useStrings(props.strings);
  const id = useId();
  const pageSize = props.pageSize ?? 50;
  const [form, setForm] = useState<AuditFilterForm>(() => ({ ...emptyAuditFilterForm, ...pick(props.initialFilter) }));
  const [filter, setFilter] = useState<AuditFilter>(() => props.initialFilter ?? {});
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const load = useCallback(
    async (applied: AuditFilter, signal?: AbortSignal, background = false): Promise<void> => {
      setLoading(true);
      try {
        const page = await client.listAudit({ filter: applied, pageSize }, signal);
        setEntries([...page.items]);
        setNext(page.continuousToken);
        if (!background) setError('');
      } catch (err) {
        if (signal?.aborted !== true) {
          setError(errorText(s, err));
          setNotice('');
        }
      } finally {
        if (signal?.aborted !== true) setLoading(false);
      }
    },
    [client, pageSize, s],
  );

  useLoad(useCallback((signal, background) => load(filter, signal, background), [load, filter]), props.refreshKey);

  function apply(event: SyntheticEvent): void {
    event.preventDefault();
    const result = auditFilterOf(form);
    if ('invalid' in result) {
      setError(`${s[result.invalid]}: ${s.invalidTime}`);
      return;
    }
    setNotice('');
    setFilter(result.filter);
  }

  function clear(): void {
    setForm(emptyAuditFilterForm);
    setNotice('');
    setFilter({});
  }

  async function more(): Promise<void> {
    if (next === undefined) return;
    setLoading(true);
    try {
      const page = await client.listAudit({ filter, pageSize, continuousToken: next });
      setEntries((current) => appendPage(current, page.items, (e) => e.id));
      setNext(page.continuousToken ?? next);
      setNotice(page.items.length === 0 ? s.upToDate : '');
      setError('');
    } catch (err) {
      setError(errorText(s, err));
    } finally {
      setLoading(false);
    }
  }

  const input = (key: keyof AuditFilterForm, type: string): ReactElement => (
    <div className="gh-field" key={key}>
      <label htmlFor={`${id}-${key}`}>{s[key]}</label>
      <input id={`${id}-${key}`} type={type} value={form[key]} onChange={(e) => {
        const value = e.currentTarget.value;
        setForm((f) => ({ ...f, [key]: value }));
      }} />
    </div>
  );

  return (
    <section className={classes('gh-admin', 'gh-audit', props.className)} aria-labelledby={`${id}-title`} aria-busy={loading}>
      <h2 id={`${id}-title`} className="gh-title">{s.auditTitle}</h2>
      <p role="alert" className={classes('gh-alert', error === '' && 'gh-empty')}>{error}</p>
      <p role="status" className={classes('gh-notice', notice === '' && 'gh-empty')}>{notice}</p>
      <form className="gh-filters" aria-label={s.filters} onSubmit={apply}>
        <div className="gh-fields">
          {fields.map((key) => input(key, 'text'))}
          {input('since', 'datetime-local')}
          {input('until', 'datetime-local')}
          <button type="submit" className="gh-button gh-primary">{s.apply}</button>
          <button type="button" className="gh-button" onClick={clear}>{s.clear}</button>
        </div>
      </form>
      <table className="gh-table">
        <thead>
          <tr>
            <th scope="col">{s.time}</th>
            <th scope="col">{s.actor}</th>
            <th scope="col">{s.action}</th>
            <th scope="col">{s.target}</th>
            <th scope="col">{s.details}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} data-entry={entry.id}>
              <td><time dateTime={entry.at}>{timeText(entry.at, props.locale)}</time></td>
              <td>{entry.actor}</td>
              <td>{entry.action}</td>
              <td>{entry.target ?? ''}</td>
              <td className="gh-details">{detailsText(entry.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && entries.length === 0 ? <p className="gh-muted">{s.noEntries}</p> : null}
      <div className="gh-paging">
        {next !== undefined ? (
          <button type="button" className="gh-button" disabled={loading} onClick={() => void more()}>{loading ? s.loading : s.loadMore}</button>
        ) : null}
        <button type="button" className="gh-button" disabled={loading} onClick={() => void load(filter)}>{s.refresh}</button>
      </div>
    </section>
  );
}

function pick(filter: AuditFilter | undefined): Partial<AuditFilterForm> {
  if (filter === undefined) return {};
  const out: Partial<Record<keyof AuditFilterForm, string>> = {};
  for (const key of fields) if (typeof filter[key] === 'string') out[key] = filter[key];
  return out;
}
