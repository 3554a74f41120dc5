/** `sqloupe --follow FILE…|-`: follow growing logs, print each finding when its first unit of work closes, summary on SIGINT/SIGTERM. */
import { Chalk } from 'chalk';
import { createAnalysis, type AnalyzeOptions, type InputFeed } from '../analyze.js';
import type { AnalysisResult } from '../findings/result.js';
import { FileFollower } from '../input/follow.js';
import { printable } from '../text/printable.js';
import { LineSplitter } from '../input/lines.js';
import { resolveSources, InputError } from '../input/sources.js';
import { findingLine, summaryLine } from '../report/ndjson.js';
import { redactFinding, redactResult } from '../redact.js';
import { findingDetail } from '../report/text.js';
import type { Finding } from '../findings/types.js';
import { colorFor } from './color.js';
import { UsageError } from './values.js';
import type { CliIo } from './io.js';

/** How often files are polled: `tail -F` polls once a second; a quarter second keeps findings prompt for little CPU. */
export const FOLLOW_POLL_MS = 250;

export interface FollowFlags {
  format: string;
  failOn: string;
  quiet?: boolean;
  redact?: boolean;
}


/** A stop that came while the CLI was loading, kept by bin/sqloupe.js until --follow listens. */
const PENDING_STOP = Symbol.for('sqloupe.pendingStop');

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const held = process as unknown as Record<symbol, unknown>;
    const pending = held[PENDING_STOP];
    // from now on a signal is this run's to answer (a second one, after the summary's, ends the process)
    held[PENDING_STOP] = 'listening';
    if (typeof pending === 'string') {
      resolve(pending);
      return;
    }
    const on = (sig: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * Exit code after a stop: 0, or 1 when a finding reaches --fail-on, as in a normal run. A requested stop is how a
 * follow run ends, with its summary complete, so it is not reported as death by signal (130/143): supervisors
 * (systemd, docker stop) and `sqloupe --follow … && next` read that as a failure.
 */
export async function runFollow(
  paths: string[],
  options: AnalyzeOptions,
  flags: FollowFlags,
  exitCodeFor: (result: AnalysisResult, failOn: string) => number,
  io: CliIo,
  /** Resolves when the run should stop; by default SIGINT or SIGTERM. */
  until?: Promise<string>,
): Promise<number> {
  if (flags.format !== 'text' && flags.format !== 'ndjson') {
    throw new UsageError(`--follow prints findings as they happen: use --format text or --format ndjson. Received "${flags.format}".`);
  }
  if (paths.length === 0) throw new UsageError('--follow needs a file to follow (or - for stdin)');
  const { stdin } = io;
  const sources = resolveSources(paths, Boolean(stdin.isTTY), { waitForMissing: true });
  if (sources.filter((s) => s.path === '-').length > 1) throw new InputError('stdin (-) can be followed once');

  // listen before the first read: a finding printed by the first poll may be answered by a signal at once
  const stop = until ?? waitForSignal();
  const color = flags.format === 'text' && colorFor(io.stdout, io.argv);
  const c = new Chalk({ level: color ? 1 : 0 });
  const width = Math.max(60, Math.min(io.stdout.columns ?? 100, 160));
  const printed = new Set<string>();
  const print = (found: Finding) => {
    // --redact holds in follow mode too: each finding is redacted as it is printed
    const f = flags.redact ? redactFinding(found) : found;
    if (flags.format === 'ndjson') io.stdout.write(findingLine(f));
    else io.stdout.write(findingDetail(f, c, width).join('\n') + '\n\n');
  };

  // a finding is printed once, when the first unit of work that shows it closes; later units only add to its counts
  const analysis = createAnalysis(options, {
    onFinding(id) {
      if (printed.has(id)) return;
      printed.add(id);
      const f = analysis.finding(id);
      if (f !== null) print(f);
    },
  });

  interface Followed {
    feed: InputFeed;
    lines: () => number;
    poll: () => number;
    /** More is waiting to be read right now (the last poll stopped at its slice). */
    behind: () => boolean;
    finish: () => void;
  }
  const followed: Followed[] = [];
  let lastData = Date.now();
  /** Set when lines arrive; once the log is quiet the parsers emit the entries they hold (once per quiet spell). */
  let unflushed = false;
  let stdinEnded: (() => void) | null = null;
  const stdinDone = new Promise<string>((resolve) => (stdinEnded = () => resolve('end of input')));

  for (const src of sources) {
    const feed = analysis.openInput(src);
    const sink = { line: feed.line, warn: feed.warn, waiting: (p: string) => io.stderr.write(`sqloupe: ${p} does not exist yet; waiting for it to appear (as tail -F does)\n`) };
    if (src.path === '-') {
      const splitter = new LineSplitter(sink);
      stdin.on('data', (chunk: Buffer) => {
        splitter.push(chunk, 0, chunk.length);
        lastData = Date.now();
        unflushed = true;
      });
      // a pipe that ends (the writer stopped) ends the run like a signal: nothing more can arrive
      stdin.on('end', () => stdinEnded?.());
      followed.push({ feed, lines: () => splitter.lines, poll: () => 0, behind: () => false, finish: () => splitter.finish() });
    } else {
      const follower = new FileFollower(src.path, sink);
      followed.push({ feed, lines: () => follower.lines, poll: () => follower.poll(), behind: () => follower.behind, finish: () => follower.finish() });
    }
  }
  if (!flags.quiet && io.stderr.isTTY) {
    io.stderr.write(`sqloupe: following ${printable(sources.map((s) => (s.path === '-' ? '<stdin>' : s.path)).join(', '), true)}; Ctrl-C prints the summary\n`);
  }

  const tick = () => {
    const now = Date.now();
    for (const f of followed) {
      if (f.poll() > 0) {
        lastData = now;
        unflushed = true;
      }
    }
    for (const f of followed) f.feed.sniffNow();
    // PostgreSQL writes a message with its DETAIL in one go: after a quiet poll, what a parser holds is complete
    if (unflushed && now - lastData >= FOLLOW_POLL_MS) {
      unflushed = false;
      for (const f of followed) f.feed.flush();
    }
    // the tracker sweeps by log time; when the log is silent, wall-clock time passes for its sessions too
    const latest = analysis.latestTime;
    if (latest !== null) analysis.flushIdle(latest + Math.max(0, now - lastData));
  };
  // a reader behind the writer polls again at once, but through the event loop (setImmediate), so a signal
  // is handled between two slices; caught up, it waits for the next poll time
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;
  const loop = () => {
    timer = null;
    immediate = null;
    if (stopped) return;
    tick();
    if (followed.some((f) => f.behind())) immediate = setImmediate(loop);
    else timer = setTimeout(loop, FOLLOW_POLL_MS);
  };
  loop();

  const sources$ = [stop];
  if (sources.some((s) => s.path === '-')) sources$.push(stdinDone);
  await Promise.race(sources$);
  stopped = true;
  if (timer !== null) clearTimeout(timer);
  if (immediate !== null) clearImmediate(immediate);
  if (sources.some((s) => s.path === '-')) stdin.destroy?.();

  // what came since the last poll, unless the reader is behind: then the slice in hand was the last, and the
  // summary says how much was left, so a stop costs no more reading
  if (!followed.some((f) => f.behind())) tick();
  for (const f of followed) {
    f.finish();
    f.feed.end(f.lines());
  }
  const finished = analysis.finish();
  const result = flags.redact ? redactResult(finished) : finished;
  // findings whose units closed only now (open transactions at the stop) are printed before the summary
  for (const f of finished.findings) if (!printed.has(f.id)) print(f);
  if (flags.format === 'ndjson') io.stdout.write(summaryLine(result));
  else io.stdout.write(textSummary(result, c));
  return exitCodeFor(result, flags.failOn);
}

const n = (v: number) => v.toLocaleString('en-US');

/** The stop summary: totals and one line per finding with its final counts (the details were printed as they came). */
function textSummary(result: AnalysisResult, c: InstanceType<typeof Chalk>): string {
  const s = result.summary;
  const lines = [
    c.bold('sqloupe follow summary') +
      ` — ${printable(result.inputs.map((i) => `${i.path} (${n(i.lines)} lines)`).join(', '), true)}`,
    `${n(s.statements)} statements, ${n(s.sessions)} sessions, ${n(s.transactions)} transactions, ${n(s.unitsOfWork)} units of work, ${n(s.templates)} distinct queries`,
  ];
  if (result.findings.length === 0) lines.push(c.green('No loops found.'));
  else {
    lines.push(c.bold(`${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}:`));
    for (const f of result.findings) lines.push(`  ${f.severity}[${f.kind}] ${printable(f.title, true)} — ${f.repeats} × ${f.occurrences}  ${c.dim(`id ${f.id}`)}`);
  }
  for (const i of result.inputs) for (const w of i.warnings) lines.push(c.yellow(printable(w, true)));
  return lines.join('\n') + '\n';
}
