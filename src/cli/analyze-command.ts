/** `sqloupe analyze`: flags → options, run the pipeline, render, and pick the exit code. */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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
import { resolveSources } from '../input/sources.js';
import { reporterById } from '../report/index.js';
import { colorFor } from './color.js';
import { diagnose, renderDiagnosis } from '../doctor.js';
import { checkTimezone, parseDuration, parseInteger, parseList, parseTimeBound, UsageError } from './values.js';
import { configThresholds, configureFlags, type OptionSource } from '../config.js';
import { DEFAULT_WORSE_FACTOR, narrowFindings } from '../findings/baseline.js';
import { createProgress, progressEnabled } from './progress.js';
import { redactResult } from '../redact.js';
import { verifyInto, type VerifyFlags } from './verify-command.js';

export interface AnalyzeFlags extends VerifyFlags {
  format: string;
  output?: string;
  inputFormat?: string;
  prefix?: string;
  logTimezone?: string;
  since?: string;
  until?: string;
  database?: string;
  user?: string;
  application?: string;
  minRepeats: string;
  minParentRepeats?: string;
  idleGap: string;
  failOn: string;
  top: string;
  quiet?: boolean;
  color?: boolean;
  // reports and automation (issue 7): config file, baseline, e-mail digest, progress
  config?: string;
  baseline?: string;
  writeBaseline?: string;
  worseFactor?: string;
  to?: string;
  from?: string;
  subject?: string;
  send?: string;
  always?: boolean;
  progress?: boolean;
  // robustness (issue 9): no literal or parameter value in any output
  redact?: boolean;
  // issue 8: follow growing files, findings as their units of work close; threads; mergeable state
  follow?: boolean;
  jobs?: string;
  saveState?: string;
  merge?: boolean;
}

export function buildOptions(flags: AnalyzeFlags): AnalyzeOptions {
  const logTimezone = flags.logTimezone ? checkTimezone(flags.logTimezone) : null;
  if (flags.inputFormat && !formatById(flags.inputFormat)) {
    throw new UsageError(`--input-format must be one of ${formats.map((f) => f.id).join(', ')}. Received "${flags.inputFormat}".`);
  }
  const since = flags.since ? parseTimeBound(flags.since, '--since', logTimezone) : null;
  const until = flags.until ? parseTimeBound(flags.until, '--until', logTimezone) : null;
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
  };
}

/** Read the logs (on --jobs threads) or the saved states of `sqloupe merge`; write --save-state; build the result. */
async function analyzeOrMerge(paths: string[], flags: AnalyzeFlags, options: AnalyzeOptions): Promise<AnalysisResult> {
  if (flags.merge) {
    if (paths.length === 0) throw new UsageError('merge needs state files written by --save-state: sqloupe merge a.state b.state');
    const states = paths.map(readState);
    if (flags.saveState) writeFileSync(flags.saveState, JSON.stringify(mergeStates(states)));
    return verifyInto(resultFromStates(states, options), states, flags);
  }
  const jobs = flags.jobs === undefined ? availableParallelism() : parseInteger(flags.jobs, '--jobs', 1);
  const sources = resolveSources(paths, Boolean(process.stdin.isTTY));
  const progress = createProgress(process.stderr, progressEnabled(process.stderr, { explicit: flags.progress, quiet: flags.quiet }));
  const states = await analyzeInParallel(sources, options, jobs, { progress: progress.update });
  progress.clear();
  if (flags.saveState) writeFileSync(flags.saveState, JSON.stringify(mergeStates(states)));
  return verifyInto(resultFromStates(states, options), states, flags);
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

export async function runAnalyze(paths: string[], cliFlags: AnalyzeFlags, source: OptionSource = () => undefined): Promise<number> {
  // sqloupe.config.json fills in what the command line left at its default
  const { flags, config } = configureFlags(cliFlags, source);
  const options = buildOptions(flags);
  options.detect = { ...options.detect, ...configThresholds(config) };
  const worseFactor = flags.worseFactor === undefined ? DEFAULT_WORSE_FACTOR : Number(flags.worseFactor);
  if (!(worseFactor > 1)) throw new UsageError(`--worse-factor must be a number above 1. Received "${flags.worseFactor}".`);
  const reporter = reporterById(flags.format);
  if (!reporter) throw new UsageError(`unknown --format ${flags.format}`);
  // loaded when used: every module costs start-up time on each run
  if (flags.follow) return (await import('./follow.js')).runFollow(paths, options, flags, exitCodeFor);
  const analyzed = await analyzeOrMerge(paths, flags, options);
  // redacted once, here, so every reporter, the baseline and the e-mail only ever see templates
  const result0 = flags.redact ? redactResult(analyzed) : analyzed;

  const events = result0.inputs.reduce((n, i) => n + i.events, 0);
  if (result0.summary.statements === 0) {
    // an empty report with no reason is pgBadger's most common complaint: say why instead
    for (const i of result0.inputs) process.stderr.write(renderDiagnosis(await diagnose(i.path === '<stdin>' ? null : i.path, options, i)));
    // 2 when nothing was understood; an empty or blank log file (as logrotate leaves them) had nothing to understand
    if (events === 0 && result0.inputs.some((i) => i.unparsedLines > 0 || i.path === '<stdin>' || i.warnings.some((w) => w.includes('read stopped')))) return 2;
  }
  // suppressions, then the baseline: reports, --fail-on and the e-mail see only what is left
  const narrowed = narrowFindings(result0, {
    suppressions: config.suppressions ?? [],
    baselineFile: flags.baseline ?? null,
    writeBaselineFile: flags.writeBaseline ?? null,
    worseFactor,
  });
  const result = narrowed.result;
  if (!flags.quiet && process.stderr.isTTY) {
    if (narrowed.suppressed) narrowed.notes.unshift(`${narrowed.suppressed} finding(s) suppressed by the config`);
    if (narrowed.baselineUsed) narrowed.notes.unshift(`${narrowed.known} known finding(s) from the baseline not reported`);
    for (const note of narrowed.notes) process.stderr.write(`sqloupe: ${note}\n`);
  }
  if (flags.format === 'email') {
    await (await import('../report/email.js')).deliverDigest(result, narrowed, flags);
    return exitCodeFor(result, flags.failOn);
  }
  const stream = flags.output ? { isTTY: false } : process.stdout;
  const text = reporter.render(result, {
    color: flags.format === 'text' && colorFor(stream),
    quiet: Boolean(flags.quiet),
    width: process.stdout.columns ?? 80,
  });
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  for (const i of result.inputs) {
    if (i.unparsedLines > 0 && flags.format !== 'text') {
      const first = i.unparsedSamples[0];
      process.stderr.write(
        `sqloupe: skipped ${i.unparsedLines} lines in ${i.path}${first ? ` (first at ${i.path}:${first.line}: ${first.reason})` : ''}\n`,
      );
    }
    // truncated gzip, over-long lines: the text report shows them; other formats keep stdout clean
    if (flags.format !== 'text') for (const w of i.warnings) process.stderr.write(`sqloupe: ${w}\n`);
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
