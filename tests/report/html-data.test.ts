/** The data the HTML report adds to a run's result: a bounded timeline and one trace per finding, both mergeable. */
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeToState, DEFAULT_ANALYZE_OPTIONS, resultFromStates } from '../../src/analyze.js';
import { MAX_APPLICATIONS, MAX_BUCKETS, OTHER_APPLICATIONS, TimelineCounter } from '../../src/findings/timeline.js';
import { toJsonReport } from '../../src/report/json.js';

const src = (path: string) => ({ path, size: statSync(path).size });

describe('timeline', () => {
  it('counts per bucket per application, from 1 ms, and doubles the bucket width past MAX_BUCKETS', () => {
    const t = new TimelineCounter();
    const t0 = Date.parse('2026-11-25T14:30:00.000Z');
    t.add(t0 + 100, 'web');
    t.add(t0 + 600, 'web');
    t.add(t0 + 700, 'worker');
    t.add(null, 'web');
    const at = (n: number, i: number) => Object.assign(new Array<number>(n).fill(0), { [i]: 1 });
    expect(t.result()).toEqual({
      bucketMs: 1,
      start: '2026-11-25T14:30:00.100Z',
      buckets: 601,
      series: [
        { application: 'web', counts: Object.assign(at(601, 0), { 500: 1 }) },
        { application: 'worker', counts: at(601, 600) },
      ],
      timed: 3,
      untimed: 1,
    });
    // 1,400 ms at 1 ms a bucket is more than 720: two by two
    t.add(t0 + 1500, 'worker');
    const r = t.result();
    expect(r.bucketMs).toBe(2);
    expect(r.start).toBe('2026-11-25T14:30:00.100Z');
    expect(r.buckets).toBe(701);
    expect(r.series[1]).toEqual({ application: 'worker', counts: Object.assign(at(701, 300), { 700: 1 }) });
    t.add(t0 + 86_400_000, 'web');
    expect(t.result().bucketMs).toBe(131_072);
    expect(t.result().buckets).toBeLessThanOrEqual(MAX_BUCKETS);
  });

  it('keeps MAX_APPLICATIONS series and counts the rest together', () => {
    const t = new TimelineCounter();
    for (let i = 0; i < MAX_APPLICATIONS + 5; i++) t.add(60_000, `app${i}`);
    const r = t.result();
    expect(r.series).toHaveLength(MAX_APPLICATIONS + 1);
    expect(r.series.find((s) => s.application === OTHER_APPLICATIONS)!.counts).toEqual([5]);
  });

  it('merged from two states equals one run over both logs, widths differing', () => {
    const a = new TimelineCounter();
    const b = new TimelineCounter();
    const one = new TimelineCounter();
    const t0 = Date.parse('2026-11-25T00:00:00.000Z');
    for (let i = 0; i < 50; i++) {
      a.add(t0 + i * 997, 'web');
      one.add(t0 + i * 997, 'web');
    }
    for (let i = 0; i < 300; i++) {
      b.add(t0 + 3_600_000 + i * 13_001, 'batch');
      one.add(t0 + 3_600_000 + i * 13_001, 'batch');
    }
    const merged = new TimelineCounter();
    merged.importState(b.exportState());
    merged.importState(a.exportState());
    expect(merged.result()).toEqual(one.result());
    expect(one.result().bucketMs).toBe(16_384);
  });
});

describe('result data for the HTML report', () => {
  it('billing.log: the timeline counts every timed statement, and the trace is the largest unit of the N+1', async () => {
    const r = await analyze([src('samples/billing.log')], DEFAULT_ANALYZE_OPTIONS);
    // its statements span 237 ms (the log's other lines reach 274 ms): 1 ms buckets
    expect(r.timeline.bucketMs).toBe(1);
    expect(r.timeline.buckets).toBe(238);
    expect(r.timeline.untimed).toBe(0);
    expect(r.timeline.series.map((s) => [s.application, s.counts.reduce((x, y) => x + y, 0)])).toEqual([
      ['setup', 34],
      ['billing', 28],
      ['reports', 27],
    ]);
    expect(r.timeline.timed).toBe(r.summary.statements);
    const f = r.findings[0]!;
    const trace = r.traces[f.id]!;
    expect(trace.looped).toBe(12);
    expect(trace.parent).toEqual({ template: -1, offsetMs: 0, durationMs: expect.any(Number), source: 'samples/billing.log:168' });
    expect(trace.first.map((s) => s.source)).toEqual(['samples/billing.log:184', expect.any(String), expect.any(String)]);
    expect(trace.last!.template).toBe(0);
    expect(trace.last!.offsetMs!).toBeGreaterThan(trace.first[2]!.offsetMs!);
  });

  it('leaves the JSON report as it was, and survives a state round trip', async () => {
    const r = await analyze([src('samples/loops.csv')], DEFAULT_ANALYZE_OPTIONS);
    expect(Object.keys(toJsonReport(r))).toEqual(['schemaVersion', 'tool', 'fingerprintAlgorithm', 'inputs', 'summary', 'findings', 'topQueries']);
    const state = JSON.parse(JSON.stringify(await analyzeToState([src('samples/loops.csv')], DEFAULT_ANALYZE_OPTIONS)));
    const again = resultFromStates([state], DEFAULT_ANALYZE_OPTIONS);
    expect(again.traces).toEqual(r.traces);
    expect(again.timeline).toEqual(r.timeline);
    delete state.timeline;
    for (const g of state.findings) delete g.trace;
    const old = resultFromStates([state], DEFAULT_ANALYZE_OPTIONS);
    expect(old.timeline.buckets).toBe(0);
    expect(Object.values(old.traces).every((t) => t.looped === 0)).toBe(true);
  });
});
