import { InvalidRequestError } from '@gatehouse/core';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { decodeCursor, encodeCursor, pageLimit } from './cursor.js';
import type { AdminStore, AuditRecord } from './store.js';
import type { AuditEntry, AuditFilter, Page, PageRequest } from './types.js';
import { shortText, timestamp } from './validate.js';

/** What a change records besides its snap token. */
export interface AuditEvent {
  readonly tenant: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Options of {@link AuditTrail}. */
export interface AuditTrailOptions {
  readonly store: AdminStore;
  readonly clock?: Clock;
  /** Entries older than this many days are deleted by {@link AuditTrail.prune} (and hourly once started). */
  readonly retentionDays?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The JSON shape of an entry. @internal */
export function auditEntryOf(r: AuditRecord): AuditEntry {
  return { id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, target: r.target, details: r.details, snapToken: r.snapToken };
}

/**
 * The audit trail: every change is committed and recorded under a per-tenant lock, so the trail's order is the
 * commit order of the changes made through this process, and each change is recorded exactly once.
 */
export class AuditTrail {
  private readonly store: AdminStore;
  private readonly clock: Clock;
  private readonly retentionMs: number | undefined;
  private readonly locks = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;

  public constructor(options: AuditTrailOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    const days = options.retentionDays;
    if (days !== undefined && (!Number.isFinite(days) || days <= 0)) throw InvalidRequestError.badValue('audit retention days', days, 'a positive number of days');
    this.retentionMs = days === undefined ? undefined : days * DAY_MS;
  }

  /** Runs `fn` alone among the exclusive sections of this tenant (changes and their recording). */
  public async exclusive<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(tenant) ?? Promise.resolve();
    const shared = this.store.exclusive?.bind(this.store);
    const locked = shared === undefined ? fn : (): Promise<T> => shared(tenant, fn);
    const run = previous.then(locked, locked);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(tenant, settled);
    void settled.then(() => {
      if (this.locks.get(tenant) === settled) this.locks.delete(tenant);
    });
    return await run;
  }

  /** Appends an entry; call it inside {@link AuditTrail.exclusive}, right after the change committed. */
  public async append(event: AuditEvent, snapToken: string | null): Promise<AuditEntry> {
    const record = await this.store.appendAudit({
      tenant: event.tenant,
      at: this.clock(),
      actor: event.actor,
      action: event.action,
      target: event.target,
      details: event.details ?? {},
      snapToken,
    });
    return auditEntryOf(record);
  }

  /**
   * Commits a change and records it, in one exclusive section of the tenant.
   * @param event - what to record.
   * @param commit - the change; its snap token is recorded.
   */
  public async record<T extends { snapToken: string }>(event: AuditEvent, commit: () => Promise<T>): Promise<T> {
    return await this.exclusive(event.tenant, async () => {
      const result = await commit();
      await this.append(event, result.snapToken);
      return result;
    });
  }

  /**
   * A page of the tenant's trail, oldest first. The continuation token is always set: it is where the next call
   * resumes (an empty page means there is nothing newer yet), so a follower can poll with it.
   */
  public async list(tenant: string, request: PageRequest & { filter?: AuditFilter }): Promise<Page<AuditEntry>> {
    const limit = pageLimit(request.pageSize);
    const afterId = decodeCursor('audit', tenant, request.continuousToken);
    const f = request.filter ?? {};
    const rows = await this.store.listAudit(tenant, {
      limit,
      ...(afterId === undefined ? {} : { afterId }),
      ...(f.actor === undefined ? {} : { actor: shortText(f.actor, 'filter.actor') }),
      ...(f.target === undefined ? {} : { target: shortText(f.target, 'filter.target') }),
      ...(f.action === undefined ? {} : { action: shortText(f.action, 'filter.action') }),
      ...(f.since === undefined ? {} : { since: timestamp(f.since, 'filter.since') }),
      ...(f.until === undefined ? {} : { until: timestamp(f.until, 'filter.until') }),
    });
    const last = rows.at(-1)?.id ?? afterId ?? '0';
    return { items: rows.map(auditEntryOf), continuousToken: encodeCursor('audit', tenant, last) };
  }

  /** Deletes entries older than the retention (none without one); returns how many. */
  public async prune(): Promise<number> {
    if (this.retentionMs === undefined) return 0;
    return await this.store.pruneAudit(new Date(this.clock().getTime() - this.retentionMs));
  }

  /** Prunes now and then every hour (an unref'd timer) until {@link AuditTrail.stop}. */
  public start(onError: (err: unknown) => void = () => undefined): void {
    if (this.retentionMs === undefined || this.timer !== undefined) return;
    const tick = (): void => {
      this.prune().catch(onError);
    };
    tick();
    this.timer = setInterval(tick, HOUR_MS);
    this.timer.unref();
  }

  /** Stops the retention timer. */
  public stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
