/**
 * Summary lines every human-readable report shares (text, Markdown, both parts of the e-mail), so they cannot
 * disagree: the headline with what the baseline held back, why a finding is reported again, and the window analysed.
 */
import type { AnalysisResult, BaselineSummary, FilterFacts } from '../findings/result.js';
import type { Finding } from '../findings/types.js';
import { count } from '../text/plural.js';

/** "3 findings"; with a baseline "2 new or worse findings; 12 known loops still present (baseline)" or "no new loops; …". */
export function headline(result: AnalysisResult): string {
  const n = result.findings.length;
  const b = result.baseline;
  if (b === undefined) return n === 0 ? 'no loops found' : count(n, 'finding');
  const known = b.stillPresent.length;
  const still = known > 0 ? `; ${count(known, 'known loop')} still present (baseline)` : '';
  if (n === 0) return known > 0 ? `no new loops${still}` : 'no loops found';
  return `${count(n, 'new or worse finding', 'new or worse findings')}${still}`;
}

/** The headline's count and, apart, what the baseline still sees: reports put the severities between them. */
export function headlineParts(result: AnalysisResult): [string, string | null] {
  const [main, ...rest] = headline(result).split('; ');
  return [main!, rest.length ? rest.join('; ') : null];
}

/** Headline with a capital letter, for the start of a line. */
export function headlineSentence(result: AnalysisResult): string {
  const h = headline(result);
  return h.charAt(0).toUpperCase() + h.slice(1);
}

/** "Gone since the baseline" lines: known findings not seen in this run (good news, or a window that misses them). */
export function goneLines(b: BaselineSummary | undefined): string[] {
  if (b === undefined || b.gone.length === 0) return [];
  return [
    `Gone since the baseline: ${count(b.gone.length, 'known finding')} not seen in this run (fixed, or outside this log's window)`,
    ...b.gone.map((g) => `  ${g.id}  ${g.kind}  ${g.title} (first seen ${g.firstSeen})`),
  ];
}

/** Why --baseline reports a finding: "new", or "worse: repeats 5 → 12; wasted time 0.2 ms → 350 ms". */
export function baselineStatus(f: Finding): string | null {
  const b = f.evidence['baseline'] as { status?: string; previousRepeats?: number; reasons?: string[] } | undefined;
  if (!b?.status) return null;
  if (b.status !== 'worse') return b.status;
  if (b.reasons?.length) return `worse: ${b.reasons.join('; ')}`;
  return b.previousRepeats !== undefined ? `worse (was ${b.previousRepeats} repeats)` : b.status;
}

export interface AnalysedRange {
  from: string;
  to: string;
  /** Set when a filter narrowed the run: the log's own first and last record. */
  log: { from: string; to: string } | null;
}

const filterOf = (facts: Record<string, unknown>) => facts['filter'] as FilterFacts | undefined;

/** The time range the report covers: the records the filters kept, else the logs' whole range. */
export function analysedRange(result: AnalysisResult): AnalysedRange | null {
  const whole = span(result.inputs.map((i) => [i.firstTimestamp, i.lastTimestamp]));
  const filters = result.inputs.map((i) => filterOf(i.facts));
  if (filters.every((f) => f === undefined)) return whole ? { ...whole, log: null } : null;
  const kept = span(filters.map((f) => [f?.firstKept ?? null, f?.lastKept ?? null]));
  if (kept === null) return null;
  const same = whole !== null && whole.from === kept.from && whole.to === kept.to;
  return { ...kept, log: same ? null : whole };
}

function span(pairs: (string | null)[][]): { from: string; to: string } | null {
  const firsts = pairs.map((p) => p[0]).filter((x): x is string => x != null).sort();
  const lasts = pairs.map((p) => p[1]).filter((x): x is string => x != null).sort();
  return firsts.length && lasts.length ? { from: firsts[0]!, to: lasts[lasts.length - 1]! } : null;
}

/** "from A to B", and "(filtered; the log runs from C to D)" when the filters narrowed it. */
export function rangeText(r: AnalysedRange): string {
  return `from ${r.from} to ${r.to}${r.log ? ` (filtered; the log runs from ${r.log.from} to ${r.log.to})` : ''}`;
}
