/** `sqloupe analyze`: flags → options, run the pipeline, render, and pick the exit code. */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  analyzeInParallel,
  DEFAULT_ANALYZE_OPTIONS,
  mergeStates,
  resultFromStates,
  STATE_VERSION,
  type AnalysisState,
  type AnalyzeOptions,
} from '../analyze.js';
import { DEFAULT_DETECT_OPTIONS } from '../detect/draft.js';
import type { AnalysisResult } from '../findings/result.js';
import { SEVERITIES, type Severity } from '../findings/types.js';
import { formatById, formats } from '../formats/index.js';
import { resolveInputs } from '../input/sources.js';
import { reporterById } from '../report/index.js';
import { colorFor } from './color.js';
import { diagnose, renderDiagnosis } from '../doctor.js';
import { checkTimezone, checkWritable, parseDuration, parseInteger, parseList, parseTimeBound, UsageError, writeUserFile, type TimeBound } from './values.js';
import { emptyFilterNote } from './empty-filter.js';
import { configThresholds, configureFlags, type OptionSource } from '../config.js';
import { DEFAULT_WORSE_FACTOR, DEFAULT_WORSE_MIN_MS, narrowFindings } from '../findings/baseline.js';
import { createProgress, progressEnabled } from './progress.js';
import { redactResult, redactState } from '../redact.js';
import { count } from '../text/plural.js';
import { printable } from '../text/printable.js';
import { verifyInto } from './verify-command.js';
import type { AnalyzeFlags } from './flags.js';
import type { CliIo } from './io.js';

export type { AnalyzeFlags } from './flags.js';

/** A window that ends before it starts keeps nothing by construction: a usage error, not an empty report. */
function checkOrder(flags: AnalyzeFlags, since: TimeBound | null, until: TimeBound | null): void {
  if (since === null || until === null) return;
  const reversed =
    (since.at !== null && until.at !== null && since.at > until.at) ||
    (since.timeOfDay !== null && until.timeOfDay !== null && since.timeOfDay > until.timeOfDay);
  if (!reversed) return;
  // a relative bound is shown with the time it stands for: "--since 1h (2026-05-01T13:00:00.000Z)"
  const at = (b: TimeBound, word: string) => (b.at !== null && /^\d+(\.\d+)?\s*[a-z]+$/.test(word.trim()) ? `${word} (${new Date(b.at).toISOString()})` : word);
  throw new UsageError(
    `--since ${at(since, flags.since!)} is after --until ${at(until, flags.until!)}: the window is reversed; swap them` +
      (since.timeOfDay !== null ? ' (for a window across midnight, give dates: --since "2026-05-01 23:00" --until "2026-05-02 01:00")' : ''),
  );
}

export function buildOptions(flags: AnalyzeFlags): AnalyzeOptions {
  const logTimezone = flags.logTimezone ? checkTimezone(flags.logTimezone) : null;
  if (flags.inputFormat && !formatById(flags.inputFormat)) {
    throw new UsageError(`--input-format must be one of ${formats.map((f) => f.id).join(', ')}. Received "${flags.inputFormat}".`);
  }
  const since = flags.since ? parseTimeBound(flags.since, '--since', logTimezone) : null;
  const until = flags.until ? parseTimeBound(flags.until, '--until', logTimezone) : null;
  checkOrder(flags, since, until);
  return {
    ...DEFAULT_ANALYZE_OPTIONS,
    inputFormat: flags.inputFormat ?? null,
    prefix: flags.prefix ?? null,
    logTimezone,
    filters: {
      since: since?.at ?? null,
      until: until?.at ?? null,
      sinceTimeOfDay: since?.timeOfDay ?? null,
      untilTimeOfDay: until?.timeOfDay ?? null,
      timeOfDayZone: logTimezone,
      databases: parseList(flags.database),
      users: parseList(flags.user),
      applications: parseList(flags.application),
    },
    detect: {
      ...DEFAULT_DETECT_OPTIONS,
      minRepeats: parseInteger(flags.minRepeats, '--min-repeats', 2),
      minParentRepeats: parentRepeats(flags),
    },
    tracker: { ...DEFAULT_ANALYZE_OPTIONS.tracker, idleGapMs: parseDuration(flags.idleGap, '--idle-gap') },
    top: parseInteger(flags.top, '--top', 0),
    redact: flags.redact ? { salt: randomBytes(16).toString('hex') } : null,
  };
}

/** Read the logs (on --jobs threads) or the saved states of `sqloupe merge`; write --save-state; build the result. */
async function analyzeOrMerge(paths: string[], flags: AnalyzeFlags, options: AnalyzeOptions, io: CliIo): Promise<AnalysisResult> {
  if (flags.merge) {
    if (paths.length === 0) throw new UsageError('merge needs state files written by --save-state: sqloupe merge a.state b.state');
    // a state saved without --redact is redacted as it is read: the merged state file must not hold its values
    const states = paths.map(readState).map((s) => (options.redact ? redactState(s, options.redact.salt) : s));
    if (flags.saveState) writeUserFile(flags.saveState, JSON.stringify(mergeStates(states)), '--save-state');
    return verifyInto(resultFromStates(states, options), states, flags);
  }
  const jobs = flags.jobs === undefined ? availableParallelism() : parseInteger(flags.jobs, '--jobs', 1);
  const { sources, notLogs } = resolveInputs(paths, Boolean(io.stdin.isTTY));
  const progress = createProgress(io.stderr, progressEnabled(io.stderr, { explicit: flags.progress, quiet: flags.quiet }));
  const states = await analyzeInParallel(sources, options, jobs, { progress: progress.update, stdin: io.stdin });
  progress.clear();
  if (flags.saveState) writeUserFile(flags.saveState, JSON.stringify(mergeStates(states)), '--save-state');
  const result = await verifyInto(resultFromStates(states, options), states, flags);
  return notLogs.length ? { ...result, notLogs } : result;
}

function readState(path: string): AnalysisState {
  let state: AnalysisState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as AnalysisState;
  } catch (e) {
    throw new UsageError(`cannot read state file ${path}: ${(e as Error).message.split('\n')[0]} (write one with --save-state)`);
  }
  if (state === null || typeof state !== 'object' || state.stateVersion !== STATE_VERSION || !Array.isArray(state.findings)) {
    throw new UsageError(`${path} is not a sqloupe state file of this version (state ${STATE_VERSION}); write it again with --save-state`);
  }
  return state;
}

/** Exit 1 when a finding reaches the --fail-on severity. */
export function exitCodeFor(result: AnalysisResult, failOn: string): number {
  if (failOn === 'none') return 0;
  const min = SEVERITIES.indexOf(failOn as Severity);
  return result.findings.some((f) => SEVERITIES.indexOf(f.severity) >= min) ? 1 : 0;
}

export async function runAnalyze(paths: string[], cliFlags: AnalyzeFlags, source: OptionSource, io: CliIo): Promise<number> {
  // sqloupe.config.json fills in what the command line left at its default
  const { flags, config } = configureFlags(cliFlags, source);
  const options = buildOptions(flags);
  options.detect = { ...options.detect, ...configThresholds(config) };
  const worseFactor = flags.worseFactor === undefined ? DEFAULT_WORSE_FACTOR : Number(flags.worseFactor);
  if (!(worseFactor > 1)) throw new UsageError(`--worse-factor must be a number above 1. Received "${flags.worseFactor}".`);
  const worseMinMs = flags.worseMinTime === undefined ? DEFAULT_WORSE_MIN_MS : parseDuration(flags.worseMinTime, '--worse-min-time');
  const reporter = reporterById(flags.format);
  if (!reporter) throw new UsageError(`unknown --format ${flags.format}`);
  if (flags.output) checkWritable(flags.output, '--output');
  if (flags.saveState) checkWritable(flags.saveState, '--save-state');
  if (flags.writeBaseline) checkWritable(flags.writeBaseline, '--write-baseline');
  // loaded when used: every module costs start-up time on each run
  if (flags.follow) return (await import('./follow.js')).runFollow(paths, options, flags, exitCodeFor, io);
  const analyzed = await analyzeOrMerge(paths, flags, options, io);
  // redacted once, here, so every reporter, the baseline and the e-mail only ever see templates
  const result0 = flags.redact ? redactResult(analyzed) : analyzed;

  const events = result0.inputs.reduce((n, i) => n + i.events, 0);
  const filterNote = emptyFilterNote(result0, options.filters, { since: flags.since, until: flags.until });
  const digestNotes: string[] = [];
  if (filterNote !== null) {
    // the log has statements, the filters kept none: say so (in the digest only when it is sent anyway)
    if (flags.format === 'email') digestNotes.push(filterNote);
    else io.stderr.write(`sqloupe: ${filterNote}\n`);
  } else if (result0.summary.statements === 0) {
    // an empty report with no reason is pgBadger's most common complaint: say why instead
    for (const i of result0.inputs) io.stderr.write(renderDiagnosis(await diagnose(i.path === '<stdin>' ? null : i.path, options, i)));
    // 2 when nothing was understood; an empty or blank log file (as logrotate leaves them) had nothing to understand
    if (events === 0 && result0.inputs.some((i) => i.unparsedLines > 0 || i.path === '<stdin>' || i.warnings.some((w) => w.includes('read stopped')))) return 2;
  }
  // suppressions, then the baseline: reports, --fail-on and the e-mail see only what is left
  const narrowed = narrowFindings(result0, {
    suppressions: config.suppressions ?? [],
    baselineFile: flags.baseline ?? null,
    writeBaselineFile: flags.writeBaseline ?? null,
    worse: { factor: worseFactor, minTimeMs: worseMinMs },
  });
  const result = narrowed.result;
  if (!flags.quiet && io.stderr.isTTY) {
    if (narrowed.suppressed) narrowed.notes.unshift(`${count(narrowed.suppressed, 'finding')} suppressed by the config`);
    if (narrowed.baselineUsed) narrowed.notes.unshift(`${count(narrowed.known, 'known loop')} still present (baseline), not reported`);
    for (const note of narrowed.notes) io.stderr.write(`sqloupe: ${note}\n`);
  }
  if (flags.format === 'email') {
    await (await import('../report/email.js')).deliverDigest(result, { ...narrowed, notes: digestNotes }, flags, io);
    return exitCodeFor(result, flags.failOn);
  }
  const stream = flags.output ? { isTTY: false } : io.stdout;
  const text = reporter.render(result, {
    color: flags.format === 'text' && colorFor(stream, io.argv),
    quiet: Boolean(flags.quiet),
    width: io.stdout.columns ?? 80,
  });
  if (flags.output) writeUserFile(flags.output, text, '--output');
  else io.stdout.write(text);
  for (const i of result.inputs) {
    if (i.unparsedLines > 0 && flags.format !== 'text') {
      const first = i.unparsedSamples[0];
      io.stderr.write(
        printable(`sqloupe: skipped ${count(i.unparsedLines, 'line')} in ${i.path}${first ? ` (first at ${i.path}:${first.line}: ${first.reason})` : ''}`) + '\n',
      );
    }
    // truncated gzip, over-long lines: the text report shows them; other formats keep stdout clean
    if (flags.format !== 'text') for (const w of i.warnings) io.stderr.write(`sqloupe: ${printable(w, true)}\n`);
  }
  return exitCodeFor(result, flags.failOn);
}

/**
 * Loops right after their parent count from 2 unless the user says otherwise; a user who raises --min-repeats
 * above its default asks for fewer, larger loops, so that floor then holds for parent-backed loops too.
 */
function parentRepeats(flags: Pick<AnalyzeFlags, 'minRepeats' | 'minParentRepeats'>): number {
  if (flags.minParentRepeats !== undefined) return parseInteger(flags.minParentRepeats, '--min-parent-repeats', 2);
  const min = parseInteger(flags.minRepeats, '--min-repeats', 2);
  return min > DEFAULT_DETECT_OPTIONS.minRepeats ? min : DEFAULT_DETECT_OPTIONS.minParentRepeats;
}
