/**
 * The pipeline for one run: inputs → lines → format parser → LogEvents → sessions → detectors → findings.
 * Streams every input; what is kept is per open session, per template and per finding.
 */
import { tz } from '@date-fns/tz';
import { DEFAULT_DETECT_OPTIONS, FINDING_KINDS, type DetectOptions, type FindingKind } from './detect/types.js';
import { detectUnit, detectors } from './detect/index.js';
import { shapeFor } from './detect/analysis.js';
import { FindingStore } from './findings/store.js';
import { TopQueries, type TopQuery } from './findings/top-queries.js';
import type { Finding } from './findings/types.js';
import { formatById, formats } from './formats/index.js';
import type { FormatParser, LogEvent, LogFormat } from './formats/types.js';
import { readLines } from './input/lines.js';
import type { InputSource } from './input/sources.js';
import { TemplateCache } from './sessions/statement.js';
import { SessionTracker, type TrackerOptions } from './sessions/tracker.js';
import type { Unit } from './sessions/types.js';
import { FINGERPRINT_ALGORITHM } from './sql/index.js';

export interface Filters {
  since: number | null;
  until: number | null;
  /** `--since 14:00`: milliseconds after midnight, compared with each record's time of day in `timeOfDayZone`. */
  sinceTimeOfDay: number | null;
  untilTimeOfDay: number | null;
  timeOfDayZone: string | null;
  databases: string[] | null;
  users: string[] | null;
  applications: string[] | null;
}

export interface AnalyzeOptions {
  inputFormat: string | null;
  prefix: string | null;
  logTimezone: string | null;
  filters: Filters;
  detect: DetectOptions;
  tracker: TrackerOptions;
  top: number;
}

export const DEFAULT_ANALYZE_OPTIONS: AnalyzeOptions = {
  inputFormat: null,
  prefix: null,
  logTimezone: null,
  filters: { since: null, until: null, sinceTimeOfDay: null, untilTimeOfDay: null, timeOfDayZone: null, databases: null, users: null, applications: null },
  detect: DEFAULT_DETECT_OPTIONS,
  tracker: { idleGapMs: 1000, maxUnitStatements: 20_000 },
  top: 10,
};

export interface UnparsedSample {
  line: number;
  reason: string;
}

export interface InputReport {
  path: string;
  format: string | null;
  orm: string | null;
  prefix: string | null;
  lines: number;
  events: number;
  statements: number;
  unparsedLines: number;
  unparsedSamples: UnparsedSample[];
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  warnings: string[];
  facts: Record<string, unknown>;
}

export interface AnalysisResult {
  fingerprintAlgorithm: string;
  inputs: InputReport[];
  summary: {
    statements: number;
    sessions: number;
    transactions: number;
    unitsOfWork: number;
    templates: number;
    templatesWithoutAst: number;
    findings: Record<FindingKind, number>;
  };
  findings: Finding[];
  topQueries: TopQuery[];
}

/** Lines read before a format is chosen for an input. */
const SNIFF_LINES = 200;
const MAX_UNPARSED_SAMPLES = 5;

export interface AnalyzeHooks {
  /** Called for every unit of work as it closes, with the drafts found in it (follow mode prints from here). */
  onUnit?(unit: Unit, found: number): void;
  progress?(path: string, bytes: number, size: number | null): void;
}

export async function analyze(sources: InputSource[], options: AnalyzeOptions, hooks: AnalyzeHooks = {}): Promise<AnalysisResult> {
  const templates = new TemplateCache();
  const store = new FindingStore();
  const top = new TopQueries();
  const tracker = new SessionTracker(
    options.tracker,
    templates,
    (unit) => {
      const drafts = detectUnit(unit, options.detect);
      for (const d of drafts) store.add(d, unit);
      hooks.onUnit?.(unit, drafts.length);
    },
    (stmt) => top.add(stmt),
  );
  const inputs: InputReport[] = [];
  for (let index = 0; index < sources.length; index++) {
    inputs.push(await analyzeInput(sources[index]!, index, options, tracker, hooks));
  }
  tracker.end();

  const findings = store.findings();
  const perKind = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) perKind[f.kind]++;
  let withoutAst = 0;
  for (const t of templates.values()) if (!shapeFor(t).parsed) withoutAst++;
  return {
    fingerprintAlgorithm: FINGERPRINT_ALGORITHM,
    inputs,
    summary: {
      statements: tracker.counters.statements,
      sessions: tracker.counters.sessions,
      transactions: tracker.counters.transactions,
      unitsOfWork: tracker.counters.units,
      templates: templates.size,
      templatesWithoutAst: withoutAst,
      findings: perKind,
    },
    findings,
    topQueries: top.top(options.top),
  };
}

/** Pick the format whose sniffer is most confident about these lines. */
export function sniffFormat(lines: string[]): { format: LogFormat | null; score: number } {
  let best: LogFormat | null = null;
  let bestScore = 0;
  for (const f of formats) {
    let score = 0;
    try {
      score = f.sniff(lines);
    } catch {
      score = 0;
    }
    if (score > bestScore) {
      best = f;
      bestScore = score;
    }
  }
  return bestScore >= 0.2 ? { format: best, score: bestScore } : { format: null, score: bestScore };
}

function timeOfDay(t: number, zone: string | null): number {
  const off = zone ? -tz(zone)(t).getTimezoneOffset() * 60_000 : 0;
  return (((t + off) % 86_400_000) + 86_400_000) % 86_400_000;
}

function matchesList(value: string | null, list: string[] | null): boolean {
  return list === null || value === null || list.includes(value);
}

async function analyzeInput(
  src: InputSource,
  index: number,
  options: AnalyzeOptions,
  tracker: SessionTracker,
  hooks: AnalyzeHooks,
): Promise<InputReport> {
  const report: InputReport = {
    path: src.path === '-' ? '<stdin>' : src.path,
    format: null,
    orm: null,
    prefix: null,
    lines: 0,
    events: 0,
    statements: 0,
    unparsedLines: 0,
    unparsedSamples: [],
    firstTimestamp: null,
    lastTimestamp: null,
    warnings: [],
    facts: {},
  };
  const file = report.path;
  const { filters } = options;
  let first = Infinity;
  let last = -Infinity;
  const input = { index, orm: null as string | null };

  const emit = (ev: LogEvent) => {
    report.events++;
    const t = ev.time;
    if (t !== null) {
      if (t < first) first = t;
      if (t > last) last = t;
      if ((filters.since !== null && t < filters.since) || (filters.until !== null && t > filters.until)) return;
      if (filters.sinceTimeOfDay !== null || filters.untilTimeOfDay !== null) {
        const tod = timeOfDay(t, filters.timeOfDayZone);
        if ((filters.sinceTimeOfDay !== null && tod < filters.sinceTimeOfDay) || (filters.untilTimeOfDay !== null && tod > filters.untilTimeOfDay)) return;
      }
    }
    if (
      !matchesList(ev.database, filters.databases) ||
      !matchesList(ev.user, filters.users) ||
      !matchesList(ev.application, filters.applications)
    )
      return;
    if (ev.kind === 'statement' || ev.kind === 'begin' || ev.kind === 'commit' || ev.kind === 'rollback') report.statements++;
    tracker.event(ev, input);
  };
  const skip = (line: number, reason: string) => {
    report.unparsedLines++;
    if (report.unparsedSamples.length < MAX_UNPARSED_SAMPLES) report.unparsedSamples.push({ line, reason });
  };
  const ctx = { file, options: { prefix: options.prefix, logTimezone: options.logTimezone }, emit, skip };

  let parser: FormatParser | null = null;
  let buffer: { text: string; line: number }[] | null = [];
  let unknown = false;

  const choose = () => {
    const lines = buffer!;
    buffer = null;
    let format: LogFormat | null = null;
    if (options.inputFormat !== null) {
      format = formatById(options.inputFormat) ?? null;
    } else {
      format = sniffFormat(lines.map((l) => l.text)).format;
    }
    if (format === null) {
      unknown = true;
      report.warnings.push(`no known log format recognised in ${file}; try \`sqloupe doctor ${file}\` or give --input-format`);
    } else {
      report.format = format.id;
      report.orm = format.orm;
      input.orm = format.orm;
      parser = format.create(ctx);
    }
    for (const l of lines) feed(l.text, l.line);
  };
  const feed = (text: string, line: number) => {
    if (parser !== null) {
      try {
        parser.push(text, line);
      } catch (e) {
        // a parser bug must not lose the rest of the file: count the line and go on
        skip(line, `could not be read (${(e as Error).message})`);
      }
    } else if (unknown && text.length > 0) {
      skip(line, 'not in a recognised log format');
    }
  };

  try {
    report.lines = await readLines(src.path, {
      line(text, lineNo) {
        if (buffer !== null) {
          buffer.push({ text, line: lineNo });
          if (buffer.length >= SNIFF_LINES) choose();
          return;
        }
        feed(text, lineNo);
      },
      warn(lineNo, message) {
        report.warnings.push(`${file}:${lineNo}: ${message}`);
      },
      progress: hooks.progress ? (bytes) => hooks.progress!(file, bytes, src.size) : undefined,
    });
  } catch (e) {
    report.warnings.push(`${file}: read stopped: ${(e as Error).message}`);
  }
  if (buffer !== null) choose();
  const p = parser as FormatParser | null;
  if (p !== null) {
    p.end();
    const facts = p.describe?.() ?? {};
    report.facts = facts;
    if (typeof facts['prefix'] === 'string') report.prefix = facts['prefix'];
  }
  report.firstTimestamp = Number.isFinite(first) ? new Date(first).toISOString() : null;
  report.lastTimestamp = Number.isFinite(last) ? new Date(last).toISOString() : null;
  return report;
}

export { detectors };
