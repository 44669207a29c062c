/**
 * `<Members>`: the tenant's members and pending invitations, the role checkboxes the viewer may use, Remove
 * and Revoke when the viewer may manage members, and the invite form.
 */
import { useCallback, useId, useRef, useState } from 'react';
import type { SyntheticEvent, ReactElement } from 'react';

import { appendPage, assignableRoles, memberKey, memberLabel, withRole } from '../members-model.js';
import { format } from '../strings.js';
import type { InviteResult, Member, RolesAnswer } from '../types.js';
import { classes, errorText, useAdminClient, useLoad, useStrings } from './common.js';
import type { ViewProps } from './common.js';
import { InviteForm } from './invite-form.js';
import { MemberRow } from './member-row.js';

/** A change the view made, as reported to `onChange`. */
export interface MemberChange {
  readonly action: 'member.role.assign' | 'member.role.revoke' | 'member.remove' | 'invitation.revoke' | 'member.invite';
  readonly userId?: string | undefined;
  readonly role?: string | undefined;
  readonly invitationId?: string | undefined;
  readonly snapToken?: string | undefined;
}

/** Props of {@link Members}. */
export interface MembersProps extends ViewProps {
  /** Members per page. @defaultValue 50 */
  readonly pageSize?: number | undefined;
  /**
   * Called with each new invitation and its token (when the app's route returns it). The view also shows the
   * token once, unless `showToken` is false.
   */
  readonly onInvite?: ((result: InviteResult) => void) | undefined;
  /** Whether the view shows a new invitation's token. @defaultValue true */
  readonly showToken?: boolean | undefined;
  /** Called after each change the server confirmed. */
  readonly onChange?: ((change: MemberChange) => void) | undefined;
}

/** The member management view. Keyboard-usable, labelled controls; failures go to its `role="alert"` region. */
export function Members(props: MembersProps): ReactElement {
  const client = useAdminClient(props);
  const s = useStrings(props.strings);
  const id = useId();
  const pageSize = props.pageSize ?? 50;
  const [access, setAccess] = useState<RolesAnswer | undefined>(undefined);
  const [members, setMembers] = useState<Member[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [query, setQuery] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [invited, setInvited] = useState<InviteResult | undefined>(undefined);
  const { onChange, onInvite } = props;
  const searched = useRef('');

  function fail(err: unknown): void {
    setError(errorText(s, err));
    setNotice('');
  }

  /** Loads roles and the first page; a background load (a refresh) keeps an error on show. */
  const load = useCallback(
    async (search: string, signal?: AbortSignal, background = false): Promise<void> => {
      searched.current = search;
      setLoading(true);
      try {
        const roles = await client.listRoles(signal);
        setAccess(roles);
        if (!roles.permissions.view_members) {
          setMembers([]);
          setNext(undefined);
          return;
        }
        const page = await client.listMembers({ pageSize, query: search }, signal);
        setMembers([...page.items]);
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

  useLoad(useCallback((signal, background) => load(searched.current, signal, background), [load]), props.refreshKey);

  async function more(): Promise<void> {
    if (next === undefined) return;
    setLoading(true);
    try {
      const page = await client.listMembers({ pageSize, query: searched.current, continuousToken: next });
      setMembers((current) => appendPage(current, page.items, memberKey));
      setNext(page.continuousToken);
    } catch (err) {
      fail(err);
    } finally {
      setLoading(false);
    }
  }

  function search(event: SyntheticEvent): void {
    event.preventDefault();
    void load(query.trim());
  }

  async function changeRole(member: Member, role: string, held: boolean): Promise<void> {
    if (member.id === undefined) return;
    const label = memberLabel(member);
    try {
      const snapToken = held ? await client.assignRole(member.id, role) : await client.revokeRole(member.id, role);
      setMembers((current) => current.map((m) => (memberKey(m) === memberKey(member) ? withRole(m, role, held) : m)));
      setError('');
      setNotice(format(held ? s.roleAssigned : s.roleRevoked, { role, member: label }));
      onChange?.({ action: held ? 'member.role.assign' : 'member.role.revoke', userId: member.id, role, snapToken });
    } catch (err) {
      fail(err);
    }
  }

  async function remove(member: Member): Promise<void> {
    if (member.id === undefined) return;
    try {
      const snapToken = await client.removeMember(member.id);
      setMembers((current) => current.filter((m) => memberKey(m) !== memberKey(member)));
      setError('');
      setNotice(format(s.memberRemoved, { member: memberLabel(member) }));
      onChange?.({ action: 'member.remove', userId: member.id, snapToken });
    } catch (err) {
      fail(err);
    }
  }

  async function revoke(member: Member): Promise<void> {
    if (member.invitationId === undefined) return;
    try {
      await client.revokeInvitation(member.invitationId);
      setMembers((current) => current.filter((m) => memberKey(m) !== memberKey(member)));
      // The token of a revoked invitation is worth nothing: stop showing it.
      setInvited((shown) => (shown?.invitation.id === member.invitationId ? undefined : shown));
      setError('');
      setNotice(format(s.invitationRevoked, { email: member.email ?? '' }));
      onChange?.({ action: 'invitation.revoke', invitationId: member.invitationId });
    } catch (err) {
      fail(err);
    }
  }

  function invitedOne(result: InviteResult): void {
    setError('');
    if (props.showToken !== false && result.token !== undefined) setInvited(result);
    onInvite?.(result);
    onChange?.({ action: 'member.invite', invitationId: result.invitation.id });
    void load(searched.current, undefined, true);
  }

  const roles = access?.roles ?? [];
  const canManage = access?.permissions.manage_members === true;
  const mayInvite = canManage && assignableRoles(roles).length > 0;

  return (
    <section className={classes('gh-admin', 'gh-members', props.className)} aria-labelledby={`${id}-title`} aria-busy={loading}>
      <h2 id={`${id}-title`} className="gh-title">{s.membersTitle}</h2>
      <p role="alert" className={classes('gh-alert', error === '' && 'gh-empty')}>{error}</p>
      <p role="status" className={classes('gh-notice', notice === '' && 'gh-empty')}>{notice}</p>
      {access !== undefined && !access.permissions.view_members ? <p>{s.notAllowed}</p> : null}
      {invited?.token !== undefined ? (
        <div className="gh-token">
          <label htmlFor={`${id}-token`}>{s.invitationToken}</label>
          <input id={`${id}-token`} readOnly value={invited.token} onFocus={(e) => { e.currentTarget.select(); }} />
          <button type="button" className="gh-button" onClick={() => { setInvited(undefined); }}>{s.dismiss}</button>
        </div>
      ) : null}
      {mayInvite ? (
        <InviteForm client={client} roles={roles} strings={s} onInvited={invitedOne} onError={(text) => {
          setError(text);
          setNotice('');
        }} onNotice={setNotice} />
      ) : null}
      {access?.permissions.view_members === true ? (
        <>
          <form className="gh-search" role="search" onSubmit={search}>
            <div className="gh-field">
              <label htmlFor={`${id}-search`}>{s.search}</label>
              <input id={`${id}-search`} type="search" value={query} onChange={(e) => { setQuery(e.currentTarget.value); }} />
            </div>
            <button type="submit" className="gh-button">{s.searchButton}</button>
          </form>
          <table className="gh-table">
            <thead>
              <tr>
                <th scope="col">{s.member}</th>
                <th scope="col">{s.status}</th>
                <th scope="col">{s.roles}</th>
                {canManage ? <th scope="col">{s.actions}</th> : null}
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <MemberRow
                  key={memberKey(member)}
                  member={member}
                  roles={roles}
                  strings={s}
                  canManage={canManage}
                  onRole={changeRole}
                  onRemove={remove}
                  onRevoke={revoke}
                />
              ))}
            </tbody>
          </table>
          {!loading && members.length === 0 ? <p className="gh-muted">{s.noMembers}</p> : null}
          {next !== undefined ? (
            <button type="button" className="gh-button" disabled={loading} onClick={() => void more()}>{loading ? s.loading : s.loadMore}</button>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
