/* global document, window */
// The members page: this example sends no email, so the invitation link (with its token in the #fragment,
// which browsers do not send to servers or in Referer headers) is shown on the page for the admin to pass on.
const element = document.querySelector('gatehouse-members');
const box = document.getElementById('invitation-link');
const invitee = document.getElementById('invitee');
const link = document.getElementById('accept-link');

element.addEventListener('gatehouse-invite', (event) => {
  const { invitation, token } = event.detail;
  if (typeof token !== 'string') return;
  const url = new URL('/accept', window.location.href);
  url.hash = `token=${encodeURIComponent(token)}`;
  invitee.textContent = invitation.email ?? '';
  link.href = url.href;
  link.textContent = url.href;
  box.hidden = false;
});

// Another admin's change, or an accepted invitation, shows here without a reload.
window.addEventListener('gatehouse:change', () => element.refresh());
