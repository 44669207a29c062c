/* global document, window, fetch */
// The documents page: lists what the signed-in user may view, with an Edit button where they may edit, and
// reloads that list whenever the tenant's policy data changes (the server's change stream, via nav.js), so a role granted
// or revoked by an admin shows here without a reload of the page.
const list = document.getElementById('documents');
const empty = document.getElementById('doc-empty');
const error = document.getElementById('doc-error');

function showError(message) {
  error.textContent = message;
  error.hidden = message === '';
}

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) {
    const answer = await res.json().catch(() => ({}));
    throw new Error(answer.message ?? `HTTP ${res.status}`);
  }
  return await res.json();
}

function editor(item, doc) {
  const form = document.createElement('form');
  form.className = 'edit';
  const label = document.createElement('label');
  label.textContent = 'Title';
  const input = document.createElement('input');
  input.value = doc.title;
  label.append(input);
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Save';
  form.append(label, save);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    post(`/api/documents/${encodeURIComponent(doc.id)}`, { title: input.value })
      .then(() => {
        showError('');
        return load();
      })
      .catch((err) => showError(`Could not save: ${err.message}`));
  });
  item.replaceChildren(form);
  input.focus();
}

function render(documents) {
  list.replaceChildren(
    ...documents.map((doc) => {
      const item = document.createElement('li');
      item.dataset.doc = doc.id;
      const title = document.createElement('span');
      title.className = 'title';
      title.textContent = doc.title;
      item.append(title);
      if (doc.canEdit) {
        const edit = document.createElement('button');
        edit.type = 'button';
        edit.textContent = 'Edit';
        edit.setAttribute('aria-label', `Edit ${doc.title}`);
        edit.addEventListener('click', () => editor(item, doc));
        item.append(edit);
      }
      return item;
    }),
  );
  empty.hidden = documents.length > 0;
}

let loading = Promise.resolve();
function load() {
  loading = loading.then(async () => {
    try {
      const res = await fetch('/api/documents', { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = await res.json();
      render(body.documents);
      showError('');
    } catch (err) {
      showError(`Could not load the documents: ${err.message}`);
    }
  });
  return loading;
}

load();
// nav.js turns the server's change stream into this window event.
window.addEventListener('gatehouse:change', () => {
  // An editor open in this page is kept; the list refreshes when it is not in use.
  if (list.querySelector('form.edit') === null) load();
});
