/** Baselines: `--write-baseline` records the findings of a run; `--baseline` keeps only findings that are new or got worse. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { z as Zod } from 'zod';
import type { AnalysisResult, BaselineSummary } from './result.js';
import { fmtMs } from '../text/duration.js';
import { UsageError } from '../errors.js';
import { loadZod, type Suppression } from '../config.js';
import { FINDING_KINDS, type FindingKind } from '../detect/registry.js';
import { TOOL } from '../version.js';
import { applySuppressions } from './suppress.js';
import type { Finding } from './types.js';

export const BASELINE_VERSION = 1;
export const DEFAULT_WORSE_FACTOR = 2;
/**
 * Wasted time must also grow by this much (ms) to count as worse: the same loop on a cold cache or a busy host
 * takes several times as long for a few milliseconds more (0.23 → 2.4 ms is noise, not a regression).
 */
export const DEFAULT_WORSE_MIN_MS = 100;

/** When a known finding counts as worse: grown by `factor`, and time also by at least `minTimeMs`. */
export interface WorseRule {
  factor: number;
  minTimeMs: number;
}

export const DEFAULT_WORSE_RULE: WorseRule = { factor: DEFAULT_WORSE_FACTOR, minTimeMs: DEFAULT_WORSE_MIN_MS };

/** The baseline file's schema, built when a baseline is read (zod is loaded only then). */
function buildSchemas(z: typeof Zod) {
  const entrySchema = z.object({
    id: z.string().min(1),
    kind: z.string(),
    title: z.string(),
    repeats: z.number().int().nonnegative(),
    // absent in baselines written before they were recorded: then only repeats and total time are compared
    occurrences: z.number().int().nonnegative().optional(),
    totalDurationMs: z.number().nonnegative().nullable(),
    wastedMs: z.number().nonnegative().nullable().optional(),
    firstSeen: z.string(),
  });

  const baselineSchema = z.object({
    baselineVersion: z.literal(BASELINE_VERSION),
    tool: z.object({ name: z.string(), version: z.string() }),
    fingerprintAlgorithm: z.string(),
    writtenAt: z.string(),
    findings: z.array(entrySchema),
  });
  return { entry: entrySchema, baseline: baselineSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | null = null;

export type BaselineEntry = Zod.infer<Schemas['entry']>;
export type Baseline = Zod.infer<Schemas['baseline']>;

/** A usage error (exit 2): a missing or foreign baseline file must not pass as "no news". */
export class BaselineError extends UsageError {}

export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BaselineError(
      `cannot read baseline ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (create it with --write-baseline)' : (e as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`baseline ${file} is not valid JSON (${(e as Error).message})`);
  }
  built ??= buildSchemas(loadZod());
  const r = built.baseline.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new BaselineError(`baseline ${file} is not a sqloupe baseline: ${i.path.join('.') || '(top level)'}: ${i.message}`);
  }
  return r.data;
}

/** When the finding was first seen: the log time of its first sampled unit, else the time of this run. */
function seenAt(f: Finding, now: string): string {
  const starts = f.units.map((u) => u.start).filter((s): s is string => s !== null).sort();
  return starts[0] ?? now;
}

/** Entries for this run; `previous` carries firstSeen over so rewriting a baseline does not reset history. */
export function buildBaseline(findings: Finding[], fingerprintAlgorithm: string, previous: Baseline | null, now = new Date().toISOString()): Baseline {
  const before = new Map(previous?.findings.map((e) => [e.id, e]) ?? []);
  return {
    baselineVersion: BASELINE_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    fingerprintAlgorithm,
    writtenAt: now,
    findings: findings
      .map((f) => ({
        id: f.id,
        kind: f.kind,
        title: f.title,
        repeats: f.repeats,
        occurrences: f.occurrences,
        totalDurationMs: f.totalDurationMs,
        wastedMs: f.wastedMs,
        firstSeen: before.get(f.id)?.firstSeen ?? seenAt(f, now),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

/** Write through a temporary file so a cron job killed mid-write never leaves half a baseline. */
export function writeBaseline(file: string, baseline: Baseline): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(baseline, null, 2) + '\n');
  renameSync(tmp, file);
}

export type BaselineStatus = 'new' | 'worse';

export interface BaselineComparison {
  /** Findings to report, each tagged in `evidence.baseline` with why it is reported. */
  reported: Finding[];
  /** Known findings that did not get worse. */
  known: Finding[];
  /** Baseline entries not seen in this run: a note only, since a log window may just miss the pattern. */
  missing: BaselineEntry[];
  /** The baseline was made with another fingerprint algorithm, so ids cannot match. */
  algorithmChanged: boolean;
}

/**
 * Why a known finding is worse than its baseline entry, one reason per measure; empty when it is not.
 * Counts (repeats in the largest unit, units of work) are exact, so the factor alone decides for them; time is
 * noisy, so it must grow by the factor and by the absolute floor. Wasted time is compared when both sides have it.
 */
export function worseReasons(f: Finding, prev: BaselineEntry, rule: WorseRule = DEFAULT_WORSE_RULE): string[] {
  const reasons: string[] = [];
  const grew = (now: number, before: number) => now > before && now >= before * rule.factor;
  if (grew(f.repeats, prev.repeats)) reasons.push(`repeats ${prev.repeats} → ${f.repeats}`);
  if (prev.occurrences !== undefined && grew(f.occurrences, prev.occurrences)) reasons.push(`units of work ${prev.occurrences} → ${f.occurrences}`);
  const wasted = prev.wastedMs !== undefined && prev.wastedMs !== null && f.wastedMs !== null;
  const [label, now, before] = wasted ? ['wasted time', f.wastedMs, prev.wastedMs] : ['time', f.totalDurationMs, prev.totalDurationMs];
  if (now !== null && now !== undefined && before !== null && before !== undefined && grew(now, before) && now - before >= rule.minTimeMs) {
    reasons.push(`${label} ${fmtMs(before)} → ${fmtMs(now)}`);
  }
  return reasons;
}

/** Known findings worse than their entry (see worseReasons) are reported again, tagged with why. */
export function compareWithBaseline(findings: Finding[], baseline: Baseline, fingerprintAlgorithm: string, rule: WorseRule = DEFAULT_WORSE_RULE): BaselineComparison {
  const byId = new Map(baseline.findings.map((e) => [e.id, e]));
  const reported: Finding[] = [];
  const known: Finding[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    const prev = byId.get(f.id);
    if (prev === undefined) {
      reported.push(tag(f, 'new', null));
      continue;
    }
    seen.add(f.id);
    const reasons = worseReasons(f, prev, rule);
    if (reasons.length > 0) reported.push(tag(f, 'worse', prev, reasons));
    else known.push(f);
  }
  return {
    reported,
    known,
    missing: baseline.findings.filter((e) => !seen.has(e.id)),
    algorithmChanged: baseline.fingerprintAlgorithm !== fingerprintAlgorithm,
  };
}

function tag(f: Finding, status: BaselineStatus, prev: BaselineEntry | null, reasons: string[] = []): Finding {
  const before =
    prev === null
      ? {}
      : {
          firstSeen: prev.firstSeen,
          previousRepeats: prev.repeats,
          ...(prev.occurrences === undefined ? {} : { previousOccurrences: prev.occurrences }),
          previousTotalDurationMs: prev.totalDurationMs,
          ...(prev.wastedMs === undefined ? {} : { previousWastedMs: prev.wastedMs }),
          reasons,
        };
  return { ...f, evidence: { ...f.evidence, baseline: { status, ...before } } };
}

export interface NarrowOptions {
  suppressions: readonly Suppression[];
  baselineFile: string | null;
  writeBaselineFile: string | null;
  worse: WorseRule;
}

export interface NarrowOutcome {
  result: AnalysisResult;
  suppressed: number;
  /** Known findings held back by the baseline (0 without one). */
  known: number;
  baselineUsed: boolean;
  /** Notes for stderr (stale entries, algorithm change); never a failure. */
  notes: string[];
}

/**
 * Suppressions, then the baseline: what remains is what a report, --fail-on and an e-mail act on.
 * The written baseline holds every unsuppressed finding of this run (not only the new ones), with firstSeen kept.
 */
export function narrowFindings(result: AnalysisResult, opts: NarrowOptions): NarrowOutcome {
  const notes: string[] = [];
  const sup = applySuppressions(result.findings, opts.suppressions);
  for (const s of sup.unused) notes.push(`suppression ${JSON.stringify(describeSuppression(s))} matched no finding in this run`);
  let findings = sup.kept;
  let known = 0;
  let baseline: BaselineSummary | undefined;
  const previous = opts.baselineFile ? readBaseline(opts.baselineFile) : null;
  if (previous) {
    const cmp = compareWithBaseline(findings, previous, result.fingerprintAlgorithm, opts.worse);
    if (cmp.algorithmChanged) {
      notes.push(`baseline ${opts.baselineFile} was written with ${previous.fingerprintAlgorithm}, this run uses ${result.fingerprintAlgorithm}: ids differ, so every finding counts as new; rewrite it with --write-baseline`);
    }
    findings = cmp.reported;
    known = cmp.known.length;
    baseline = {
      stillPresent: cmp.known.map((f) => ({ id: f.id, kind: f.kind, title: f.title })),
      gone: cmp.missing.map((e) => ({ id: e.id, kind: e.kind, title: e.title, firstSeen: e.firstSeen })),
    };
  }
  if (opts.writeBaselineFile) {
    const prior = opts.writeBaselineFile === opts.baselineFile ? previous : tryReadBaseline(opts.writeBaselineFile);
    writeBaseline(opts.writeBaselineFile, buildBaseline(sup.kept, result.fingerprintAlgorithm, prior));
  }
  const perKind = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) perKind[f.kind]++;
  return {
    result: { ...result, findings, summary: { ...result.summary, findings: perKind }, ...(baseline ? { baseline } : {}) },
    suppressed: sup.suppressed.length,
    known,
    baselineUsed: previous !== null,
    notes,
  };
}

function tryReadBaseline(file: string): Baseline | null {
  try {
    return readBaseline(file);
  } catch {
    return null;
  }
}

function describeSuppression(s: Suppression): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['id', 'fingerprint', 'table', 'application', 'kind'] as const) if (s[k] !== undefined) out[k] = s[k]!;
  return out;
}
