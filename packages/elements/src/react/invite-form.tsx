/** The invite form: Email, Name, Role (only roles the viewer may assign) and the Invite button. */
import { useId, useState } from 'react';
import type { SyntheticEvent, ReactElement } from 'react';

import type { AdminClient } from '../client.js';
import { assignableRoles, inviteProblem } from '../members-model.js';
import { format } from '../strings.js';
import type { ElementsStrings } from '../strings.js';
import type { InviteResult, RoleInfo } from '../types.js';
import { errorText } from './common.js';

/** Props of {@link InviteForm}. */
export interface InviteFormProps {
  readonly client: AdminClient;
  readonly roles: readonly RoleInfo[];
  readonly strings: ElementsStrings;
  readonly onInvited: (result: InviteResult) => void;
  readonly onError: (text: string) => void;
  readonly onNotice: (text: string) => void;
}

/** Invites a member by email with one role; the token, when the app returns it, goes to `onInvited`. */
export function InviteForm(props: InviteFormProps): ReactElement {
  const { strings: s, roles } = props;
  const id = useId();
  const choices = assignableRoles(roles);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState(choices[0] ?? '');
  const [busy, setBusy] = useState(false);
  const chosen = choices.includes(role) ? role : (choices[0] ?? '');

  async function submit(event: SyntheticEvent): Promise<void> {
    event.preventDefault();
    const problem = inviteProblem({ email, role: chosen }, roles);
    if (problem !== undefined) {
      props.onError(s[problem]);
      return;
    }
    setBusy(true);
    try {
      const result = await props.client.invite({ email: email.trim(), name: name.trim(), roles: [chosen] });
      props.onNotice(format(s.invitationCreated, { email: result.invitation.email ?? email.trim() }));
      props.onInvited(result);
      setEmail('');
      setName('');
    } catch (err) {
      props.onError(errorText(s, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="gh-invite" aria-labelledby={`${id}-title`} onSubmit={(e) => void submit(e)} noValidate>
      <h3 id={`${id}-title`} className="gh-subtitle">{s.inviteTitle}</h3>
      <div className="gh-fields">
        <div className="gh-field">
          <label htmlFor={`${id}-email`}>{s.email}</label>
          <input id={`${id}-email`} type="email" autoComplete="off" required value={email} onChange={(e) => { setEmail(e.currentTarget.value); }} />
        </div>
        <div className="gh-field">
          <label htmlFor={`${id}-name`}>{s.name}</label>
          <input id={`${id}-name`} type="text" autoComplete="off" value={name} onChange={(e) => { setName(e.currentTarget.value); }} />
        </div>
        <div className="gh-field">
          <label htmlFor={`${id}-role`}>{s.role}</label>
          <select id={`${id}-role`} value={chosen} onChange={(e) => { setRole(e.currentTarget.value); }}>
            {choices.map((r) => (
              <option key={r} value={r}>{r}</option>
            ))}
          </select>
        </div>
        <button type="submit" className="gh-button gh-primary" disabled={busy}>{s.invite}</button>
      </div>
    </form>
  );
}
