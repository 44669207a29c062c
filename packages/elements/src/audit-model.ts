/** The audit view's logic, free of any UI library. */
import type { AuditFilter } from './types.js';

/** The audit filter form's fields as typed: text, and `datetime-local` values for the times. */
export interface AuditFilterForm {
  readonly actor: string;
  readonly target: string;
  readonly action: string;
  readonly since: string;
  readonly until: string;
}

/** An empty filter form. */
export const emptyAuditFilterForm: AuditFilterForm = { actor: '', target: '', action: '', since: '', until: '' };

/**
 * The `audit/list` filter of a form: trimmed, empty fields left out, local times as ISO 8601 instants.
 * @returns the filter, or `{ invalid }` naming the time field that is not a date.
 */
export function auditFilterOf(form: AuditFilterForm): { readonly filter: AuditFilter } | { readonly invalid: 'since' | 'until' } {
  const filter: Record<string, string> = {};
  for (const key of ['actor', 'target', 'action'] as const) {
    const value = form[key].trim();
    if (value !== '') filter[key] = value;
  }
  for (const key of ['since', 'until'] as const) {
    const value = form[key].trim();
    if (value === '') continue;
    const time = new Date(value);
    if (Number.isNaN(time.getTime())) return { invalid: key };
    filter[key] = time.toISOString();
  }
  return { filter };
}

/** An audit entry's details as one line of text (JSON for objects), cut at `max` characters. */
export function detailsText(details: unknown, max = 200): string {
  if (details === undefined || details === null) return '';
  let text: string;
  if (typeof details === 'string') text = details;
  else {
    try {
      // JSON.stringify answers undefined for a function or a symbol.
      const json = JSON.stringify(details) as unknown;
      text = typeof json === 'string' ? json : '';
    } catch {
      text = '';
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** An ISO time as the viewer's local date and time; what is not a date is shown as it came. */
export function timeText(iso: string, locale?: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return time.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'medium' });
}
