/**
 * Every text the views show, in English by default. Pass a partial `strings` object to override some; a
 * `{name}` placeholder is replaced by the value the view gives it.
 */
export const defaultStrings = {
  membersTitle: 'Members',
  search: 'Search members',
  searchButton: 'Search',
  member: 'Member',
  email: 'Email',
  name: 'Name',
  status: 'Status',
  roles: 'Roles',
  rolesOf: 'Roles of {member}',
  actions: 'Actions',
  remove: 'Remove',
  confirmRemove: 'Confirm remove',
  cancel: 'Cancel',
  noMembers: 'No members.',
  loadMore: 'Load more',
  loading: 'Loading…',
  inviteTitle: 'Invite a member',
  role: 'Role',
  invite: 'Invite',
  invitationCreated: 'Invitation created for {email}.',
  invitationToken: 'Invitation token (shown once)',
  dismiss: 'Dismiss',
  revoke: 'Revoke',
  statusActive: 'active',
  statusInvited: 'invited',
  roleAssigned: 'Granted {role} to {member}.',
  roleRevoked: 'Took {role} from {member}.',
  memberRemoved: 'Removed {member}.',
  invitationRevoked: 'Revoked the invitation for {email}.',
  invalidEmail: 'Enter an email address.',
  chooseRole: 'Choose a role.',
  auditTitle: 'Audit log',
  filters: 'Filters',
  actor: 'Actor',
  action: 'Action',
  target: 'Target',
  since: 'Since',
  until: 'Until',
  apply: 'Apply filters',
  clear: 'Clear',
  time: 'Time',
  details: 'Details',
  noEntries: 'No entries.',
  refresh: 'Refresh',
  upToDate: 'Up to date: no newer entries.',
  notAllowed: 'You may not view this.',
  invalidTime: 'Enter a valid date and time.',
  error: 'Error: {message}',
};

/** The keys and texts of every string the views show. */
export type ElementsStrings = typeof defaultStrings;

/** Default strings with `overrides` applied; non-string overrides are ignored. */
export function resolveStrings(overrides?: Partial<ElementsStrings> | null): ElementsStrings {
  const out: ElementsStrings = { ...defaultStrings };
  if (overrides === undefined || overrides === null || typeof overrides !== 'object') return out;
  for (const key of Object.keys(defaultStrings) as (keyof ElementsStrings)[]) {
    const value = overrides[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** Replaces each `{name}` in `text` by `values[name]` (unknown placeholders stay as they are). */
export function format(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (Object.hasOwn(values, key) ? String(values[key]) : whole));
}
