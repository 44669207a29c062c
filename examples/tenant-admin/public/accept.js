/* global document, window, fetch, URLSearchParams, history */
// The accept-invitation page: posts the token to the app's admin route as the signed-in user.
const form = document.getElementById('accept');
const input = document.getElementById('token');
const error = document.getElementById('accept-error');
const done = document.getElementById('accept-done');

const fromLink = new URLSearchParams(window.location.hash.slice(1)).get('token');
if (fromLink !== null) {
  input.value = fromLink;
  // Keep the secret out of the address bar and history once read.
  history.replaceState(null, '', window.location.pathname);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  done.textContent = '';
  try {
    const res = await fetch('/api/admin/invitations/accept', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: input.value.trim() }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.message ?? `HTTP ${res.status}`);
    input.value = '';
    const roles = (body.member?.roles ?? []).join(', ');
    done.replaceChildren(`Welcome! You now hold: ${roles}. `, Object.assign(document.createElement('a'), { href: '/', textContent: 'See the documents' }));
  } catch (err) {
    error.textContent = `Could not accept the invitation: ${err.message}`;
    error.hidden = false;
  }
});
