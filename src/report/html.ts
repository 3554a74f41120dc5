/**
 * `--format html`: one self-contained page (timeline, a waterfall per loop, rewrites, top queries). The page's
 * script and styles are bundled into dist/html-report/ at build time (scripts/bundle-html.mjs) and inlined here;
 * the run's data goes in a `<script type="application/json">`, so nothing from the log is ever parsed as markup.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { AnalysisResult } from '../findings/result.js';
import { UsageError } from '../errors.js';
import { kindDocsUrl, TOOL } from '../version.js';
import { analysedRange } from './summary.js';
import { DATA_ELEMENT_ID, type PageData, type PageFinding } from './html/page-data.js';
import { defineReporter } from './types.js';

export default defineReporter({
  id: 'html',
  summary: 'one self-contained HTML page: timeline, a waterfall per loop, rewrites',
  render: (result) => renderHtmlPage(result),
});

/** Above this the data is embedded gzip-compressed (base64): 10,000 findings are ~15 MB of JSON, ~1.5 MB so. */
const PLAIN_DATA_LIMIT = 1 << 20;

// src/report/html.ts and dist/report/html.js are both two levels below the package root
const ASSETS = new URL('../../dist/html-report/', import.meta.url);

let assets: { script: string; style: string } | null = null;

function loadAssets(): { script: string; style: string } {
  if (assets) return assets;
  try {
    assets = {
      script: readFileSync(new URL('page.js', ASSETS), 'utf8'),
      style: readFileSync(new URL('page.css', ASSETS), 'utf8'),
    };
  } catch (e) {
    throw new UsageError(`the HTML report's page script is not built (${(e as Error).message}): run \`npm run build\` in the sqloupe checkout`);
  }
  // an inlined asset must not be able to end its own element
  if (/<\/script/i.test(assets.script) || /<\/style/i.test(assets.style)) throw new Error('bundled HTML assets contain a closing </script> or </style>');
  return assets;
}

const escHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON that can sit inside `<script>`: no `<` at all (so no `</script>` or `<!--`), and the line separators escaped. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function toPageData(result: AnalysisResult): PageData {
  const findings: PageFinding[] = result.findings.map((f) => {
    const sample = f.evidence.samples[0];
    const keyColumns = f.evidence['keyColumns'];
    return {
      id: f.id,
      kind: f.kind,
      severity: f.severity,
      title: f.title,
      tables: f.tables,
      applications: f.applications,
      orm: f.orm,
      callSite: f.callSite,
      occurrences: f.occurrences,
      repeats: f.repeats,
      statements: f.statements,
      totalMs: f.totalDurationMs,
      wastedMs: f.wastedMs,
      confidence: f.evidence.confidence,
      basis: f.evidence.basis,
      distinctValues: f.evidence.distinctValues,
      keyColumns: Array.isArray(keyColumns) ? keyColumns.filter((k): k is string => typeof k === 'string') : [],
      parent: f.evidence.parent ? { template: f.evidence.parent.template, source: f.evidence.parent.source } : null,
      templates: f.templates,
      sample: sample ? { sql: sample.sql, source: sample.source } : null,
      unitStarts: f.units.map((u) => (u.start === null ? NaN : Date.parse(u.start))).filter((t) => Number.isFinite(t)),
      suggestion: f.suggestion
        ? { summary: f.suggestion.summary, insteadOf: f.suggestion.insteadOf, use: f.suggestion.use, orm: f.suggestion.orm ?? null }
        : null,
      trace: result.traces?.[f.id] ?? null,
    };
  });
  const s = result.summary;
  return {
    tool: { name: TOOL.name, version: TOOL.version },
    fingerprintAlgorithm: result.fingerprintAlgorithm,
    inputs: result.inputs.map((i) => ({ path: i.path, format: i.format, prefix: i.prefix, lines: i.lines, statements: i.statements, unparsedLines: i.unparsedLines })),
    // the window the filters kept (the log's own range when nothing was filtered)
    range: keptRange(result),
    summary: { statements: s.statements, sessions: s.sessions, transactions: s.transactions, unitsOfWork: s.unitsOfWork, templates: s.templates },
    findings,
    topQueries: result.topQueries.map((q) => ({
      fingerprint: q.fingerprint,
      template: q.template,
      calls: q.calls,
      totalMs: q.totalMs,
      meanMs: q.meanMs,
      maxMs: q.maxMs,
      source: q.example.source,
    })),
    docs: Object.fromEntries([...new Set(findings.map((f) => f.kind))].map((k) => [k, kindDocsUrl(k)])),
    timeline: result.timeline ?? { bucketMs: 1, start: null, buckets: 0, series: [], timed: 0, untimed: 0 },
  };
}

export function renderHtmlPage(result: AnalysisResult): string {
  const { script, style } = loadAssets();
  const json = scriptSafeJson(toPageData(result));
  const data =
    json.length <= PLAIN_DATA_LIMIT
      ? `<script type="application/json" id="${DATA_ELEMENT_ID}">${json}</script>`
      : `<script type="application/json" id="${DATA_ELEMENT_ID}" data-encoding="gzip-base64">${JSON.stringify(gzipSync(json).toString('base64'))}</script>`;
  const n = result.findings.length;
  const title = `${TOOL.name}: ${n === 0 ? 'no loops found' : `${n.toLocaleString('en-US')} finding${n === 1 ? '' : 's'}`} in ${
    result.inputs.length === 1 ? result.inputs[0]!.path : `${result.inputs.length} logs`
  }`;
  // the policy is the guarantee that no request leaves the page: nothing may be fetched, whatever the code does
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<noscript><p>This report draws itself with JavaScript; the same findings are in <code>sqloupe --format markdown</code>.</p></noscript>
<div id="app" aria-busy="true"></div>
${data}
<script>${script}</script>
</body>
</html>
`;
}

/** The window the filters kept (the log's own range when nothing was filtered), as the page shows it. */
function keptRange(result: AnalysisResult): { from: string; to: string } | null {
  const r = analysedRange(result);
  return r === null ? null : { from: r.from, to: r.to };
}
