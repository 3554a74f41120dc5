/**
 * Statements per time bucket per application, for the HTML report's timeline. Bounded whatever the log's length:
 * at most MAX_BUCKETS buckets (their width, from 1 ms, doubles when the log spans more) and MAX_APPLICATIONS series:
 * a 250 ms incident log gets 1 ms buckets, a day 131 s ones. Buckets are aligned to the epoch and their widths are
 * powers of two milliseconds, so states of separate inputs merge
 * into the timeline one run over all of them would give, in any order.
 */

export const MAX_BUCKETS = 720;
export const MAX_APPLICATIONS = 20;
/** Where statements of applications past MAX_APPLICATIONS are counted. */
export const OTHER_APPLICATIONS = '(other applications)';
export const NO_APPLICATION = '(no application)';

/** The timeline as the HTML report reads it. */
export interface Timeline {
  /** Width of one bucket in milliseconds (1, 2, 4, … 1024, …). */
  bucketMs: number;
  /** Start of the first bucket, or null when no statement had a time. */
  start: string | null;
  buckets: number;
  /** One per application, most statements first; `counts[i]` is bucket i's. */
  series: { application: string; counts: number[] }[];
  /** Statements counted in the buckets, and those the log gave no time for. */
  timed: number;
  untimed: number;
}

/** As saved in a state file: sparse counts per application. */
export interface TimelineState {
  widthMs: number;
  untimed: number;
  series: [application: string, buckets: [index: number, count: number][]][];
}

export class TimelineCounter {
  private widthMs = 1;
  private readonly series = new Map<string, Map<number, number>>();
  private lo = Infinity;
  private hi = -Infinity;
  private untimed = 0;

  add(time: number | null, application: string | null): void {
    if (time === null || !Number.isFinite(time)) {
      this.untimed++;
      return;
    }
    this.count(Math.floor(time / this.widthMs), this.seriesOf(application ?? NO_APPLICATION), 1);
  }

  private seriesOf(application: string): Map<number, number> {
    let s = this.series.get(application);
    if (s === undefined) {
      if (this.series.size >= MAX_APPLICATIONS && application !== OTHER_APPLICATIONS) return this.seriesOf(OTHER_APPLICATIONS);
      s = new Map();
      this.series.set(application, s);
    }
    return s;
  }

  private count(index: number, s: Map<number, number>, n: number): void {
    s.set(index, (s.get(index) ?? 0) + n);
    if (index < this.lo) this.lo = index;
    if (index > this.hi) this.hi = index;
    while (this.hi - this.lo + 1 > MAX_BUCKETS) this.widen();
  }

  /** Doubles the bucket width: two neighbouring buckets become one. */
  private widen(): void {
    this.widthMs *= 2;
    // in place: callers may hold a series while they count into it
    for (const s of this.series.values()) {
      const entries = [...s];
      s.clear();
      for (const [i, c] of entries) s.set(Math.floor(i / 2), (s.get(Math.floor(i / 2)) ?? 0) + c);
    }
    this.lo = Math.floor(this.lo / 2);
    this.hi = Math.floor(this.hi / 2);
  }

  exportState(): TimelineState {
    return { widthMs: this.widthMs, untimed: this.untimed, series: [...this.series].map(([app, s]) => [app, [...s]]) };
  }

  importState(x: TimelineState): void {
    this.untimed += x.untimed;
    while (this.widthMs < x.widthMs) this.widen();
    for (const [app, buckets] of x.series) {
      const s = this.seriesOf(app);
      // from the bucket's start time: counting may widen the buckets midway
      for (const [i, c] of buckets) this.count(Math.floor((i * x.widthMs) / this.widthMs), s, c);
    }
  }

  result(): Timeline {
    const buckets = Number.isFinite(this.lo) ? this.hi - this.lo + 1 : 0;
    let timed = 0;
    const series = [...this.series].map(([application, s]) => {
      const counts = new Array<number>(buckets).fill(0);
      for (const [i, c] of s) {
        counts[i - this.lo] = c;
        timed += c;
      }
      return { application, counts, total: counts.reduce((a, b) => a + b, 0) };
    });
    series.sort((a, b) => b.total - a.total || (a.application < b.application ? -1 : a.application > b.application ? 1 : 0));
    return {
      bucketMs: this.widthMs,
      start: buckets ? new Date(this.lo * this.widthMs).toISOString() : null,
      buckets,
      series: series.map(({ application, counts }) => ({ application, counts })),
      timed,
      untimed: this.untimed,
    };
  }
}
