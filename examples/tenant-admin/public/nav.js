/* global document, window, fetch, EventSource, CustomEvent */
// Every signed-in page: follows the tenant's change stream (server-sent events from the engine's change feed),
// shows or hides the Members and Audit log links as the user's permissions change, and tells the page
// through a `gatehouse:change` window event so it can reload what it shows.
const links = { members: document.querySelector('[data-nav="members"]'), audit: document.querySelector('[data-nav="audit"]') };

async function refreshNav() {
  const res = await fetch('/api/me', { headers: { accept: 'application/json' } });
  if (!res.ok) return;
  const me = await res.json();
  if (links.members) links.members.hidden = !me.viewMembers;
  if (links.audit) links.audit.hidden = !me.viewAudit;
}

function changed(detail) {
  window.dispatchEvent(new CustomEvent('gatehouse:change', { detail }));
  refreshNav().catch(() => undefined);
}

const changes = new EventSource('/api/events');
changes.addEventListener('change', (event) => changed(JSON.parse(event.data)));
// A change made before the stream was (re)connected would be missed, so each (re)connection counts as one.
changes.addEventListener('open', () => {
  document.documentElement.dataset.changeStream = 'open';
  changed({ connected: true });
});
changes.addEventListener('error', () => {
  document.documentElement.dataset.changeStream = 'reconnecting';
});
