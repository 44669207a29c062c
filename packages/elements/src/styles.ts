/**
 * The views' stylesheet. Every colour, font and size is a CSS custom property with a default, so a page themes
 * the views by setting `--gh-*` on them or any ancestor (custom properties pass into the custom elements'
 * shadow roots). React apps link `@gatehouse/elements/style.css`, which holds this text.
 */
export const elementsCss = `
.gh-admin {
  font-family: var(--gh-font-family, system-ui, sans-serif);
  font-size: var(--gh-font-size, 14px);
  color: var(--gh-color-text, #1f2430);
  background: var(--gh-color-background, transparent);
  line-height: 1.4;
}
.gh-admin .gh-title { font-size: 1.3em; margin: 0 0 0.5em; }
.gh-admin .gh-subtitle { font-size: 1.05em; margin: 0 0 0.4em; }
.gh-admin .gh-fields { display: flex; flex-wrap: wrap; gap: var(--gh-space, 8px); align-items: flex-end; }
.gh-admin .gh-field { display: flex; flex-direction: column; gap: 2px; font-size: 0.9em; }
.gh-admin input, .gh-admin select {
  font: inherit; color: inherit; padding: 5px 7px;
  border: 1px solid var(--gh-color-border, #c4c9d4); border-radius: var(--gh-radius, 4px);
  background: var(--gh-color-input, #fff);
}
.gh-admin .gh-button {
  font: inherit; padding: 5px 12px; cursor: pointer;
  border: 1px solid var(--gh-color-border, #c4c9d4); border-radius: var(--gh-radius, 4px);
  background: var(--gh-color-button, #f4f5f8); color: inherit;
}
.gh-admin .gh-button:disabled { opacity: 0.6; cursor: default; }
.gh-admin .gh-primary { background: var(--gh-color-accent, #2952cc); border-color: var(--gh-color-accent, #2952cc); color: var(--gh-color-on-accent, #fff); }
.gh-admin .gh-danger { background: var(--gh-color-danger, #b42318); border-color: var(--gh-color-danger, #b42318); color: #fff; }
.gh-admin .gh-danger-outline { color: var(--gh-color-danger, #b42318); border-color: var(--gh-color-danger, #b42318); background: transparent; }
.gh-admin :focus-visible { outline: 2px solid var(--gh-color-focus, #2952cc); outline-offset: 2px; }
.gh-admin .gh-invite, .gh-admin .gh-search, .gh-admin .gh-filters, .gh-admin .gh-token { margin: 0 0 var(--gh-space-large, 14px); }
.gh-admin .gh-search { display: flex; gap: var(--gh-space, 8px); align-items: flex-end; }
.gh-admin .gh-table { width: 100%; border-collapse: collapse; margin: 0 0 var(--gh-space, 8px); }
.gh-admin .gh-table th, .gh-admin .gh-table td {
  text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid var(--gh-color-border, #dde1e8);
}
.gh-admin .gh-table thead th { font-size: 0.85em; color: var(--gh-color-muted, #5b6475); font-weight: 600; }
.gh-admin .gh-who { font-weight: normal; }
.gh-admin .gh-who .gh-name { display: block; font-weight: 600; }
.gh-admin .gh-muted { color: var(--gh-color-muted, #5b6475); font-size: 0.9em; }
.gh-admin .gh-roles + .gh-badge { margin-left: 12px; }
.gh-admin .gh-roles { border: 0; padding: 0; margin: 0; display: inline-flex; flex-wrap: wrap; gap: 4px 12px; }
.gh-admin .gh-check { display: inline-flex; gap: 4px; align-items: center; }
.gh-admin .gh-badge {
  display: inline-block; margin: 0 4px 0 0; padding: 1px 7px; font-size: 0.85em;
  border-radius: 999px; background: var(--gh-color-badge, #eef0f5);
}
.gh-admin .gh-actions { white-space: nowrap; }
.gh-admin .gh-actions .gh-button + .gh-button { margin-left: 4px; }
.gh-admin .gh-details { font-family: var(--gh-font-mono, ui-monospace, monospace); font-size: 0.85em; word-break: break-all; }
.gh-admin .gh-alert {
  margin: 0 0 var(--gh-space, 8px); padding: 6px 10px; border-radius: var(--gh-radius, 4px);
  color: var(--gh-color-danger, #b42318); background: var(--gh-color-danger-background, #fdecea);
}
.gh-admin .gh-notice { margin: 0 0 var(--gh-space, 8px); color: var(--gh-color-success, #1d6b3a); }
.gh-admin .gh-empty { display: none; }
.gh-admin .gh-token {
  display: flex; flex-wrap: wrap; gap: var(--gh-space, 8px); align-items: center; padding: 8px 10px;
  border: 1px dashed var(--gh-color-accent, #2952cc); border-radius: var(--gh-radius, 4px);
}
.gh-admin .gh-token input { flex: 1 1 24em; font-family: var(--gh-font-mono, ui-monospace, monospace); }
.gh-admin .gh-paging { display: flex; gap: var(--gh-space, 8px); }
.gh-admin .gh-visually-hidden {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
`;
