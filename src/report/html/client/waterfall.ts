/** The waterfall of one unit of work: parent, first looped statements, "× N" collapsed, last; bars on one time axis. */
import type { TraceStep } from '../../../findings/trace.js';
import type { PageFinding } from '../page-data.js';
import { el, ms, num } from './dom.js';

export function waterfall(f: PageFinding): HTMLElement | null {
  const t = f.trace;
  if (t === null || t.looped === 0) return null;
  const steps: TraceStep[] = [...(t.parent ? [t.parent] : []), ...t.first, ...(t.last ? [t.last] : [])];
  const ends = steps.map((s) => (s.offsetMs ?? 0) + (s.durationMs ?? 0));
  const span = Math.max(0.001, ...ends);
  const timed = steps.some((s) => s.offsetMs !== null);
  const box = el('div', { class: 'waterfall', role: 'table', 'aria-label': `one unit of work: ${t.looped} looped statements of ${t.unitStatements}` });
  box.append(
    el('div', { class: 'wf-head', role: 'row' }, el('span', { role: 'columnheader' }, 'statement'), el('span', { role: 'columnheader' }, timed ? `0 – ${ms(span)} after the ${t.parent ? 'parent' : 'first'} statement` : 'the log has no times')),
  );
  const row = (s: TraceStep, label: string, cls: string) => {
    const template = s.template < 0 ? (f.parent?.template ?? '') : (f.templates[s.template] ?? f.templates[0] ?? '');
    const track = el('span', { class: 'wf-track', role: 'cell' });
    if (s.offsetMs !== null) {
      const left = (s.offsetMs / span) * 100;
      const width = ((s.durationMs ?? 0) / span) * 100;
      const bar = el('span', { class: `wf-bar ${cls}`, title: `${label}: +${ms(s.offsetMs)}, ${ms(s.durationMs)} at ${s.source}` });
      bar.style.left = `${Math.min(left, 99.5)}%`;
      bar.style.width = `max(2px, ${width}%)`;
      track.append(bar);
    }
    return el(
      'div',
      { class: `wf-row ${cls}`, role: 'row' },
      el('span', { class: 'wf-label', role: 'cell' }, el('span', { class: 'wf-kind' }, label), ' ', el('span', { class: 'wf-sql' }, template), ' ', el('span', { class: 'wf-src' }, `${s.source} · ${ms(s.durationMs)}`)),
      track,
    );
  };
  if (t.parent) box.append(row(t.parent, 'parent', 'parent'));
  t.first.forEach((s, i) => box.append(row(s, `#${i + 1}`, 'loop')));
  const hidden = t.looped - t.first.length - (t.last ? 1 : 0);
  if (hidden > 0) {
    box.append(
      el('div', { class: 'wf-row collapsed', role: 'row' }, el('span', { class: 'wf-label', role: 'cell' }, `× ${num(t.looped)} in this unit, ${num(hidden)} more like these not drawn`), el('span', { class: 'wf-track dotted', role: 'cell' })),
    );
  }
  if (t.last) box.append(row(t.last, `#${num(t.looped)}`, 'loop'));
  return box;
}
