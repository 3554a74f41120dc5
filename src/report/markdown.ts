/** `--format markdown`: a report to paste into a ticket or a wiki page (GitHub-flavoured tables and fenced SQL). */
import type { AnalysisResult } from '../findings/result.js';
import { fmtMs } from '../text/duration.js';
import { kindDocsUrl } from '../version.js';
import type { Finding } from '../findings/types.js';
import { TOOL } from '../version.js';
import { defineReporter, type ReportContext } from './types.js';
import { analysedRange, baselineStatus, headline, rangeText } from './summary.js';
import { printableDeep } from '../text/printable.js';

export default defineReporter({
  id: 'markdown',
  summary: 'Markdown for a ticket or a wiki page',
  render: renderMarkdown,
});

const n = (v: number) => v.toLocaleString('en-US');

/** A table cell: pipes and newlines would end the cell or the row. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/**
 * Text from a log as inline CommonMark/GFM text that renders as itself: every character that can open markup
 * (emphasis, links and images, raw HTML and autolinks, entities, code spans, headings, table cells,
 * strikethrough) is backslash-escaped, GFM's bare-URL and e-mail autolinks are broken by an escape, and line
 * breaks become spaces so nothing can start a block.
 */
export function mdText(s: string): string {
  return s
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\`*_[\]<>!#|~&@]/g, (ch) => `\\${ch}`)
    .replace(/\b(https?|ftp):/gi, '$1\\:')
    .replace(/\bwww\./gi, 'www\\.');
}

/** Inline code that survives backticks inside the SQL (CommonMark: a longer fence). */
function code(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  const longest = Math.max(0, ...(one.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${one} ${fence}` : `${fence}${one}${fence}`;
}

function fenced(sql: string, lang = 'sql'): string {
  const longest = Math.max(2, ...(sql.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${sql.trim()}\n${fence}`;
}

export function describeInputs(result: AnalysisResult): string {
  return result.inputs.map((i) => `${i.path} (${i.format ?? 'unknown format'})`).join(', ');
}

export function repeatsText(f: Finding): string {
  return `${f.repeats} × ${f.occurrences}`;
}

export function renderMarkdown(logResult: AnalysisResult, ctx: ReportContext): string {
  // control characters first (a ticket is read in terminals too), then markup, value by value below
  const result = printableDeep(logResult);
  const out: string[] = [];
  const s = result.summary;
  const f = result.findings;
  out.push(`# ${TOOL.name} report: ${headline(result)}`, '');
  if (!ctx.quiet) {
    out.push(`- **Inputs:** ${mdText(describeInputs(result))}`);
    // the window analysed: with --since/--until (or any filter) the records kept, not the file's range
    const range = analysedRange(result);
    if (range) out.push(`- **Time range:** ${mdText(rangeText(range).replace(/^from /, ''))}`);
    out.push(
      `- **Analyzed:** ${n(s.statements)} statements, ${n(s.sessions)} sessions, ${n(s.transactions)} transactions, ` +
        `${n(s.unitsOfWork)} units of work, ${n(s.templates)} distinct queries`,
    );
    out.push(`- **Tool:** ${TOOL.name} ${TOOL.version} (${result.fingerprintAlgorithm})`, '');
  }
  if (f.length > 0) {
    out.push('| # | severity | kind | tables | repeats × units | wasted | id |', '|---:|---|---|---|---:|---:|---|');
    f.forEach((x, i) => {
      out.push(
        `| ${i + 1} | ${x.severity} | ${x.kind} | ${mdText(x.tables.join(', ') || '–')} | ${repeatsText(x)} | ${x.wastedMs === null ? '–' : fmtMs(x.wastedMs)} | \`${x.id}\` |`,
      );
    });
    out.push('');
    f.forEach((x, i) => out.push(...findingSection(x, i + 1), ''));
  }
  const gone = result.baseline?.gone ?? [];
  if (gone.length) {
    out.push('## Gone since the baseline', '', `${gone.length === 1 ? 'This known finding was' : `These ${gone.length} known findings were`} not seen in this run (fixed, or outside this log's window):`, '');
    for (const g of gone) out.push(`- \`${g.id}\` ${g.kind}: ${cell(g.title)} (first seen ${g.firstSeen})`);
    out.push('');
  }
  if (!ctx.quiet && result.topQueries.length > 0) {
    const timed = result.topQueries.some((q) => q.totalMs !== null);
    out.push(`## Top queries by ${timed ? 'total time' : 'calls'}`, '', '| calls | total | mean | max | query |', '|---:|---:|---:|---:|---|');
    for (const q of result.topQueries) {
      const ms = (v: number | null) => (v === null ? '–' : fmtMs(v));
      out.push(`| ${n(q.calls)} | ${ms(q.totalMs)} | ${ms(q.meanMs)} | ${ms(q.maxMs)} | ${cell(code(truncate(q.template, 200)))} |`);
    }
    out.push('');
  }
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

function truncate(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

function findingSection(f: Finding, index: number): string[] {
  const lines = [`## ${index}. ${mdText(f.title)}`, ''];
  const facts: [string, string | null][] = [
    ['Kind', `[${f.kind}](${kindDocsUrl(f.kind)}) (${f.severity})`],
    ['Finding id', `\`${f.id}\``],
    ['Baseline', baselineStatus(f)],
    ['Tables', f.tables.length ? mdText(f.tables.join(', ')) : null],
    ['Applications', f.applications.length ? mdText(f.applications.join(', ')) : null],
    ['ORM', f.orm === null ? null : mdText(f.orm)],
    ['Call site', f.callSite ? code(f.callSite) : null],
    ['Repeats', `${f.repeats} in the largest unit of work, ${f.occurrences} unit${f.occurrences === 1 ? '' : 's'} of work, ${f.statements} statements`],
    ['Time', f.totalDurationMs === null ? null : `${fmtMs(f.totalDurationMs)} in total${f.wastedMs === null ? '' : `, about ${fmtMs(f.wastedMs)} wasted`}`],
    ['Confidence', `${f.evidence.confidence}: ${mdText(f.evidence.basis.join('; '))}`],
    ['Verified', f.verification ? mdText(f.verification.message) : null],
  ];
  for (const [k, v] of facts) if (v !== null) lines.push(`- **${k}:** ${v}`);
  const sample = f.evidence.samples[0];
  if (sample) lines.push(`- **Sample** at ${code(sample.source)}: ${code(truncate(sample.sql, 300))}`);
  if (f.suggestion) {
    lines.push('', `**Fix:** ${mdText(f.suggestion.summary)}`, '', 'Instead of:', '', fenced(f.suggestion.insteadOf));
    if (f.suggestion.use) lines.push('', 'Use:', '', fenced(f.suggestion.use));
    if (f.suggestion.orm) lines.push('', `**${mdText(f.suggestion.orm.name)}:** ${mdText(f.suggestion.orm.advice)}`);
  }
  return lines;
}
