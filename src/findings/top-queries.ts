/** Calls and time per fingerprint: the top-queries table incident analysis starts from. */
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

export class TopQueries {
  private readonly entries = new Map<TemplateInfo, Entry>();

  add(s: Stmt): void {
    let e = this.entries.get(s.t);
    if (e === undefined) {
      e = { t: s.t, calls: 0, timed: 0, total: 0, max: 0, sql: s.sql.length > 2000 ? s.sql.slice(0, 2000) + '…' : s.sql, source: `${s.file}:${s.line}` };
      this.entries.set(s.t, e);
    }
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
    const e = this.entries.get(t);
    if (e === undefined) {
      this.entries.set(t, { t, calls: x.calls, timed: x.timed, total: x.total, max: x.max, sql: x.sql, source: x.source });
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
