/** Calls and time per fingerprint: the top-queries table incident analysis starts from. */
import { dropLeastUsed } from '../sessions/least-used.js';
import { MAX_TEMPLATES } from '../sessions/statement.js';
import type { Stmt, TemplateInfo } from '../sessions/types.js';

export interface TopQuery {
  fingerprint: string;
  template: string;
  calls: number;
  totalMs: number | null;
  meanMs: number | null;
  maxMs: number | null;
  /** One real statement of this shape, with where it was logged. */
  example: { sql: string; source: string };
}

/** One template's tallies, as saved in a state file. */
export interface TopEntryState {
  template: string;
  calls: number;
  timed: number;
  total: number;
  max: number;
  sql: string;
  source: string;
}

/** The same tallies in memory, with the template itself. */
interface Entry extends Omit<TopEntryState, 'template'> {
  t: TemplateInfo;
}

/**
 * Tallies per template (by its text: a template the cache forgot and met again is the same row), at most `max`:
 * past it, the tenth with the fewest calls is dropped (the busiest are what the table shows).
 */
export class TopQueries {
  private readonly entries = new Map<string, Entry>();
  /** Templates whose tallies were dropped at the limit. */
  dropped = 0;

  constructor(readonly max = MAX_TEMPLATES) {}

  get size(): number {
    return this.entries.size;
  }

  private put(e: Entry): void {
    if (this.entries.size >= this.max) this.shrink();
    this.entries.set(e.t.template, e);
  }

  private shrink(): void {
    this.dropped += dropLeastUsed(this.entries, this.max, (e) => e.calls);
  }

  add(s: Stmt): void {
    let e = this.entries.get(s.t.template);
    if (e === undefined) {
      e = { t: s.t, calls: 0, timed: 0, total: 0, max: 0, sql: s.sql.length > 2000 ? s.sql.slice(0, 2000) + '…' : s.sql, source: `${s.file}:${s.line}` };
      this.put(e);
    } else if (e.t !== s.t) e.t = s.t;
    e.calls++;
    const d = s.durationMs;
    if (d !== null) {
      e.timed++;
      e.total += d;
      if (d > e.max) e.max = d;
    }
  }

  exportState(): TopEntryState[] {
    return [...this.entries.values()].map((e) => ({ template: e.t.template, calls: e.calls, timed: e.timed, total: e.total, max: e.max, sql: e.sql, source: e.source }));
  }

  /** Adds saved tallies; the first input's example statement is kept, as in one run. */
  importState(x: TopEntryState, intern: (template: string) => TemplateInfo): void {
    const t = intern(x.template);
    const e = this.entries.get(t.template);
    if (e === undefined) {
      this.put({ t, calls: x.calls, timed: x.timed, total: x.total, max: x.max, sql: x.sql, source: x.source });
      return;
    }
    e.calls += x.calls;
    e.timed += x.timed;
    e.total += x.total;
    if (x.max > e.max) e.max = x.max;
  }

  /** Top n by total time when durations are logged, else by calls. */
  top(n: number): TopQuery[] {
    const all = [...this.entries.values()];
    all.sort((a, b) => b.total - a.total || b.calls - a.calls || (a.t.id < b.t.id ? -1 : 1));
    return all.slice(0, n).map((e) => ({
      fingerprint: e.t.id,
      template: e.t.template,
      calls: e.calls,
      totalMs: e.timed ? round(e.total) : null,
      meanMs: e.timed ? round(e.total / e.timed) : null,
      maxMs: e.timed ? round(e.max) : null,
      example: { sql: e.sql, source: e.source },
    }));
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
