/** What both views share: how they reach the app's admin routes, their strings, and small hooks. */
import { useEffect, useMemo, useRef } from 'react';

import { AdminClient, AdminRequestError } from '../client.js';
import { format, resolveStrings } from '../strings.js';
import type { ElementsStrings } from '../strings.js';

/** Props every view takes. Give `baseUrl` (and optionally `fetchInit`), or a ready `client`. */
export interface ViewProps {
  /** Where the app mounted its admin routes, e.g. `/api/admin`. */
  readonly baseUrl?: string | undefined;
  /** Extra fetch options for every call: headers, `credentials` (default `same-origin`). Read per request. */
  readonly fetchInit?: RequestInit | undefined;
  /** A client to use instead of one made from `baseUrl` and `fetchInit`. */
  readonly client?: AdminClient | undefined;
  /** Texts to override; see {@link ElementsStrings}. */
  readonly strings?: Partial<ElementsStrings> | undefined;
  /** Extra class names on the view's root element. */
  readonly className?: string | undefined;
  /**
   * Change this value to make the view load its data again, keeping what it shows until the answer arrives
   * (for instance on your app's own change event). The first value loads nothing extra.
   */
  readonly refreshKey?: unknown;
}

/** The view's client: `props.client`, or one made from `baseUrl` that reads the latest `fetchInit` per call. */
export function useAdminClient(props: ViewProps): AdminClient {
  const init = useRef(props.fetchInit);
  init.current = props.fetchInit;
  const { client, baseUrl } = props;
  return useMemo(() => client ?? new AdminClient({ baseUrl: baseUrl ?? '', fetchInit: () => init.current }), [client, baseUrl]);
}

/**
 * The view's strings: defaults with `props.strings` applied. Keyed by content, so an inline `strings={{...}}`
 * object made anew on each render of the parent does not make the view load again.
 */
export function useStrings(overrides: Partial<ElementsStrings> | undefined): ElementsStrings {
  const key = JSON.stringify(resolveStrings(overrides));
  return useMemo(() => JSON.parse(key) as ElementsStrings, [key]);
}

/**
 * Runs `load` when the view mounts and again whenever `load` or `refreshKey` changes, aborting the run before. Every
 * run after the first is a background one (a refresh), which keeps an error on show.
 */
export function useLoad(load: (signal: AbortSignal, background: boolean) => Promise<void>, refreshKey: unknown): void {
  const loaded = useRef(false);
  useEffect(() => {
    const controller = new AbortController();
    const background = loaded.current;
    loaded.current = true;
    void load(controller.signal, background);
    return () => {
      controller.abort();
    };
  }, [load, refreshKey]);
}

/** A failure as the text the alert region announces. */
export function errorText(strings: ElementsStrings, err: unknown): string {
  const message = err instanceof AdminRequestError || err instanceof Error ? err.message : String(err);
  return format(strings.error, { message });
}

/** Joins class names, skipping empty ones. */
export function classes(...names: (string | undefined | false)[]): string {
  return names.filter((n): n is string => typeof n === 'string' && n !== '').join(' ');
}
