/**
 * A filter that keeps nothing is not a log without statements: say what the log holds and what the filter
 * asked for ("89 statements in the log, none in the window 14:00–14:30 (the log runs from … to …)"),
 * never the postgresql.conf advice the doctor gives for a log that has no statements at all.
 */
import type { Filters } from '../analyze.js';
import type { AnalysisResult, FilterFacts } from '../findings/result.js';
import { count } from '../text/plural.js';

export interface FilterWords {
  since?: string;
  until?: string;
}

/** The sentence for a run whose filters left no statement, or null when the log itself had none (or no filter was given). */
export function emptyFilterNote(result: AnalysisResult, filters: Filters, words: FilterWords): string | null {
  if (result.summary.statements > 0) return null;
  const facts = result.inputs.map((i) => i.facts['filter'] as FilterFacts | undefined);
  if (facts.some((f) => f === undefined)) return null;
  const inLog = facts.reduce((n, f) => n + f!.statementsInLog, 0);
  if (inLog === 0) return null;
  const why: string[] = [];
  const time = windowText(filters, words);
  if (time) {
    const firsts = result.inputs.map((i) => i.firstTimestamp).filter((x): x is string => x !== null).sort();
    const lasts = result.inputs.map((i) => i.lastTimestamp).filter((x): x is string => x !== null).sort();
    why.push(`in the window ${time}` + (firsts.length ? ` (the log runs from ${firsts[0]} to ${lasts[lasts.length - 1]})` : ''));
  }
  const names = (label: string, plural: string, wanted: string[] | null, seen: (f: FilterFacts) => string[]) => {
    if (wanted === null) return;
    const all = [...new Set(facts.flatMap((f) => seen(f!)))].sort();
    why.push(`for ${label} ${wanted.join(', ')}; ${plural} seen: ${all.length ? all.join(', ') : 'none (the log does not name them)'}`);
  };
  names('application', 'applications', filters.applications, (f) => f.applicationsSeen);
  names('database', 'databases', filters.databases, (f) => f.databasesSeen);
  names('user', 'users', filters.users, (f) => f.usersSeen);
  return `${count(inLog, 'statement')} in the log, none ${why.join(', and none ')}`;
}

/** The window as the user gave it: "14:00–14:30", "from 2026-12-01T07:00:00.000Z (24h)", "up to 14:30". */
function windowText(f: Filters, words: FilterWords): string | null {
  const side = (at: number | null, tod: number | null, word: string | undefined) => {
    if (at === null && tod === null) return null;
    const given = (word ?? '').trim();
    if (tod !== null) return given;
    const iso = new Date(at!).toISOString();
    return given && given !== iso ? `${iso} (${given})` : iso;
  };
  const since = side(f.since, f.sinceTimeOfDay, words.since);
  const until = side(f.until, f.untilTimeOfDay, words.until);
  if (since && until) return `${since}–${until}`;
  if (since) return `from ${since}`;
  if (until) return `up to ${until}`;
  return null;
}
