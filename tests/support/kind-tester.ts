/**
 * A detector tester in the manner of ESLint's RuleTester: each finding kind gets `valid` cases (logs where
 * it must report nothing) and `invalid` cases (logs that must give exactly the findings listed), written as
 * short timed statement sequences, one statement per line:
 *
 *   12:00:00.001 [7] SELECT * FROM orders WHERE customer_id = 42
 *   12:00:00.002 [7 app=web] (0.35 ms) SELECT * FROM order_items WHERE order_id = 1
 *
 * `[pid]` or `[pid app=name]` is the backend, `(n ms)` the logged duration (default 0.05 ms), and lines indented
 * deeper than the others continue the statement above; `#` starts a comment line. Each case is turned into a PostgreSQL stderr log with
 * the prefix `%m [%p] app=%a ` and run through the whole pipeline in-process (format, sessions, detection,
 * findings): what a user would get from the same lines, in milliseconds and without a database.
 */
import { describe, expect, it } from 'vitest';
import { createAnalysis, DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from '../../src/analyze.js';
import type { DetectOptions } from '../../src/detect/draft.js';
import type { FindingKind } from '../../src/detect/registry.js';
import type { Finding } from '../../src/findings/types.js';

export const CASE_PREFIX = '%m [%p] app=%a ';

/** What an invalid case says about each finding; every finding of the log must be listed. */
export interface ExpectedFinding {
  kind: FindingKind;
  tables: string[];
  /** Statements (or blocks) in the largest unit. */
  repeats: number;
  /** Units of work it happened in (default 1). */
  occurrences?: number;
  confidence: Finding['evidence']['confidence'];
  /** The key columns the evidence names (kinds that have them). */
  keyColumns?: string[];
  /** Distinct argument lists over all units. */
  distinctKeys?: number;
  /** The template of the parent query, or null when the loop has none in sight. */
  parent?: string | null;
}

interface Case {
  name: string;
  log: string;
  options?: Partial<DetectOptions>;
}

export interface ValidCase extends Case {
  /** Kinds that may still report on this log (a valid case reports nothing else). */
  allow?: FindingKind[];
}

export interface InvalidCase extends Case {
  findings: ExpectedFinding[];
}

const DAY = '2026-01-15';

/** The case's lines as PostgreSQL 15 writes them with log_min_duration_statement = 0. */
export function caseLog(text: string): string {
  const out: string[] = [];
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  // cases sit indented in template literals: only lines indented deeper than the case continue a statement
  const base = Math.min(...lines.map((l) => /^\s*/.exec(l)![0].length));
  for (const line of lines) {
    const raw = line.slice(base);
    if (/^\s/.test(raw) && out.length > 0) {
      out.push(raw.trim());
      continue;
    }
    const m = /^(\d{2}:\d{2}:\d{2}\.\d{3}) \[(\d+)(?: app=([^\]]*))?\] (?:\((\d+(?:\.\d+)?) ms\) )?(.+)$/.exec(raw.trim());
    if (!m) throw new Error(`kind tester: cannot read case line "${raw}" (want "12:00:00.001 [7] SELECT …")`);
    const [, time, pid, app, ms, sql] = m;
    out.push(`${DAY} ${time} UTC [${pid}] app=${app ?? ''} LOG:  duration: ${Number(ms ?? '0.05').toFixed(3)} ms  statement: ${sql}`);
  }
  return out.join('\n') + '\n';
}

/** The findings the whole pipeline reports for a case log. */
export function findingsOf(text: string, options: Partial<DetectOptions> = {}): Finding[] {
  const opts: AnalyzeOptions = {
    ...DEFAULT_ANALYZE_OPTIONS,
    inputFormat: 'pg-stderr',
    prefix: CASE_PREFIX,
    detect: { ...DEFAULT_ANALYZE_OPTIONS.detect, ...options },
  };
  const analysis = createAnalysis(opts);
  const feed = analysis.openInput({ path: 'case.log', size: null });
  const lines = caseLog(text).split('\n');
  lines.pop();
  lines.forEach((l, i) => feed.line(l, i + 1));
  feed.end(lines.length);
  return analysis.finish().findings;
}

/** The findings of a log in another format, read whole (an ORM's own log: no times, no connections). */
export function findingsOfLog(text: string, inputFormat: AnalyzeOptions['inputFormat']): Finding[] {
  const analysis = createAnalysis({ ...DEFAULT_ANALYZE_OPTIONS, inputFormat });
  const feed = analysis.openInput({ path: 'case.log', size: null });
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => feed.line(l, i + 1));
  feed.end(lines.length);
  return analysis.finish().findings;
}

/** A finding as an invalid case names it (only the fields the case gives are compared). */
function described(f: Finding, like: ExpectedFinding): ExpectedFinding {
  const out: ExpectedFinding = { kind: f.kind, tables: f.tables, repeats: f.repeats, confidence: f.evidence.confidence };
  out.occurrences = f.occurrences;
  if (like.keyColumns !== undefined) out.keyColumns = (f.evidence['keyColumns'] as string[] | undefined) ?? [];
  if (like.distinctKeys !== undefined) out.distinctKeys = f.evidence.distinctValues ?? undefined;
  if (like.parent !== undefined) out.parent = f.evidence.parent?.template ?? null;
  return out;
}

const order = (a: ExpectedFinding, b: ExpectedFinding) => `${a.kind}|${a.tables.join(',')}`.localeCompare(`${b.kind}|${b.tables.join(',')}`);

/** Register the valid and invalid cases of one kind as vitest tests. */
export function testKind(kind: FindingKind, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  describe(kind, () => {
    if (cases.valid.length === 0 || cases.invalid.length === 0) throw new Error(`${kind}: a kind needs valid and invalid cases`);
    describe('valid', () => {
      for (const c of cases.valid) {
        it(c.name, () => {
          const found = findingsOf(c.log, c.options).filter((f) => !(c.allow ?? []).includes(f.kind));
          expect(found.map((f) => `${f.kind} on ${f.tables.join(', ')}: ${f.evidence.basis.join('; ')}`)).toEqual([]);
        });
      }
    });
    describe('invalid', () => {
      for (const c of cases.invalid) {
        it(c.name, () => {
          if (!c.findings.some((f) => f.kind === kind)) throw new Error(`${kind}: invalid case "${c.name}" names no finding of this kind`);
          const want = c.findings.map((f) => ({ occurrences: 1, ...f })).sort(order);
          // each finding is described with the optional fields its expected twin (same kind and tables) names
          const same = (f: Finding) => (w: ExpectedFinding) => w.kind === f.kind && w.tables.join() === f.tables.join();
          const got = findingsOf(c.log, c.options).map((f) => described(f, want.find(same(f)) ?? { kind: f.kind, tables: [], repeats: 0, confidence: 'low' }));
          expect(got.sort(order)).toEqual(want);
        });
      }
    });
  });
}
