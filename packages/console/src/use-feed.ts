import { useEffect, useState } from 'react';
import type { Api } from './api.js';
import { watch } from './feed.js';
import type { ChangeEvent } from './feed.js';

/** Changes kept for the Live view. */
const KEEP = 200;

export interface Feed {
  readonly status: 'connecting' | 'live' | 'error';
  readonly message: string | undefined;
  /** Newest first. */
  readonly events: readonly ChangeEvent[];
  /** The newest change, or undefined before the first. */
  readonly last: ChangeEvent | undefined;
}

/** Follows the tenant's change feed while the tenant is selected. */
export function useFeed(api: Api, tenant: string): Feed {
  const [feed, setFeed] = useState<Feed>({ status: 'connecting', message: undefined, events: [], last: undefined });
  useEffect(() => {
    setFeed({ status: 'connecting', message: undefined, events: [], last: undefined });
    return watch(
      api,
      tenant,
      (e) => {
        setFeed((f) => ({ ...f, events: [e, ...f.events].slice(0, KEEP), last: e }));
      },
      (status, message) => {
        setFeed((f) => ({ ...f, status, message }));
      },
    );
  }, [api, tenant]);
  return feed;
}
