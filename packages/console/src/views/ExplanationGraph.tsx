import type { ExplanationNode } from '@gatehouse/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, PointerEvent, ReactNode } from 'react';
import { decidingPath, layoutExplanation } from '../graph-layout.js';
import type { PlacedNode } from '../graph-layout.js';

const MARK = { allowed: '✓', denied: '✗', not_evaluated: '·', cut: '⊘' } as const;
const MIN_ZOOM = 0.1;
const MAX_ZOOM = 4;
const MARGIN = 20;

interface View {
  readonly zoom: number;
  readonly x: number;
  readonly y: number;
}

function clampZoom(z: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
}

function NodeBox(props: { n: PlacedNode }): ReactNode {
  const { n } = props;
  return (
    <g className={`node ${n.state}${n.onPath ? ' on-path' : ''}`} transform={`translate(${String(n.x)} ${String(n.y)})`}>
      <rect width={n.width} height={n.height} rx={6} />
      <text x={10} y={18} className="label">
        {MARK[n.state]} {n.label}
      </text>
      <text x={10} y={36} className="note">
        {n.note}
      </text>
    </g>
  );
}

/**
 * The explanation drawn as a tree (SVG): one box per node, green allowed, red denied, grey dashed not evaluated,
 * amber dashed cut; the path that decided the outcome drawn heavier. Wheel zooms, dragging pans; the buttons and
 * the +, -, 0 and arrow keys do the same from the keyboard.
 */
export function ExplanationGraph(props: { tree: ExplanationNode; title: string }): ReactNode {
  const layout = useMemo(() => layoutExplanation(props.tree), [props.tree]);
  const [view, setView] = useState<View>({ zoom: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; start: View } | undefined>(undefined);
  const width = layout.width + 2 * MARGIN;
  const height = layout.height + 2 * MARGIN;
  const summary = `Explanation of ${props.title}: ${props.tree.state === 'allowed' ? 'allowed' : 'denied'}; ${decidingPath(layout)}`;

  const zoomBy = (factor: number, cx = width / 2, cy = height / 2): void => {
    setView((v) => {
      const zoom = clampZoom(v.zoom * factor);
      const k = zoom / v.zoom;
      return { zoom, x: cx - (cx - v.x) * k, y: cy - (cy - v.y) * k };
    });
  };
  // The wheel zooms the drawing, not the page: a native listener, since React's wheel listeners are passive.
  const svg = useRef<SVGSVGElement>(null);
  const wheelZoom = useRef(zoomBy);
  wheelZoom.current = zoomBy;
  useEffect(() => {
    const el = svg.current;
    if (el === null) return;
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault();
      const box = el.getBoundingClientRect();
      const scale = el.viewBox.baseVal.width / Math.max(box.width, 1);
      wheelZoom.current(e.deltaY < 0 ? 1.15 : 1 / 1.15, (e.clientX - box.left) * scale, (e.clientY - box.top) * scale);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      el.removeEventListener('wheel', onWheel);
    };
  }, []);
  const onPointerDown = (e: PointerEvent<SVGSVGElement>): void => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, start: view };
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>): void => {
    const d = drag.current;
    if (d === undefined) return;
    const box = e.currentTarget.getBoundingClientRect();
    const scale = width / Math.max(box.width, 1);
    setView({ ...d.start, x: d.start.x + (e.clientX - d.x) * scale, y: d.start.y + (e.clientY - d.y) * scale });
  };
  const onPointerUp = (): void => {
    drag.current = undefined;
  };
  const pan = (dx: number, dy: number): void => {
    setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy }));
  };
  const onKeyDown = (e: KeyboardEvent<SVGSVGElement>): void => {
    const step = 40;
    const actions: Record<string, () => void> = {
      '+': () => { zoomBy(1.25); },
      '=': () => { zoomBy(1.25); },
      '-': () => { zoomBy(0.8); },
      '0': () => { setView({ zoom: 1, x: 0, y: 0 }); },
      ArrowLeft: () => { pan(step, 0); },
      ArrowRight: () => { pan(-step, 0); },
      ArrowUp: () => { pan(0, step); },
      ArrowDown: () => { pan(0, -step); },
    };
    const action = actions[e.key];
    if (action !== undefined) {
      e.preventDefault();
      action();
    }
  };

  return (
    <figure className="graph">
      <div className="graph-tools" role="toolbar" aria-label="Graph view">
        <button type="button" onClick={() => { zoomBy(1.25); }} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => { zoomBy(0.8); }} aria-label="Zoom out">−</button>
        <button type="button" onClick={() => { setView({ zoom: 1, x: 0, y: 0 }); }}>Reset view</button>
        <span className="legend">
          <span className="allowed">✓ allowed</span> <span className="denied">✗ denied</span> <span className="not_evaluated">· not evaluated</span>{' '}
          <span className="cut">⊘ cut (cycle or depth)</span>
        </span>
      </div>
      <svg
        role="img"
        aria-label={summary}
        tabIndex={0}
        viewBox={`0 0 ${String(width)} ${String(height)}`}
        width={width}
        height={height}
        ref={svg}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onKeyDown={onKeyDown}
      >
        <g transform={`translate(${String(view.x)} ${String(view.y)}) scale(${String(view.zoom)}) translate(${String(MARGIN)} ${String(MARGIN)})`}>
          {layout.edges.map((e) => {
            const x1 = e.from.x + e.from.width / 2;
            const y1 = e.from.y + e.from.height;
            const x2 = e.to.x + e.to.width / 2;
            const y2 = e.to.y;
            const my = (y1 + y2) / 2;
            return (
              <path
                key={`${String(e.from.id)}-${String(e.to.id)}`}
                className={`edge ${e.to.state}${e.to.onPath ? ' on-path' : ''}`}
                d={`M${String(x1)},${String(y1)} C${String(x1)},${String(my)} ${String(x2)},${String(my)} ${String(x2)},${String(y2)}`}
              />
            );
          })}
          {layout.nodes.map((n) => (
            <NodeBox key={n.id} n={n} />
          ))}
        </g>
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  );
}
