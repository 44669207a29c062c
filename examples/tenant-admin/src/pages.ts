/**
 * The example's HTML pages. Every value that comes from a user or a request is escaped; no page has an
 * inline script or style, so the Content-Security-Policy can forbid both.
 */
import type { User } from './seed.js';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** What the signed-in user may open, for the navigation. */
export interface Nav {
  readonly user: User;
  readonly tenant: string;
  readonly tenantName: string;
  readonly viewMembers: boolean;
  readonly viewAudit: boolean;
  readonly current: 'documents' | 'members' | 'audit' | 'accept';
}

/** A page; signed-in pages get the navigation and /assets/nav.js, which follows the tenant's change stream. */
function layout(title: string, body: string, options: { nav?: Nav; scripts?: readonly string[] } = {}): string {
  const scripts = (options.nav === undefined ? [] : ['/assets/nav.js']).concat(options.scripts ?? []).map((src) => `<script type="module" src="${escapeHtml(src)}"></script>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Tenant admin example</title>
<link rel="stylesheet" href="/assets/app.css">
${scripts}
</head>
<body>
${options.nav === undefined ? '' : header(options.nav)}
<main>
${body}
</main>
</body>
</html>
`;
}

function header(nav: Nav): string {
  const link = (key: Nav['current'], href: string, text: string, hidden = false): string =>
    `<a href="${href}" data-nav="${key}"${nav.current === key ? ' aria-current="page"' : ''}${hidden ? ' hidden' : ''}>${escapeHtml(text)}</a>`;
  return `<header class="top">
<nav aria-label="Main">
${link('documents', '/', 'Documents')}
${link('members', '/members', 'Members', !nav.viewMembers)}
${link('audit', '/audit', 'Audit log', !nav.viewAudit)}
${link('accept', '/accept', 'Accept invitation')}
</nav>
<form method="post" action="/logout" class="who">
<span>Signed in as <strong>${escapeHtml(nav.user.name)}</strong> in <strong>${escapeHtml(nav.tenantName)}</strong></span>
<button type="submit">Sign out</button>
</form>
</header>`;
}

/** Pick a user and a tenant. */
export function loginPage(users: readonly User[], tenants: readonly { id: string; name: string }[], error?: string): string {
  const userOptions = users.map((u) => `<option value="${escapeHtml(u.id)}">${escapeHtml(u.name)} (${escapeHtml(u.email)})</option>`).join('');
  const tenantOptions = tenants.map((t) => `<option value="${escapeHtml(t.id)}">${escapeHtml(t.name)}</option>`).join('');
  return layout('Sign in', `<h1>Sign in</h1>
<p>This example has no passwords: pick who you are and which company (tenant) you work in.</p>
${error === undefined ? '' : `<p role="alert" class="error">${escapeHtml(error)}</p>`}
<form method="post" action="/login" class="login">
<label>User <select name="user">${userOptions}</select></label>
<label>Tenant <select name="tenant">${tenantOptions}</select></label>
<button type="submit">Sign in</button>
</form>`);
}

/** The documents the user may view, with Edit where they may edit; kept current by /assets/documents.js. */
export function documentsPage(nav: Nav): string {
  return layout('Documents', `<h1>Documents of ${escapeHtml(nav.tenantName)}</h1>
<p role="alert" id="doc-error" class="error" hidden></p>
<p id="doc-empty" hidden>You have no role in this tenant that lets you see its documents.</p>
<ul id="documents" class="documents" aria-label="Documents"></ul>`, { nav, scripts: ['/assets/documents.js'] });
}

/** The members element; the invitation link appears here instead of being emailed. */
export function membersPage(nav: Nav): string {
  return layout('Members', `<h1>Members of ${escapeHtml(nav.tenantName)}</h1>
<section id="invitation-link" class="invitation-link" aria-labelledby="invitation-link-title" hidden>
<h2 id="invitation-link-title">Invitation link</h2>
<p>This example sends no email. Give this link to <strong id="invitee"></strong>; it works once, for a week:</p>
<p><a id="accept-link" href="/accept">accept link</a></p>
</section>
<gatehouse-members base-url="/api/admin"></gatehouse-members>`, { nav, scripts: ['/assets/gatehouse-elements.js', '/assets/members.js'] });
}

/** The audit log element. */
export function auditPage(nav: Nav): string {
  return layout('Audit log', `<h1>Audit log of ${escapeHtml(nav.tenantName)}</h1>
<gatehouse-audit-log base-url="/api/admin"></gatehouse-audit-log>`, {
    nav,
    scripts: ['/assets/gatehouse-elements.js', '/assets/audit.js'],
  });
}

/** Accept an invitation as the signed-in user (the token comes from the link's #fragment or is pasted). */
export function acceptPage(nav: Nav): string {
  return layout('Accept invitation', `<h1>Accept an invitation</h1>
<p>You join ${escapeHtml(nav.tenantName)} as ${escapeHtml(nav.user.name)} with the roles the invitation offers.</p>
<form id="accept" class="accept">
<label for="token">Invitation token</label>
<input id="token" name="token" autocomplete="off" spellcheck="false" required>
<button type="submit">Accept invitation</button>
</form>
<p role="alert" id="accept-error" class="error" hidden></p>
<p role="status" id="accept-done"></p>`, { nav, scripts: ['/assets/accept.js'] });
}
