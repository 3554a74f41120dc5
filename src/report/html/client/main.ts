/** The HTML report's page: reads the embedded run data and draws header, timeline, findings and top queries. */
import { DATA_ELEMENT_ID, type PageData, type PageFinding, type PageSeverity } from '../page-data.js';
import { append, copyButton, el, ms, num } from './dom.js';
import { highlightSql } from './highlight.js';
import { timelineChart, type TimelineHandle } from './timeline-chart.js';
import { waterfall } from './waterfall.js';

/** Findings drawn at a time: the rest wait behind "Show more", so 10,000 findings open as fast as 10. */
const PAGE = 100;
const SEVERITIES: PageSeverity[] = ['error', 'warning', 'info'];

async function readData(): Promise<PageData> {
  const node = document.getElementById(DATA_ELEMENT_ID);
  if (node === null) throw new Error('the report has no data element');
  const text = node.textContent ?? '';
  if (node.dataset['encoding'] !== 'gzip-base64') return JSON.parse(text) as PageData;
  const bytes = Uint8Array.from(atob(JSON.parse(text) as string), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text()) as PageData;
}

interface Filters {
  kind: string;
  table: string;
  application: string;
  severity: string;
  search: string;
  range: [number, number] | null;
}

function header(d: PageData): HTMLElement {
  const s = d.summary;
  const bySeverity = Object.fromEntries(SEVERITIES.map((x) => [x, d.findings.filter((f) => f.severity === x).length]));
  const count = (id: string, v: number, label: string) => el('div', { class: 'stat' }, el('span', { class: 'stat-value', id }, num(v)), el('span', { class: 'stat-label' }, label));
  const inputs = el(
    'table',
    { class: 'inputs' },
    el('thead', {}, el('tr', {}, ...['input', 'format', 'prefix', 'lines', 'statements', 'skipped lines'].map((h) => el('th', { scope: 'col' }, h)))),
    el(
      'tbody',
      {},
      ...d.inputs.map((i) =>
        el('tr', {}, el('td', {}, i.path), el('td', {}, i.format ?? 'unknown'), el('td', {}, i.prefix === null ? '–' : el('code', {}, i.prefix)), el('td', { class: 'n' }, num(i.lines)), el('td', { class: 'n' }, num(i.statements)), el('td', { class: 'n' }, num(i.unparsedLines))),
      ),
    ),
  );
  return el(
    'header',
    { class: 'run' },
    el('h1', {}, `${d.tool.name} report`, el('span', { class: 'sub' }, `${d.tool.name} ${d.tool.version} · ${d.fingerprintAlgorithm}`)),
    d.range ? el('p', { class: 'range', id: 'time-range' }, `${d.range.from} to ${d.range.to}`) : null,
    el(
      'div',
      { class: 'stats' },
      count('count-findings', d.findings.length, 'findings'),
      ...SEVERITIES.map((x) => el('div', { class: `stat sev-${x}` }, el('span', { class: 'stat-value', id: `count-${x}` }, num(bySeverity[x] ?? 0)), el('span', { class: 'stat-label' }, x))),
      count('count-statements', s.statements, 'statements'),
      count('count-sessions', s.sessions, 'sessions'),
      count('count-transactions', s.transactions, 'transactions'),
      count('count-units', s.unitsOfWork, 'units of work'),
      count('count-templates', s.templates, 'distinct queries'),
    ),
    inputs,
  );
}

function select(id: string, label: string, values: string[]): HTMLSelectElement {
  const s = el('select', { id, 'aria-label': label }, el('option', { value: '' }, `all ${label}`));
  for (const v of values) s.append(el('option', { value: v }, v));
  return s;
}

const distinct = (xs: string[]) => [...new Set(xs)].sort();

function sqlBlock(title: string, sql: string, cls: string): HTMLElement {
  return el('div', { class: `sqlbox ${cls}` }, el('div', { class: 'sqlbox-head' }, el('span', {}, title), copyButton(`Copy the “${title}” SQL`, () => sql)), el('pre', {}, highlightSql(sql.trim())));
}

function findingBody(f: PageFinding, docs: string | undefined): HTMLElement {
  const facts: [string, Node | string | null][] = [
    ['id', el('code', {}, f.id)],
    ['kind', docs ? el('a', { href: docs, rel: 'noreferrer' }, f.kind) : f.kind],
    ['applications', f.applications.length ? f.applications.join(', ') : null],
    ['ORM', f.orm],
    ['call site', f.callSite ? el('code', {}, f.callSite) : null],
    ['repeats', `${num(f.repeats)} in the largest unit of work · ${num(f.occurrences)} unit${f.occurrences === 1 ? '' : 's'} of work · ${num(f.statements)} statements`],
    ['time', f.totalMs === null ? 'the log has no durations' : `${ms(f.totalMs)} in total, about ${ms(f.wastedMs)} wasted`],
    ['keys', f.keyColumns.length || f.distinctValues !== null ? `${f.keyColumns.join(', ') || 'values'}${f.distinctValues === null ? '' : ` · ${num(f.distinctValues)} distinct`}` : null],
    ['confidence', `${f.confidence}: ${f.basis.join('; ')}`],
    ['parent', f.parent ? `${f.parent.source}` : null],
    ['sample', f.sample ? f.sample.source : null],
  ];
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of facts) if (v !== null) dl.append(el('dt', {}, k), el('dd', {}, v));
  const body = el('div', { class: 'finding-body' }, dl);
  const wf = waterfall(f);
  if (wf) body.append(el('h4', {}, 'One unit of work'), wf);
  const s = f.suggestion;
  if (s) {
    body.append(el('h4', {}, 'Fix'), el('p', { class: 'summary' }, s.summary), sqlBlock('Instead of', s.insteadOf, 'instead'));
    if (s.use) body.append(sqlBlock('Use', s.use, 'use'));
    if (s.orm) body.append(el('p', { class: 'orm' }, el('strong', {}, `${s.orm.name}: `), s.orm.advice));
  } else if (f.sample) {
    body.append(sqlBlock('Sample', f.sample.sql, 'instead'));
  }
  const snippet = JSON.stringify({ suppressions: [{ id: f.id, reason: 'why this loop is accepted' }] }, null, 2);
  body.append(
    el('h4', {}, 'Accept it'),
    el('div', { class: 'sqlbox suppress' }, el('div', { class: 'sqlbox-head' }, el('span', {}, 'sqloupe.config.json'), copyButton('Copy the suppression snippet', () => snippet)), el('pre', {}, el('code', {}, snippet))),
  );
  return body;
}

function findingElement(f: PageFinding, docs: string | undefined): HTMLDetailsElement {
  const d = el(
    'details',
    { class: `finding sev-${f.severity}`, 'data-id': f.id },
    el(
      'summary',
      {},
      el('span', { class: `badge sev-${f.severity}` }, f.severity),
      el('span', { class: 'kind' }, f.kind),
      el('span', { class: 'title' }, f.title),
      el('span', { class: 'wasted', title: 'time wasted' }, f.wastedMs === null ? '' : ms(f.wastedMs)),
    ),
  );
  // the body is drawn when first opened: a page of 10,000 findings stays light
  const fill = () => {
    if (d.childElementCount === 1) d.append(findingBody(f, docs));
  };
  d.addEventListener('toggle', () => d.open && fill());
  (d as HTMLDetailsElement & { fill?: () => void }).fill = fill;
  return d;
}

function matches(f: PageFinding, x: Filters): boolean {
  if (x.kind && f.kind !== x.kind) return false;
  if (x.severity && f.severity !== x.severity) return false;
  if (x.table && !f.tables.includes(x.table)) return false;
  if (x.application && !f.applications.includes(x.application)) return false;
  if (x.range) {
    const [from, to] = x.range;
    if (!f.unitStarts.some((t) => t / 1000 >= from && t / 1000 <= to)) return false;
  }
  if (x.search) {
    const q = x.search.toLowerCase();
    const hay = [f.id, f.title, f.kind, ...f.tables, ...f.applications, ...f.templates, f.callSite ?? ''].join('\n').toLowerCase();
    if (!hay.includes(q)) return false;
  }
  return true;
}

type SortKey = 'calls' | 'totalMs' | 'meanMs' | 'maxMs';

function topQueries(d: PageData): HTMLElement | null {
  if (d.topQueries.length === 0) return null;
  const cols: [SortKey, string][] = [
    ['calls', 'calls'],
    ['totalMs', 'total'],
    ['meanMs', 'mean'],
    ['maxMs', 'max'],
  ];
  let sort: SortKey = 'totalMs';
  const tbody = el('tbody');
  const heads = cols.map(([key, label]) => {
    const b = el('button', { type: 'button', 'data-sort': key }, label);
    b.addEventListener('click', () => {
      sort = key;
      draw();
    });
    return el('th', { scope: 'col', class: 'n' }, b);
  });
  const draw = () => {
    const rows = [...d.topQueries].sort((a, b) => (b[sort] ?? -1) - (a[sort] ?? -1) || b.calls - a.calls || (a.fingerprint < b.fingerprint ? -1 : 1));
    tbody.replaceChildren(
      ...rows.map((q) =>
        el('tr', { 'data-fingerprint': q.fingerprint }, el('td', { class: 'n' }, num(q.calls)), el('td', { class: 'n' }, ms(q.totalMs)), el('td', { class: 'n' }, ms(q.meanMs)), el('td', { class: 'n' }, ms(q.maxMs)), el('td', { class: 'q' }, highlightSql(q.template), el('span', { class: 'src' }, q.source))),
      ),
    );
    cols.forEach(([key], i) => heads[i]!.setAttribute('aria-sort', key === sort ? 'descending' : 'none'));
  };
  draw();
  return el(
    'section',
    { class: 'top', 'aria-labelledby': 'top-title' },
    el('h2', { id: 'top-title' }, 'Top queries'),
    el('table', { id: 'top-queries' }, el('thead', {}, el('tr', {}, ...heads, el('th', { scope: 'col' }, 'query'))), tbody),
  );
}

function render(d: PageData, app: HTMLElement): void {
  const filters: Filters = { kind: '', table: '', application: '', severity: '', search: '', range: null };
  const list = el('div', { id: 'findings', class: 'findings' });
  const shown = el('p', { id: 'shown-count', 'aria-live': 'polite' });
  const more = el('button', { type: 'button', id: 'show-more', class: 'more' }, 'Show more');
  const rangeNote = el('p', { class: 'range-note', hidden: '' });
  let current: PageFinding[] = [];
  let drawn = 0;
  let chart: TimelineHandle | null = null;

  const drawMore = () => {
    const next = current.slice(drawn, drawn + PAGE);
    append(list, ...next.map((f) => findingElement(f, d.docs[f.kind])));
    drawn += next.length;
    more.hidden = drawn >= current.length;
    more.textContent = `Show ${num(Math.min(PAGE, current.length - drawn))} more`;
  };
  const apply = () => {
    current = d.findings.filter((f) => matches(f, filters));
    list.replaceChildren();
    drawn = 0;
    drawMore();
    shown.textContent = `${num(current.length)} of ${num(d.findings.length)} findings`;
    if (current.length === 0) list.append(el('p', { class: 'empty' }, d.findings.length === 0 ? 'No loops found in this log.' : 'No finding matches these filters.'));
    chart?.mark(current);
  };
  more.addEventListener('click', drawMore);

  const kind = select('filter-kind', 'kinds', distinct(d.findings.map((f) => f.kind)));
  const table = select('filter-table', 'tables', distinct(d.findings.flatMap((f) => f.tables)));
  const application = select('filter-application', 'applications', distinct(d.findings.flatMap((f) => f.applications)));
  const severity = select('filter-severity', 'severities', SEVERITIES.filter((s) => d.findings.some((f) => f.severity === s)));
  const search = el('input', { id: 'search', type: 'search', placeholder: 'Search findings ( / )', 'aria-label': 'Search findings' });
  const bind = (e: HTMLSelectElement | HTMLInputElement, key: 'kind' | 'table' | 'application' | 'severity' | 'search') =>
    e.addEventListener('input', () => {
      filters[key] = e.value.trim();
      apply();
    });
  bind(kind, 'kind');
  bind(table, 'table');
  bind(application, 'application');
  bind(severity, 'severity');
  bind(search, 'search');

  const clearRange = el('button', { type: 'button', id: 'clear-range' }, 'Clear time range');
  clearRange.addEventListener('click', () => setRange(null));
  const setRange = (r: [number, number] | null) => {
    filters.range = r;
    rangeNote.hidden = r === null;
    rangeNote.replaceChildren();
    if (r) append(rangeNote, `Findings with a unit of work between ${new Date(r[0] * 1000).toISOString()} and ${new Date(r[1] * 1000).toISOString()} `, clearRange);
    apply();
  };

  append(app, header(d));
  chart = timelineChart(d, setRange);
  const timeline = el('section', { class: 'timeline', 'aria-labelledby': 'timeline-title' }, el('h2', { id: 'timeline-title' }, 'Timeline'));
  if (chart) append(timeline, el('p', { class: 'hint' }, 'Statements per application; a tick on top marks a unit of work of a finding. Drag across the chart (or focus it and use the arrow keys) to show only the findings of that time.'), chart.element, rangeNote);
  else append(timeline, el('p', { class: 'hint' }, 'The log gives no statement times: no timeline.'));
  append(
    app,
    timeline,
    el(
      'section',
      { class: 'findings-section', 'aria-labelledby': 'findings-title' },
      el('h2', { id: 'findings-title' }, 'Findings'),
      el('div', { class: 'filters', role: 'search' }, search, kind, severity, table, application),
      shown,
      list,
      more,
    ),
    topQueries(d),
  );
  apply();

  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && document.activeElement !== search && !(document.activeElement instanceof HTMLInputElement)) {
      e.preventDefault();
      search.focus();
    } else if (e.key === 'Escape' && document.activeElement === search && search.value) {
      search.value = '';
      filters.search = '';
      apply();
    }
  });
  // a printed report shows each finding drawn so far, opened
  addEventListener('beforeprint', () => {
    for (const x of list.querySelectorAll<HTMLDetailsElement & { fill?: () => void }>('details.finding')) {
      x.fill?.();
      x.open = true;
    }
  });
}

readData()
  .then((d) => {
    // marks for scripts/bench-html.mjs: where the time to interactive goes
    performance.mark('sqloupe-data-read');
    const app = document.getElementById('app')!;
    render(d, app);
    performance.mark('sqloupe-drawn');
    app.removeAttribute('aria-busy');
    document.documentElement.dataset['ready'] = 'true';
  })
  .catch((e: unknown) => {
    const app = document.getElementById('app');
    app?.replaceChildren(el('p', { class: 'error' }, `This report could not be drawn: ${(e as Error).message}`));
    throw e;
  });
