import type { ReactNode } from 'react';
import type { Feed } from '../use-feed.js';

interface WireRef {
  readonly type?: string;
  readonly id?: string;
  readonly relation?: string;
}

function changeText(c: { operation: string; tuple?: unknown; attribute?: unknown }): string {
  const op = c.operation === 'OPERATION_DELETE' ? '−' : '+';
  if (c.tuple !== undefined) {
    const t = c.tuple as { entity?: WireRef; relation?: string; subject?: WireRef };
    const rel = t.subject?.relation === undefined || t.subject.relation === '' ? '' : `#${t.subject.relation}`;
    return `${op} ${t.entity?.type ?? ''}:${t.entity?.id ?? ''}#${t.relation ?? ''}@${t.subject?.type ?? ''}:${t.subject?.id ?? ''}${rel}`;
  }
  if (c.attribute !== undefined) {
    const a = c.attribute as { entity?: WireRef; attribute?: string };
    return `${op} ${a.entity?.type ?? ''}:${a.entity?.id ?? ''}$${a.attribute ?? ''}`;
  }
  return op;
}

/** Live: the tenant's change feed, newest first. */
export function LiveView(props: { feed: Feed }): ReactNode {
  const { feed } = props;
  return (
    <div className="live-view">
      <p>
        Change feed <strong>{feed.status}</strong>
        {feed.message === undefined ? '' : ` (${feed.message})`}. Open checks re-run on every change.
      </p>
      {feed.events.length === 0 ? <p>No changes since the console opened.</p> : null}
      <ol className="events" aria-label="Changes">
        {feed.events.map((e) => (
          <li key={`${e.snapToken}-${e.kind}-${e.tenant}`}>
            <span className="snap">#{e.snapToken}</span> <span className="kind">{e.kind}</span>
            {e.changes.length === 0 ? null : (
              <ul>
                {e.changes.slice(0, 20).map((c, i) => (
                  <li key={i}><code>{changeText(c)}</code></li>
                ))}
                {e.changes.length > 20 ? <li>… {e.changes.length - 20} more</li> : null}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
