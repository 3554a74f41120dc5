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

interface Entry {
  t: TemplateInfo;
  calls: number;
  timed: number;
  total: number;
  max: number;
  sql: string;
  source: string;
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
