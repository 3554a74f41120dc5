/**
 * `sqloupe doctor`: what a log can and cannot support (prefix, escapes, durations, locale) and the exact
 * postgresql.conf lines to add. Also printed by analyze when a run finds no statements.
 */
import { analyze, DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from './analyze.js';
import type { InputReport } from './findings/result.js';
import { count } from './text/plural.js';
import { printable } from './text/printable.js';

export const RECOMMENDED_PREFIX = '%m [%p] %q%u@%d/%a [%c] %v ';

export interface Diagnosis {
  path: string;
  format: string | null;
  prefix: string | null;
  prefixSource: string | null;
  /** Other prefixes that fit the log as well as the detected one but read it otherwise (empty when the choice is clear). */
  prefixAlternatives: string[];
  lines: number;
  statements: number;
  unparsedLines: number;
  /** What the log can support, each with ok/missing and why it matters. */
  checks: { ok: boolean; what: string; why: string }[];
  /** postgresql.conf lines to add, exactly. */
  settings: string[];
  notes: string[];
}

const ESCAPE_CHECKS: { any: string[]; what: string; why: string }[] = [
  { any: ['m', 'n'], what: 'millisecond timestamps (%m or %n)', why: 'loops are told from requests by pauses of a few milliseconds; %t has whole seconds' },
  { any: ['c', 'p'], what: 'a session key (%c, or %p)', why: 'statements of concurrent connections are kept apart by it' },
  { any: ['c'], what: 'the session id (%c)', why: 'without it a reused pid can merge two connections' },
  { any: ['v', 'x'], what: 'the transaction id (%v or %x)', why: 'transactions are rebuilt from BEGIN/COMMIT alone without it' },
  { any: ['a'], what: 'the application name (%a)', why: 'findings name the application that ran the loop' },
  { any: ['u', 'd'], what: 'user and database (%u, %d)', why: 'for --user/--database filters and the report' },
];

/** Diagnose one input. With `report` (from an analysis already run) nothing is read again. */
export async function diagnose(
  path: string | null,
  options: AnalyzeOptions = DEFAULT_ANALYZE_OPTIONS,
  report?: InputReport,
  stdin?: NodeJS.ReadableStream,
): Promise<Diagnosis> {
  let r = report;
  if (!r) {
    const result = await analyze([{ path: path ?? '-', size: null }], options, { stdin });
    r = result.inputs[0]!;
  }
  const f = r.facts;
  const checks: Diagnosis['checks'] = [];
  const settings: string[] = [];
  const notes: string[] = [];
  const pgServer = r.format !== null && r.format.startsWith('pg-');
  if (r.format === null) {
    notes.push(
      r.lines === 0
        ? 'the input is empty'
        : 'no known log format was recognised in the first lines. sqloupe reads PostgreSQL stderr/syslog/csvlog/jsonlog logs and the SQL logs of SQLAlchemy, Django, Rails, Sequelize, TypeORM, Prisma, Hibernate and GORM; give --input-format to force one',
    );
  }
  if (r.format === 'pg-stderr' || r.format === 'pg-syslog') {
    const escapes = new Set((f['escapes'] as string[] | undefined) ?? []);
    if (r.prefix === null) {
      checks.push({ ok: false, what: 'log_line_prefix', why: 'no prefix fits these lines: give it with --prefix (copy it from `SHOW log_line_prefix;`)' });
    } else {
      const alternatives = stringList(f['prefixAlternatives']);
      if (alternatives.length > 0) {
        checks.push({
          ok: false,
          what: `log_line_prefix '${r.prefix}' (${String(f['prefixSource'] ?? 'detected')}, ambiguous)`,
          why: `${f['matchedLines'] ?? 0} lines matched it, but ${alternatives.map((a) => `'${a}'`).join(', ')} fit${alternatives.length === 1 ? 's' : ''} them as well and read${alternatives.length === 1 ? 's' : ''} them otherwise: give the right one with --prefix (copy it from \`SHOW log_line_prefix;\`)`,
        });
      } else {
        checks.push({ ok: true, what: `log_line_prefix '${r.prefix}' (${String(f['prefixSource'] ?? 'detected')})`, why: `${count(Number(f['matchedLines'] ?? 0), 'line')} matched it` });
      }
      let missing = false;
      for (const c of ESCAPE_CHECKS) {
        const ok = c.any.some((e) => escapes.has(e));
        checks.push({ ok, what: c.what, why: c.why });
        if (!ok) missing = true;
      }
      if (missing) settings.push(`log_line_prefix = '${RECOMMENDED_PREFIX}'`);
    }
    const forged = Number(f['forgedPrefixLines'] ?? 0);
    if (forged > 0) {
      notes.push(`${count(forged, 'line has', 'lines have')} an application name (or user, database) holding text that reads as the end of the log line prefix, such as a forged 'LOG:  duration: …'; they were read with the session's value from its connection line`);
    }
    const disagreeing = Number(f['disagreeingPrefixLines'] ?? 0);
    if (disagreeing > 0) {
      notes.push(`${count(disagreeing, 'line has', 'lines have')} prefix fields (user, database, application) that are not their session's from its connection line; the session's were used (the warnings give file:line). If this is many lines, the prefix is probably misread: give --prefix`);
    }
    const unmatched = Number(f['unmatchedLines'] ?? 0);
    if (unmatched > 0 && r.prefix !== null) {
      notes.push(`${count(unmatched, 'line', 'lines')} did not match the prefix (first at line ${r.unparsedSamples[0]?.line ?? '?'}); if the prefix changed during the file, split it or give --prefix`);
    }
  }
  if (pgServer) {
    const durations = Number(f['durationStatements'] ?? 0) + Number(f['extendedExecutes'] ?? 0) + Number(f['durationOnly'] ?? 0);
    const plain = Number(f['plainStatements'] ?? 0);
    const all = r.statements > 0;
    checks.push({
      ok: all,
      what: 'statements logged',
      why: all ? `${count(r.statements, 'statement')} found` : 'no statement lines: the server logs only errors and events',
    });
    checks.push({ ok: durations > 0, what: 'durations logged', why: durations > 0 ? 'time per statement and wasted time are reported' : 'without durations, findings cannot say how much time a loop costs' });
    if (!all || durations === 0) {
      settings.push('log_min_duration_statement = 0');
      settings.push("# on a busy server, log a sample of transactions instead: log_transaction_sample_rate = 0.01");
    }
    if (plain > 0 && durations === 0) notes.push('log_statement = all without log_duration: add log_duration = on, or switch to log_min_duration_statement = 0');
    if (Number(f['nonEnglishEntries'] ?? 0) > 0) {
      // the sample is log text: shown printable, and not at all under --redact (the redacted facts drop it)
      const sample = typeof f['firstNonEnglish'] === 'string' ? ` (${printable(f['firstNonEnglish'])})` : '';
      checks.push({ ok: false, what: 'English messages', why: `messages in another language were found${sample}; sqloupe reads the English ones` });
      settings.push("lc_messages = 'C'");
    }
    if (Number(f['connections'] ?? 0) === 0) {
      checks.push({ ok: false, what: 'connections logged', why: 'connect/disconnect lines end sessions cleanly and give application_name when the prefix lacks %a' });
      settings.push('log_connections = on', 'log_disconnections = on');
    }
    const unsure = (f['unsureZones'] as string[] | undefined) ?? [];
    if (unsure.length) notes.push(`time zone ${unsure.join(', ')} is ambiguous or unknown: give --log-timezone (an IANA zone such as Asia/Shanghai)`);
  }
  // ORM formats say which logging setting would give them what is missing (durations, parameters…)
  const ormAdvice = f['advice'];
  if (Array.isArray(ormAdvice)) for (const a of ormAdvice) if (typeof a === 'string') notes.push(a);
  return {
    path: r.path,
    format: r.format,
    prefix: r.prefix,
    prefixSource: (f['prefixSource'] as string | undefined) ?? null,
    prefixAlternatives: stringList(f['prefixAlternatives']),
    lines: r.lines,
    statements: r.statements,
    unparsedLines: r.unparsedLines,
    checks,
    settings: [...new Set(settings)],
    notes,
  };
}

export function renderDiagnosis(d: Diagnosis): string {
  const out: string[] = [];
  out.push(`${d.path}: ${d.format ? `format ${d.format}` : 'format not recognised'}, ${count(d.lines, 'line')}, ${count(d.statements, 'statement')}, ${count(d.unparsedLines, 'line')} not understood`);
  for (const c of d.checks) out.push(`  ${c.ok ? 'ok     ' : 'missing'}  ${c.what}: ${c.why}`);
  for (const n of d.notes) out.push(`  note     ${n}`);
  if (d.settings.length) {
    out.push('  add to postgresql.conf (then SELECT pg_reload_conf();):');
    for (const s of d.settings) out.push(`    ${s}`);
  }
  // the path and the facts can hold text from the log: nothing reaches the terminal raw
  return out.map((l) => printable(l, true)).join('\n') + '\n';
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
