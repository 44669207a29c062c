import type { ReactNode } from 'react';

/** First / next page buttons over continuous tokens. */
export function Pager(props: { page: number; hasNext: boolean; onFirst: () => void; onNext: () => void; label: string }): ReactNode {
  return (
    <div className="pager" role="group" aria-label={`${props.label} pages`}>
      <button type="button" onClick={props.onFirst} disabled={props.page === 1}>First page</button>
      <span>page {props.page}</span>
      <button type="button" onClick={props.onNext} disabled={!props.hasNext}>Next page</button>
    </div>
  );
}
