/** One member as a table row: who, status, role checkboxes (assignable roles only), Remove with a confirm step. */
import { useEffect, useId, useRef, useState } from 'react';
import type { ReactElement } from 'react';

import { isInvitation, memberLabel, roleControls } from '../members-model.js';
import { format } from '../strings.js';
import type { ElementsStrings } from '../strings.js';
import type { Member, RoleInfo } from '../types.js';

/** Props of {@link MemberRow}. */
export interface MemberRowProps {
  readonly member: Member;
  readonly roles: readonly RoleInfo[];
  readonly strings: ElementsStrings;
  /** Whether Remove (members) and Revoke (invitations) are offered: the viewer's `manage_members`. */
  readonly canManage: boolean;
  readonly onRole: (member: Member, role: string, held: boolean) => Promise<void>;
  readonly onRemove: (member: Member) => Promise<void>;
  readonly onRevoke: (member: Member) => Promise<void>;
}

/** A member's row. A checkbox is disabled while its change is on its way. */
export function MemberRow(props: MemberRowProps): ReactElement {
  const { member, strings: s } = props;
  const id = useId();
  /** What is on its way to the server: a role change (shown at once, undone if refused) or `*` for remove/revoke. */
  const [pending, setPending] = useState<{ readonly role: string; readonly held: boolean } | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const removeRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  const active = !isInvitation(member);
  const controls = roleControls(member, props.roles);
  const label = memberLabel(member);

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
    else if (wasConfirming.current) removeRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  async function toggle(role: string, held: boolean): Promise<void> {
    setPending({ role, held });
    try {
      await props.onRole(member, role, held);
    } finally {
      setPending(undefined);
    }
  }

  async function run(action: (member: Member) => Promise<void>): Promise<void> {
    setPending({ role: '*', held: false });
    try {
      await action(member);
    } finally {
      setPending(undefined);
      setConfirming(false);
    }
  }

  return (
    <tr data-member={member.id} data-invitation={member.invitationId}>
      <th scope="row" id={`${id}-who`} className="gh-who">
        <span className="gh-name">{label}</span>
        {member.email !== undefined && member.email !== label ? <span className="gh-muted">{member.email}</span> : null}
        {member.email === undefined && member.id !== label ? <span className="gh-muted">{member.id}</span> : null}
      </th>
      <td>{member.status === 'invited' ? s.statusInvited : member.status === 'active' ? s.statusActive : member.status}</td>
      <td className="gh-role-cell">
        {active && controls.editable.length > 0 ? (
          <fieldset className="gh-roles">
            <legend className="gh-visually-hidden">{format(s.rolesOf, { member: label })}</legend>
            {controls.editable.map(({ role, held }) => (
              <label key={role} className="gh-check">
                <input
                  type="checkbox"
                  checked={pending?.role === role ? pending.held : held}
                  disabled={pending !== undefined}
                  onChange={(e) => void toggle(role, e.currentTarget.checked)}
                />
                <span>{role}</span>
              </label>
            ))}
          </fieldset>
        ) : null}
        {(active ? controls.fixed : member.roles).map((role) => (
          <span key={role} className="gh-badge">{role}</span>
        ))}
      </td>
      {props.canManage ? <td className="gh-actions">
        {!active ? (
          <button type="button" className="gh-button gh-danger-outline" aria-describedby={`${id}-who`} disabled={pending !== undefined} onClick={() => void run(props.onRevoke)}>
            {s.revoke}
          </button>
        ) : null}
        {active && !confirming ? (
          <button type="button" ref={removeRef} className="gh-button gh-danger-outline" aria-describedby={`${id}-who`} disabled={pending !== undefined} onClick={() => { setConfirming(true); }}>
            {s.remove}
          </button>
        ) : null}
        {confirming ? (
          <>
            <button type="button" ref={confirmRef} className="gh-button gh-danger" aria-describedby={`${id}-who`} disabled={pending !== undefined} onClick={() => void run(props.onRemove)} onKeyDown={(e) => {
              if (e.key === 'Escape') setConfirming(false);
            }}>
              {s.confirmRemove}
            </button>
            <button type="button" className="gh-button" onClick={() => { setConfirming(false); }}>{s.cancel}</button>
          </>
        ) : null}
      </td> : null}
    </tr>
  );
}
