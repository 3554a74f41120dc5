/** Terminal report: header, findings (worst first) with evidence and the Instead-of/Use pair, then top queries. */
import { Chalk } from 'chalk';
import Table from 'cli-table3';
import type { AnalysisResult } from '../findings/result.js';
import { fmtMs } from '../text/duration.js';
import { count } from '../text/plural.js';
import { kindDocsUrl } from '../version.js';
import type { Finding } from '../findings/types.js';
import { TOOL } from '../version.js';
import { defineReporter, type ReportContext } from './types.js';
import { analysedRange, baselineStatus, goneLines, headlineParts, headlineSentence, rangeText } from './summary.js';
import { printable, printableDeep } from '../text/printable.js';

export default defineReporter({
  id: 'text',
  summary: 'Terminal report with tables (colours only on a TTY, never with NO_COLOR)',
  render: renderText,
});

function oneLine(sql: string, max: number): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

const n = (v: number) => v.toLocaleString('en-US');

/** Table borders without a rule between rows, so a table stays one line per row. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function renderText(logResult: AnalysisResult, ctx: ReportContext): string {
  // every string in the result may come from a log: made printable before any of it reaches a terminal
  const result = printableDeep(logResult);
  const c = new Chalk({ level: ctx.color ? 1 : 0 });
  const width = Math.max(60, Math.min(ctx.width, 160));
  const out: string[] = [];
  const s = result.summary;
  if (!ctx.quiet) {
    out.push(c.bold(`${TOOL.name} ${TOOL.version}`) + ` — ${describeInputs(result)}`);
    out.push(
      `${n(s.statements)} statements, ${n(s.sessions)} sessions, ${n(s.transactions)} transactions, ` +
        `${n(s.unitsOfWork)} units of work, ${n(s.templates)} distinct queries`,
    );
    const range = analysedRange(result);
    if (range) out.push(rangeText(range));
    for (const i of result.inputs) {
      if (i.unparsedLines > 0) {
        const first = i.unparsedSamples[0];
        out.push(c.yellow(`skipped ${count(i.unparsedLines, 'line')} in ${i.path}${first ? ` (first at line ${first.line}: ${first.reason})` : ''}`));
      }
      for (const w of i.warnings) out.push(c.yellow(w));
    }
    // one line for what a directory held beside the logs, not a warning per file
    if (result.notLogs?.length) out.push(`skipped ${count(result.notLogs.length, 'file that is not a log', 'files that are not logs')}: ${result.notLogs.join(', ')}`);
    out.push('');
  }

  const findings = result.findings;
  if (findings.length === 0) {
    out.push(c.green(`${headlineSentence(result)}.`) + (ctx.quiet ? '' : ` Looked at ${count(s.unitsOfWork, 'unit of work', 'units of work')}.`));
  } else {
    const sevCount = (sev: string) => findings.filter((f) => f.severity === sev).length;
    const [main, still] = headlineParts(result);
    out.push(c.bold(main) + ` (${sevCount('error')} error, ${sevCount('warning')} warning, ${sevCount('info')} info)` + (still ? `; ${still}` : ''));
    out.push(findingsTable(findings, ctx, c, width));
    out.push('');
    for (const f of findings) out.push(...findingDetail(f, c, width), '');
  }
  if (!ctx.quiet) {
    const gone = goneLines(result.baseline);
    if (gone.length) out.push(...(findings.length === 0 ? [''] : []), c.green(gone[0]!), ...gone.slice(1), '');
  }

  if (!ctx.quiet && result.topQueries.length > 0) {
    const timed = result.topQueries.some((q) => q.totalMs !== null);
    out.push(c.bold(`Top queries by ${timed ? 'total time' : 'calls'}`));
    const table = new Table({
      head: ['calls', 'total', 'mean', 'max', 'query'],
      chars: COMPACT,
      style: { head: ctx.color ? ['cyan'] : [], border: ctx.color ? ['grey'] : [] },
      colAligns: ['right', 'right', 'right', 'right', 'left'],
      wordWrap: false,
    });
    const qWidth = Math.max(20, width - 44);
    for (const q of result.topQueries) {
      table.push([
        n(q.calls),
        q.totalMs === null ? '–' : fmtMs(q.totalMs),
        q.meanMs === null ? '–' : fmtMs(q.meanMs),
        q.maxMs === null ? '–' : fmtMs(q.maxMs),
        oneLine(q.template, qWidth),
      ]);
    }
    out.push(table.toString());
  }
  return out.join('\n') + '\n';
}

function describeInputs(result: AnalysisResult): string {
  const i = result.inputs;
  if (i.length === 1) {
    const one = i[0]!;
    return `${one.path} (${one.format ?? 'unknown format'}${one.prefix ? `, prefix '${one.prefix}'` : ''})`;
  }
  const formats = [...new Set(i.map((x) => x.format ?? 'unknown'))].join(', ');
  return `${i.length} inputs (${formats})`;
}

function sevColor(c: InstanceType<typeof Chalk>, sev: string) {
  return sev === 'error' ? c.red : sev === 'warning' ? c.yellow : c.blue;
}

function findingsTable(findings: Finding[], ctx: ReportContext, c: InstanceType<typeof Chalk>, width: number): string {
  const table = new Table({
    head: ['#', 'severity', 'kind', 'tables', 'repeats × units', 'wasted'],
    chars: COMPACT,
    style: { head: ctx.color ? ['cyan'] : [], border: ctx.color ? ['grey'] : [] },
    wordWrap: false,
  });
  const tableWidth = Math.max(10, width - 60);
  findings.forEach((f, i) => {
    table.push([
      String(i + 1),
      sevColor(c, f.severity)(f.severity),
      f.kind,
      oneLine(f.tables.join(', ') || '–', tableWidth),
      `${f.repeats} × ${f.occurrences}`,
      f.wastedMs === null ? '–' : fmtMs(f.wastedMs),
    ]);
  });
  return table.toString();
}

/** One finding's block (exported for follow mode, which prints each finding as it appears). */
export function findingDetail(logFinding: Finding, c: InstanceType<typeof Chalk>, width: number): string[] {
  // printing twice is harmless: escapes are printable already
  const f = printableDeep(logFinding);
  const lines: string[] = [];
  const sev = sevColor(c, f.severity);
  lines.push(`${sev(`${f.severity}[${f.kind}]`)} ${c.bold(f.title)}  ${c.dim(`id ${f.id}`)}`);
  const who = [
    f.applications.length ? `app ${f.applications.join(', ')}` : null,
    f.orm ? `ORM ${f.orm}` : null,
    f.callSite ? `at ${f.callSite}` : null,
    f.totalDurationMs !== null ? `${fmtMs(f.totalDurationMs)} in total` : null,
  ].filter(Boolean);
  if (who.length) lines.push(`  ${printable(who.join(' · '), true)}`);
  const status = baselineStatus(f);
  if (status) lines.push(`  baseline: ${status}`);
  lines.push(wrap(`confidence ${f.evidence.confidence}: ${f.evidence.basis.join('; ')}`, width, 2));
  if (f.verification) lines.push(wrap(`verify: ${f.verification.message}`, width, 2));
  const sample = f.evidence.samples[0];
  if (sample) lines.push(`  sample ${c.dim(sample.source)}  ${oneLine(sample.sql, width - sample.source.length - 12)}`);
  if (f.suggestion) {
    lines.push(wrap(`fix: ${f.suggestion.summary}`, width, 2).replace(/^ {2}fix/, '  ' + c.bold('fix')));
    lines.push(`  ${c.dim('instead of:')} ${indentSql(f.suggestion.insteadOf, 14)}`);
    if (f.suggestion.use) lines.push(`  ${c.green('use:')}        ${indentSql(f.suggestion.use, 14)}`);
    if (f.suggestion.orm) lines.push(`  ${c.bold(f.suggestion.orm.name)}: ${f.suggestion.orm.advice}`);
  }
  lines.push(`  ${c.dim(`about ${f.kind}: ${kindDocsUrl(f.kind)}`)}`);
  return lines;
}

/** Prose wrapped at word boundaries to the terminal width, every line indented (first line included). */
function wrap(text: string, width: number, indent: number): string {
  const pad = ' '.repeat(indent);
  const max = Math.max(40, width - indent);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > max) {
      out.push(pad + line);
      line = word;
    } else {
      line = line.length ? `${line} ${word}` : word;
    }
  }
  if (line.length) out.push(pad + line);
  return out.join('\n');
}

function indentSql(sql: string, indent: number): string {
  return sql.trim().split('\n').join('\n' + ' '.repeat(indent));
}
