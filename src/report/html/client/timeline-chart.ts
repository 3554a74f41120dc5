/** The timeline: statements per bucket per application (uPlot), findings marked where their units happened, brushable. */
import uPlot from 'uplot';
import type { PageData, PageFinding } from '../page-data.js';
import { el } from './dom.js';

const PALETTE = ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#db2777', '#65a30d', '#7c3aed', '#ca8a04', '#475569'];
const SEVERITY_COLOR: Record<string, string> = { error: '#dc2626', warning: '#d97706', info: '#2563eb' };

export interface TimelineHandle {
  element: HTMLElement;
  /** Redraws the finding marks for the findings now shown. */
  mark(findings: PageFinding[]): void;
}


export function timelineChart(data: PageData, onRange: (range: [number, number] | null) => void): TimelineHandle | null {
  const tl = data.timeline;
  if (tl.buckets === 0 || tl.start === null) return null;
  const start = Date.parse(tl.start) / 1000;
  const step = tl.bucketMs / 1000;
  // one point more than buckets: a stepped line holds each bucket's count until the next point, the last one too
  const xs = Array.from({ length: tl.buckets + 1 }, (_, i) => start + i * step);
  const ys = tl.series.map((s) => [...s.counts, s.counts[s.counts.length - 1] ?? 0]);
  const element = el('div', { class: 'timeline-chart' });
  let marks: PageFinding[] = [];
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const axis = { stroke: dark ? '#cbd5e1' : '#334155', grid: { stroke: dark ? '#334155' : '#e2e8f0' }, ticks: { stroke: dark ? '#475569' : '#cbd5e1' } };
  const opts: uPlot.Options = {
    width: 800,
    height: 220,
    scales: { x: { time: true, range: () => [start, start + tl.buckets * step] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [axis, { ...axis, label: `statements per ${step === 1 ? 'second' : step >= 1 ? `${Number(step.toFixed(1))} s` : `${tl.bucketMs} ms`}`, size: 60 }],
    cursor: { drag: { x: true, y: false, setScale: false } },
    legend: { show: true },
    series: [
      { label: 'time' },
      ...tl.series.map((s, i) => ({
        label: s.application,
        stroke: PALETTE[i % PALETTE.length],
        width: 1.5,
        paths: uPlot.paths.stepped!({ align: 1 }),
      })),
    ],
    hooks: {
      draw: [
        (u) => {
          // a tick at the top of the plot for each sampled unit of work of each finding shown
          const ctx = u.ctx;
          const top = u.bbox.top;
          ctx.save();
          ctx.lineWidth = Math.max(1, devicePixelRatio);
          for (const f of marks) {
            ctx.strokeStyle = SEVERITY_COLOR[f.severity] ?? '#64748b';
            for (const start of f.unitStarts) {
              // uPlot's time scale is in seconds
              const x = u.valToPos(start / 1000, 'x', true);
              if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
              ctx.beginPath();
              ctx.moveTo(x, top);
              ctx.lineTo(x, top + 10 * devicePixelRatio);
              ctx.stroke();
            }
          }
          ctx.restore();
        },
      ],
      setSelect: [
        (u) => {
          if (u.select.width < 2) return;
          onRange([u.posToVal(u.select.left, 'x'), u.posToVal(u.select.left + u.select.width, 'x')]);
        },
      ],
    },
  };
  const plot = new uPlot(opts, [xs, ...ys] as uPlot.AlignedData, element);
  // the keyboard's brush: ← → move a window over the chart, Shift+← → resize it, Escape clears it
  element.tabIndex = 0;
  element.setAttribute('role', 'group');
  element.setAttribute('aria-label', 'Timeline. Arrow keys select a time range, Shift with arrows resizes it, Escape clears it.');
  let win: { left: number; width: number } | null = null;
  element.addEventListener('keydown', (e) => {
    const full = plot.over.clientWidth;
    const stepPx = full / 20;
    if (e.key === 'Escape') {
      if (win === null) return;
      win = null;
      plot.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
      onRange(null);
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const dir = e.key === 'ArrowRight' ? 1 : -1;
      if (win === null) win = { left: 0, width: stepPx * 2 };
      else if (e.shiftKey) win.width = Math.min(full - win.left, Math.max(stepPx / 2, win.width + dir * stepPx));
      else win.left = Math.min(full - win.width, Math.max(0, win.left + dir * stepPx));
      plot.setSelect({ left: win.left, top: 0, width: win.width, height: plot.over.clientHeight });
    } else return;
    e.preventDefault();
  });
  const resize = () => plot.setSize({ width: Math.max(320, element.clientWidth || 800), height: 220 });
  new ResizeObserver(resize).observe(element);
  return {
    element,
    mark(findings) {
      marks = findings;
      plot.redraw(false, false);
    },
  };
}

export { SEVERITY_COLOR };
