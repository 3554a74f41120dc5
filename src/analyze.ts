/**
 * The pipeline for one run: inputs → lines → format parser → LogEvents → sessions → detectors → findings.
 * Streams every input; what is kept is per open session, per template and per finding.
 */
import { tz } from '@date-fns/tz';
import { DEFAULT_DETECT_OPTIONS, type DetectOptions } from './detect/draft.js';
import { detectUnit, FINDING_KINDS, type FindingKind } from './detect/registry.js';
import type { AnalysisResult, FilterFacts, InputReport, UnparsedSample } from './findings/result.js';
import { hasAst } from './detect/analysis.js';
import { FindingStore, type GroupState } from './findings/store.js';
import { TopQueries, type TopEntryState, type TopQuery } from './findings/top-queries.js';
import { TimelineCounter, type TimelineState } from './findings/timeline.js';
import type { Finding } from './findings/types.js';
import { formatById, formats } from './formats/index.js';
import type { FormatContext, FormatParser, LogEvent, LogFormat } from './formats/types.js';
import { readLines } from './input/lines.js';
import { withoutContainerStamp } from './input/container-stamp.js';
import type { InputSource } from './input/sources.js';
import { MAX_STATEMENT_CHARS, TemplateCache } from './sessions/statement.js';
import { SessionTracker, type TrackerCounters, type TrackerOptions } from './sessions/tracker.js';
import type { Unit } from './sessions/types.js';
import { FINGERPRINT_ALGORITHM } from './sql/index.js';
import { rewritesDropped } from './rewrite/index.js';
import { count } from './text/plural.js';
import { redactState } from './redact.js';

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
  /** Distinct templates kept at once (default MAX_TEMPLATES); past it the least used are forgotten, as the report says. */
  maxTemplates?: number;
  /**
   * --redact: the state (and so every report and state file) keeps no literal, parameter or client-chosen name;
   * values become digests keyed by this run's salt (shared with the worker threads).
   */
  redact?: { salt: string } | null;
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

/** Lines read before a format is chosen for an input. */
const SNIFF_LINES = 200;
const MAX_UNPARSED_SAMPLES = 5;

export interface AnalyzeHooks {
  /** Called for every unit of work as it closes, with the drafts found in it (follow mode prints from here). */
  onUnit?(unit: Unit, found: number): void;
  /** Called for each finding a closing unit adds to (its id, for `Analysis.finding`), after the store has it. */
  onFinding?(id: string, unit: Unit): void;
  progress?(path: string, bytes: number, size: number | null): void;
  /** What '-' reads (the process's stdin unless a caller, such as a test running the CLI in-process, gives another). */
  stdin?: NodeJS.ReadableStream;
}

/** One input fed line by line: by readLines in `analyze`, by the file follower in follow mode. */
export interface InputFeed {
  line(text: string, lineNo: number): void;
  warn(lineNo: number, message: string): void;
  /** The input ended inside this line, with no line end after it (LineSink.cut). */
  cut(lineNo: number): void;
  /** Choose the format now if the lines so far are recognised (follow mode cannot wait for 200 lines). */
  sniffNow(): void;
  /** The log has been quiet: let the parser emit what it holds for lines that may still come (FormatParser.flush). */
  flush(): void;
  /** End of this input: flush the parser and return its report. */
  end(lines: number, readError?: Error): InputReport;
}

/** The pipeline as an object, for callers that feed lines as they arrive (follow mode); `analyze` is built on it. */
export interface Analysis {
  openInput(src: InputSource): InputFeed;
  /** Close autocommit units idle longer than the gap as of log time `now` (follow mode's wall-clock timer). */
  flushIdle(now: number): void;
  /** Latest log time seen, or null before any timed event. */
  readonly latestTime: number | null;
  /** The finding with this id as it stands now. */
  finding(id: string): Finding | null;
  /** Close every open unit and build the result; inputs not ended yet are left out. */
  finish(): AnalysisResult;
  /** Close every open unit and return what the result is built from, as plain data (--save-state, --jobs). */
  finishState(): AnalysisState;
}

/** Version of the state file format; merge refuses others. */
export const STATE_VERSION = 1;

/**
 * Everything a report is built from, as plain JSON: per-input reports, counters, templates, findings and
 * top-query tallies. States of separate inputs merge into the result of one run over all of them.
 */
export interface AnalysisState {
  stateVersion: number;
  fingerprintAlgorithm: string;
  inputs: InputReport[];
  counters: TrackerCounters;
  templates: string[];
  findings: GroupState[];
  topQueries: TopEntryState[];
  /** Absent in states saved before the timeline existed. */
  timeline?: TimelineState;
}

export function createAnalysis(options: AnalyzeOptions, hooks: AnalyzeHooks = {}): Analysis {
  const templates = new TemplateCache(options.maxTemplates);
  const store = new FindingStore();
  const top = new TopQueries(options.maxTemplates);
  const timeline = new TimelineCounter();
  const tracker = new SessionTracker(
    options.tracker,
    templates,
    (unit) => {
      const drafts = detectUnit(unit, options.detect);
      const ids: string[] = [];
      for (const d of drafts) ids.push(store.add(d, unit));
      hooks.onUnit?.(unit, drafts.length);
      if (hooks.onFinding) for (const id of ids) hooks.onFinding(id, unit);
    },
    (stmt, ev) => {
      top.add(stmt);
      timeline.add(stmt.time, ev.application);
    },
  );
  const inputs: InputReport[] = [];
  let nextIndex = 0;
  return {
    openInput: (src) => openInput(src, nextIndex++, options, tracker, (r) => inputs.push(r), templates),
    flushIdle: (now) => tracker.sweepLiveAt(now),
    get latestTime() {
      return tracker.latestLogTime;
    },
    finding: (id) => (options.redact ? redactedFinding(store, id, options.redact.salt) : store.finding(id)),
    // the result always goes through the state, so one run, --jobs and merged states agree by construction
    finish: () => resultFromStates([finishState(templates, store, top, timeline, tracker, inputs, options)], options),
    finishState: () => finishState(templates, store, top, timeline, tracker, inputs, options),
  };
}

/**
 * Follow mode prints a finding as it stands: under --redact it is built, as the report is, from its redacted
 * data, so a fix text never had a value in it (masking text afterwards misses numbers in VALUES lists).
 */
function redactedFinding(store: FindingStore, id: string, salt: string): Finding | null {
  const group = store.exportGroup(id);
  if (group === null) return null;
  const redacted = redactState({ inputs: [], templates: [], findings: [group], topQueries: [] }, salt).findings[0]!;
  const cache = new TemplateCache();
  const one = new FindingStore();
  one.importState(redacted, (t) => cache.intern(t, null));
  return one.finding(id);
}

function finishState(
  templates: TemplateCache,
  store: FindingStore,
  top: TopQueries,
  timeline: TimelineCounter,
  tracker: SessionTracker,
  inputs: InputReport[],
  options: AnalyzeOptions,
): AnalysisState {
  tracker.end();
  const state: AnalysisState = {
    stateVersion: STATE_VERSION,
    fingerprintAlgorithm: FINGERPRINT_ALGORITHM,
    inputs,
    counters: { ...tracker.counters },
    templates: [...templates.values()].map((t) => t.template),
    findings: store.exportState(),
    topQueries: top.exportState(),
    timeline: timeline.exportState(),
  };
  // values leave the data here, where it becomes a state: nothing after this point (state file, worker message,
  // reports) can hold one
  return options.redact ? redactState(state, options.redact.salt) : state;
}

/** One state holding these states' inputs, in this order (what --save-state writes for a run of several inputs). */
export function mergeStates(states: AnalysisState[]): AnalysisState {
  const m = mergeInto(states);
  return {
    stateVersion: STATE_VERSION,
    fingerprintAlgorithm: FINGERPRINT_ALGORITHM,
    inputs: m.inputs,
    counters: m.counters,
    templates: [...m.templates.values()].map((t) => t.template),
    findings: m.store.exportState(),
    topQueries: m.top.exportState(),
    timeline: m.timeline.exportState(),
  };
}

/** The result of one run over the inputs of these states, in this order. */
export function resultFromStates(states: AnalysisState[], options: AnalyzeOptions): AnalysisResult {
  // states read for merge may have been saved without --redact
  if (options.redact) states = states.map((s) => redactState(s, options.redact!.salt));
  const { templates, store, top, timeline, counters, inputs } = mergeInto(states);
  // suggestions are built (and grammar-checked) while the findings are: count the rejected ones here
  const droppedBefore = rewritesDropped();
  const findings = store.findings();
  const dropped = rewritesDropped() - droppedBefore;
  const perKind = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) perKind[f.kind]++;
  let withoutAst = 0;
  for (const t of templates.values()) if (!hasAst(t)) withoutAst++;
  return {
    fingerprintAlgorithm: FINGERPRINT_ALGORITHM,
    inputs,
    summary: {
      statements: counters.statements,
      sessions: counters.sessions,
      transactions: counters.transactions,
      unitsOfWork: counters.units,
      templates: templates.size,
      templatesWithoutAst: withoutAst,
      rewritesDropped: dropped,
      findings: perKind,
    },
    findings,
    topQueries: top.top(options.top),
    timeline: timeline.result(),
    traces: store.traces(),
  };
}

function mergeInto(states: AnalysisState[]) {
  const templates = new TemplateCache();
  const intern = (template: string) => templates.intern(template, null);
  const store = new FindingStore();
  const top = new TopQueries();
  const timeline = new TimelineCounter();
  const counters: TrackerCounters = { statements: 0, sessions: 0, transactions: 0, units: 0 };
  const inputs: InputReport[] = [];
  for (const st of states) {
    if (st.stateVersion !== STATE_VERSION || st.fingerprintAlgorithm !== FINGERPRINT_ALGORITHM) {
      throw new StateError(`state of ${st.inputs.map((i) => i.path).join(', ') || 'no input'} was written by another version (state ${st.stateVersion}, ${st.fingerprintAlgorithm}); save it again with this one`);
    }
    inputs.push(...st.inputs);
    counters.statements += st.counters.statements;
    counters.sessions += st.counters.sessions;
    counters.transactions += st.counters.transactions;
    counters.units += st.counters.units;
    for (const t of st.templates) intern(t);
    for (const g of st.findings) store.importState(g, intern);
    for (const q of st.topQueries) top.importState(q, intern);
    if (st.timeline) timeline.importState(st.timeline);
  }
  return { templates, store, top, timeline, counters, inputs };
}

/** A state file that cannot be merged (other version, not a state). */
export class StateError extends Error {}

export async function analyze(sources: InputSource[], options: AnalyzeOptions, hooks: AnalyzeHooks = {}): Promise<AnalysisResult> {
  return resultFromStates([await analyzeToState(sources, options, hooks)], options);
}

/**
 * Analyze files on `jobs` worker threads, one input per task, and return their states in input order
 * (stdin, and a single input, stay on this thread). Merged, they give the result of one run.
 */
export async function analyzeInParallel(sources: InputSource[], options: AnalyzeOptions, jobs: number, hooks: AnalyzeHooks = {}): Promise<AnalysisState[]> {
  if (jobs <= 1 || sources.length < 2 || sources.some((s) => s.path === '-')) return [await analyzeToState(sources, options, hooks)];
  const { Worker } = await import('node:worker_threads');
  const states: AnalysisState[] = new Array(sources.length);
  let next = 0;
  const workerUrl = new URL('./analyze-worker.js', import.meta.url);
  await Promise.all(
    Array.from({ length: Math.min(jobs, sources.length) }, async () => {
      const worker = new Worker(workerUrl);
      try {
        while (next < sources.length) {
          const i = next++;
          states[i] = await new Promise<AnalysisState>((resolve, reject) => {
            worker.once('message', (m: { state?: AnalysisState; error?: string }) => (m.state ? resolve(m.state) : reject(new Error(m.error))));
            worker.once('error', reject);
            worker.postMessage({ source: sources[i], options });
          });
          worker.removeAllListeners('error');
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return states;
}

/** One run over the inputs in this thread, kept as a state. */
export async function analyzeToState(sources: InputSource[], options: AnalyzeOptions, hooks: AnalyzeHooks = {}): Promise<AnalysisState> {
  const analysis = createAnalysis(options, hooks);
  for (const src of sources) {
    const feed = analysis.openInput(src);
    let lines = 0;
    let readError: Error | undefined;
    try {
      lines = await readLines(src.path, {
        line: feed.line,
        warn: feed.warn,
        cut: feed.cut,
        progress: hooks.progress ? (bytes) => hooks.progress!(src.path === '-' ? '<stdin>' : src.path, bytes, src.size) : undefined,
      }, hooks.stdin);
    } catch (e) {
      readError = e as Error;
    }
    feed.end(lines, readError);
  }
  return analysis.finishState();
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

const MAX_SEEN_NAMES = 50;

export function hasFilters(f: Filters): boolean {
  return (
    f.since !== null || f.until !== null || f.sinceTimeOfDay !== null || f.untilTimeOfDay !== null || f.databases !== null || f.users !== null || f.applications !== null
  );
}

function isStatement(ev: LogEvent): boolean {
  return ev.kind === 'statement' || ev.kind === 'begin' || ev.kind === 'commit' || ev.kind === 'rollback';
}

function noteSeen(seen: { statements: number; applications: Set<string>; databases: Set<string>; users: Set<string> }, ev: LogEvent): void {
  if (!isStatement(ev)) return;
  seen.statements++;
  if (ev.application !== null && seen.applications.size < MAX_SEEN_NAMES) seen.applications.add(ev.application);
  if (ev.database !== null && seen.databases.size < MAX_SEEN_NAMES) seen.databases.add(ev.database);
  if (ev.user !== null && seen.users.size < MAX_SEEN_NAMES) seen.users.add(ev.user);
}

function openInput(
  src: InputSource,
  index: number,
  options: AnalyzeOptions,
  tracker: SessionTracker,
  done: (report: InputReport) => void,
  templates: TemplateCache,
): InputFeed {
  const forgottenBefore = templates.forgotten;
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
  const filtering = hasFilters(filters);
  // what the filters left out, so a run that keeps nothing can say why (FilterFacts, in facts.filter)
  const seen = { statements: 0, applications: new Set<string>(), databases: new Set<string>(), users: new Set<string>() };
  let firstKept = Infinity;
  let lastKept = -Infinity;

  // the last line a record was read from or reported on, to tell whether a cut last line was read at all
  let lastUsed = 0;
  let cutLine: number | null = null;
  const emit = (ev: LogEvent) => {
    report.events++;
    if (ev.line > lastUsed) lastUsed = ev.line;
    const t = ev.time;
    if (filtering) noteSeen(seen, ev);
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
    // counted as the tracker counts it: a failed statement (ERROR + STATEMENT) is one unless it was logged already
    const counted = tracker.counters.statements;
    try {
      tracker.event(ev, input);
    } catch (e) {
      // a bug on one statement (SQL core, sessions) must not unwind through the format parser and lose its state
      skip(ev.line, `could not be analyzed (${(e as Error).message})`);
      return;
    }
    if (tracker.counters.statements > counted) report.statements++;
    if (t !== null) {
      if (t < firstKept) firstKept = t;
      if (t > lastKept) lastKept = t;
    }
  };
  const skip = (line: number, reason: string) => {
    if (line > lastUsed) lastUsed = line;
    report.unparsedLines++;
    if (report.unparsedSamples.length < MAX_UNPARSED_SAMPLES) report.unparsedSamples.push({ line, reason });
  };
  const ctx: FormatContext = { file, options: { prefix: options.prefix, logTimezone: options.logTimezone }, emit, skip };

  let parser: FormatParser | null = null;
  let buffer: { text: string; line: number }[] | null = [];
  let unknown = false;

  const choose = (onlyIfKnown = false) => {
    const lines = buffer!;
    let format: LogFormat | null = null;
    if (options.inputFormat !== null) {
      format = formatById(options.inputFormat) ?? null;
    } else {
      format = sniffFormat(lines.map((l) => l.text)).format;
    }
    if (format === null && onlyIfKnown) return;
    buffer = null;
    if (format === null) {
      unknown = true;
      report.warnings.push(`no known log format recognised in ${file}; try \`sqloupe doctor ${file}\` or give --input-format`);
    } else {
      report.format = format.id;
      report.orm = format.orm;
      input.orm = format.orm;
      // follow mode cannot let the parser hold lines to detect its prefix: settle it from the lines so far
      if ((onlyIfKnown || live) && ctx.options.prefix === null) ctx.options.prefix = probePrefix(format, lines, ctx.options);
      if (live) ctx.options.live = true;
      parser = format.create(ctx);
    }
    for (const l of lines) feed(l.text, l.line);
  };
  /** Set once follow mode asks to sniff early: from then on this input is read live. */
  let live = false;
  const feed = (text: string, line: number) => {
    if (parser !== null) {
      try {
        parser.push(text, line);
      } catch (e) {
        // a parser bug must not lose the rest of the file: count the line and go on
        skip(line, `could not be read (${(e as Error).message})`);
      }
    } else if (unknown && text.trim().length > 0) {
      skip(line, 'not in a recognised log format');
    }
  };

  return {
    line(raw, lineNo) {
      const text = withoutContainerStamp(raw);
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
    cut(lineNo) {
      cutLine = lineNo;
    },
    sniffNow() {
      live = true;
      if (buffer !== null && buffer.length > 0) choose(true);
    },
    flush() {
      const p = parser as FormatParser | null;
      try {
        p?.flush?.();
      } catch (e) {
        // like a line the parser could not take: counted, and the follow run goes on
        skip(0, `could not be flushed (${(e as Error).message})`);
      }
    },
    end(lines, readError) {
      if (readError === undefined) report.lines = lines;
      else report.warnings.push(`${file}: read stopped: ${readError.message}`);
      if (buffer !== null) choose();
      const p = parser as FormatParser | null;
      if (p !== null) {
        p.end();
        // a last line cut mid-record (`LOG:  dura`) reads as no record at all: count it, and say why and what to do
        if (cutLine !== null && lastUsed < cutLine) {
          skip(cutLine, 'the file ends inside this line, with no line end: the record was cut short while being written (or the copy was); analyze the file again once its writer has finished it');
        }
        const facts = p.describe?.() ?? {};
        report.facts = facts;
        if (typeof facts['prefix'] === 'string') report.prefix = facts['prefix'];
        // a prefix that changed in the file (or a --prefix that did not fit it) must not pass unnoticed
        const changes = facts['prefixChanges'];
        if (Array.isArray(changes)) {
          (changes as { line: number; prefix: string; matchedBefore?: number }[]).forEach((c, i) => {
            // a --prefix that never matched did not "stop matching": say it was wrong, and what was used instead
            if (i === 0 && c.matchedBefore === 0 && options.prefix !== null) {
              report.warnings.push(
                `${file}: the given --prefix '${options.prefix}' matched none of ${count(lines, 'line')}; used the detected prefix '${c.prefix}' (check it with \`SHOW log_line_prefix;\`)`,
              );
            } else {
              report.warnings.push(`${file}:${c.line}: the lines stopped matching the log_line_prefix in use; from here on they match '${c.prefix}'`);
            }
          });
        }
        // warnings a format raised about particular lines, already as `file:line: message`
        const formatWarnings = facts['warnings'];
        if (Array.isArray(formatWarnings)) for (const w of formatWarnings) if (typeof w === 'string') report.warnings.push(w);
      }
      for (const m of tracker.mergedStreams) {
        if (m.file !== file) continue;
        report.warnings.push(
          `${file}:${m.line}: BEGIN inside an open transaction: several connections write this ORM log and it does not say which wrote a line, ` +
            `so its transactions cannot be told apart and it is read as autocommit traffic; log the thread or connection (e.g. %(thread)d in Python's logging format) to keep them`,
        );
      }
      const forgotten = templates.forgotten - forgottenBefore;
      if (forgotten > 0) {
        report.warnings.push(
          `${file}: more than ${templates.max.toLocaleString('en-US')} distinct statement templates: kept the ${templates.size.toLocaleString('en-US')} busiest ` +
            `of about ${(templates.size + templates.forgotten).toLocaleString('en-US')} (${count(forgotten, 'template')} with the fewest statements forgotten in this input; ` +
            `their statements are counted, but a forgotten template that comes again starts its tallies afresh)`,
        );
      }
      const heldEarly = tracker.heldEarlyOf(index);
      if (heldEarly > 0) {
        report.warnings.push(
          `${file}: more than 20,000 statements waited at once for a fan-out over pooled connections to be decided (the log's clock went back, ` +
            `or it holds more than 20,000 statements a second): ${count(heldEarly, 'unit')} of work analyzed before it was, so a fan-out among them may also be reported in its sessions' own units`,
        );
      }
      const memoryCuts = tracker.memoryCutsOf(index);
      if (memoryCuts > 0) {
        report.warnings.push(
          `${file}: more than ${tracker.maxOpenStatements.toLocaleString('en-US')} statements in open units of work at once: ${count(memoryCuts, 'unit')} cut early, the largest first ` +
            `(each part is analyzed on its own, so a loop across a cut is counted in parts)`,
        );
      }
      const long = tracker.longOf(index);
      if (long > 0) {
        report.warnings.push(
          `${file}: ${count(long, 'statement')} longer than ${MAX_STATEMENT_CHARS.toLocaleString('en-US')} characters: counted and fingerprinted by their start, ` +
            `which is all that is kept of them (their loops are found; no rewrite is generated from them)`,
        );
      }
      const shed = tracker.shedOf(index);
      if (shed > 0) {
        report.warnings.push(
          `${file}: more than ${tracker.maxOpenSessions.toLocaleString('en-US')} sessions open at once: ${count(shed, 'session')} silent longest ` +
            `had their units of work analyzed as they stood and were forgotten (one that logs again is counted as a new session); ` +
            `without disconnection lines a log never says a session ended: log_disconnections = on lets them end as they do`,
        );
      }
      for (const c of tracker.cutsOf(index)) {
        report.warnings.push(
          `${file}: session ${c.session}: units of work cut ${c.cuts} time${c.cuts === 1 ? '' : 's'} at the limit of ${options.tracker.maxUnitStatements.toLocaleString('en-US')} statements per unit ` +
            `(each part is analyzed on its own, so a loop across a cut is counted in parts)`,
        );
      }
      report.firstTimestamp = Number.isFinite(first) ? new Date(first).toISOString() : null;
      report.lastTimestamp = Number.isFinite(last) ? new Date(last).toISOString() : null;
      if (filtering) {
        const filter: FilterFacts = {
          statementsInLog: seen.statements,
          firstKept: Number.isFinite(firstKept) ? new Date(firstKept).toISOString() : null,
          lastKept: Number.isFinite(lastKept) ? new Date(lastKept).toISOString() : null,
          applicationsSeen: [...seen.applications].sort(),
          databasesSeen: [...seen.databases].sort(),
          usersSeen: [...seen.users].sort(),
        };
        report.facts = { ...report.facts, filter };
      }
      done(report);
      return report;
    },
  };
}

/**
 * Follow mode chooses a format from the first few lines; a parser that detects its prefix would hold up to
 * hundreds of lines first, and a quiet log never sends them. A throwaway parser reads the lines seen so far and
 * the prefix it settles on is given to the real one, which then parses from the first line.
 */
function probePrefix(format: LogFormat, lines: { text: string; line: number }[], options: { prefix: string | null; logTimezone: string | null }): string | null {
  try {
    const probe = format.create({ file: '', options, emit: () => undefined, skip: () => undefined });
    for (const l of lines) probe.push(l.text, l.line);
    probe.end();
    const prefix = probe.describe?.()['prefix'];
    return typeof prefix === 'string' ? prefix : null;
  } catch {
    return null;
  }
}

