/* global document, window */
// The audit page: each change in the tenant loads the audit log again, so new entries show without a reload.
const element = document.querySelector('gatehouse-audit-log');
window.addEventListener('gatehouse:change', () => element.refresh());
