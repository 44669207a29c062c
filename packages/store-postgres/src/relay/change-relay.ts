import { isSnapToken } from '@gatehouse/engine/internal';

/** What a relay carries: which tenant committed, and the commit's snap token. Replicas read the rows. */
export interface ChangeNotice {
  readonly tenant: string;
  readonly snapToken: string;
  readonly kind: string;
}

/** Callbacks a relay drives. @internal */
export interface RelayHandlers {
  /** A commit was announced (possibly this process's own). */
  readonly onNotice: (notice: ChangeNotice) => void;
  /** The relay (re)connected: notices may have been missed, so catch up from the last applied token. */
  readonly onResync: () => void;
}

/**
 * Carries commit notices between processes sharing one database. @internal
 */
export interface ChangeRelay {
  /** `true` when notices are sent by the write transaction itself (NOTIFY), not by {@link publish}. */
  readonly transactional: boolean;
  /** The NOTIFY channel, for a transactional relay. */
  readonly channel: string | undefined;
  start(handlers: RelayHandlers): Promise<void>;
  /** Announces a commit after COMMIT (non-transactional relays). Never rejects. */
  publish(notice: ChangeNotice): void;
  close(): Promise<void>;
}

/** Parses a notice payload; `undefined` when it is not one of ours. @internal */
export function parseNotice(payload: string | undefined): ChangeNotice | undefined {
  if (payload === undefined) return undefined;
  try {
    const v = JSON.parse(payload) as Partial<ChangeNotice>;
    if (typeof v.tenant === 'string' && isSnapToken(v.snapToken)) {
      return { tenant: v.tenant, snapToken: v.snapToken, kind: typeof v.kind === 'string' ? v.kind : 'data' };
    }
  } catch {
    // not JSON: someone else's notice on our channel
  }
  return undefined;
}
