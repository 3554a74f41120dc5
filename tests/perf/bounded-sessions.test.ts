/**
 * Logs without disconnection lines (log_disconnections is off by default) never say a session ended. What is
 * kept per session must still be bounded: a held last statement is released by the log's clock (into the unit
 * it belongs to), and past maxOpenSessions the sessions silent longest are forgotten, which the report says.
 * Deterministic: the logs are generated here, the checks are on findings, counts and warnings.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createAnalysis, DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from '../../src/analyze.js';
import type { AnalysisResult } from '../../src/findings/result.js';

const PREFIX = '%m [%p] ';
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const stamp = (ms: number) => new Date(T0 + ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
const stmt = (ms: number, pid: number, sql: string) => `${stamp(ms)} [${pid}] LOG:  duration: 0.050 ms  statement: ${sql}`;

function run(lines: string[], tracker: Partial<AnalyzeOptions['tracker']> = {}): AnalysisResult {
  const options: AnalyzeOptions = { ...DEFAULT_ANALYZE_OPTIONS, inputFormat: 'pg-stderr', prefix: PREFIX, tracker: { ...DEFAULT_ANALYZE_OPTIONS.tracker, ...tracker } };
  const analysis = createAnalysis(options);
  const feed = analysis.openInput({ path: 'bounded.log', size: null });
  lines.forEach((l, i) => feed.line(l, i + 1));
  feed.end(lines.length);
  return analysis.finish();
}

/** An N+1 of five lookups on session 7, then session 7 is silent while others log; it comes back much later. */
function loopThenTraffic(trafficStatements: number): string[] {
  const lines = [stmt(0, 7, 'SELECT id FROM posts WHERE published')];
  for (let k = 1; k <= 5; k++) lines.push(stmt(k, 7, `SELECT * FROM comments WHERE post_id = ${k}`));
  // other sessions' traffic over three seconds of log time: enough statements for the tracker's periodic sweep
  for (let i = 0; i < trafficStatements; i++) lines.push(stmt(100 + Math.floor((i * 2900) / trafficStatements), 100 + (i % 50), `SELECT ${i % 7} AS tick`));
  lines.push(stmt(10_000, 7, 'SELECT 1'));
  return lines;
}

const commentsLoops = (r: AnalysisResult) => r.findings.filter((f) => f.tables.includes('comments')).map((f) => [f.kind, f.repeats]);

describe('bounded session state', () => {
  it('finds the N+1 of five in a short log', () => {
    expect(commentsLoops(run(loopThenTraffic(0)))).toEqual([['n-plus-one', 5]]);
  });

  it('releases the held last statement into its own unit when more traffic follows (a periodic sweep in between)', () => {
    // before: the fifth lookup waited for session 7's next entry, the sweep closed the unit with four, the loop was lost
    expect(commentsLoops(run(loopThenTraffic(60_000)))).toEqual([['n-plus-one', 5]]);
  });

  it('decides a fan-out cluster at 1,000 connections: a clock that stands still cannot grow one (and the units held for it) without end', () => {
    // 3,000 connections each run two lookups back to back at the same millisecond (a saturated pool): what
    // concatenated logs of several servers, or a log whose times repeat, look like
    const lines = [stmt(0, 7, 'SELECT id FROM books WHERE shelf = 1')];
    for (let i = 0; i < 3_000; i++) lines.push(stmt(1, 1_000 + i, `SELECT * FROM authors WHERE id = ${2 * i}`), stmt(1, 1_000 + i, `SELECT * FROM authors WHERE id = ${2 * i + 1}`));
    const units = run(lines).findings.flatMap((f) => f.units.map((u) => u.statements));
    expect(units.length).toBeGreaterThanOrEqual(3);
    // 1,000 connections of two lookups each (and the parent, in the first)
    expect(Math.max(...units)).toBeLessThanOrEqual(2_001);
  });

  it('counts each session once over a log longer than an hour', () => {
    // 20,000 sessions of three statements, one every 200 ms: 67 minutes of log, sweeps on the way
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const t = i * 200;
      lines.push(stmt(t, 10_000 + i, `SELECT * FROM users WHERE id = ${i}`));
      lines.push(stmt(t + 1, 10_000 + i, `SELECT * FROM orders WHERE user_id = ${i}`));
      lines.push(stmt(t + 2, 10_000 + i, `UPDATE users SET seen = now() WHERE id = ${i}`));
    }
    const r = run(lines);
    expect(r.summary.sessions).toBe(20_000);
    expect(r.summary.statements).toBe(60_000);
    expect(r.inputs[0]!.warnings).toEqual([]);
  });

  it('forgets the sessions silent longest past maxOpenSessions, and says so', () => {
    const lines: string[] = [];
    // a pooled connection that stays busy throughout, and 300 short sessions that never disconnect, 30 ms apart (the
    // last statement of each is held for a second of log time: it must reach its session before the session is forgotten)
    for (let i = 0; i < 300; i++) {
      lines.push(stmt(i * 30, 1, `SELECT * FROM jobs WHERE id = ${i}`));
      lines.push(stmt(i * 30 + 1, 10_000 + i, `SELECT * FROM users WHERE id = ${i}`));
      lines.push(stmt(i * 30 + 2, 10_000 + i, `SELECT * FROM orders WHERE user_id = ${i}`));
    }
    const r = run(lines, { maxOpenSessions: 100 });
    // forgotten sessions never came back: each counted once, the busy one kept throughout
    expect(r.summary.sessions).toBe(301);
    expect(r.summary.statements).toBe(900);
    const warnings = r.inputs[0]!.warnings;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^bounded\.log: more than 100 sessions open at once: [\d,]+ sessions silent longest had their units of work analyzed as they stood and were forgotten/);
    expect(warnings[0]).toContain('log_disconnections = on');
  });

  it('cuts the largest open units past maxOpenStatements (busy connections that never pause), and says so', () => {
    const lines: string[] = [];
    // 20 connections, each running a statement every 10 ms for 3 seconds: never idle for the 1 s gap
    for (let t = 0; t < 3000; t += 10) for (let c = 0; c < 20; c++) lines.push(stmt(t, 200 + c, `SELECT * FROM t${c % 3} WHERE id = ${t + c}`));
    const r = run(lines, { maxOpenStatements: 1000 });
    expect(r.summary.statements).toBe(6000);
    const warnings = r.inputs[0]!.warnings;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^bounded\.log: more than 1,000 statements in open units of work at once: [\d,]+ units cut early, the largest first/);
  });

  it('keeps a transaction cut at maxOpenStatements one transaction: its COMMIT still ends it', () => {
    const lines = [stmt(0, 9, 'BEGIN')];
    for (let i = 0; i < 50; i++) lines.push(stmt(1 + i, 9, `UPDATE accounts SET n = n + 1 WHERE id = ${i}`));
    lines.push(stmt(60, 9, 'COMMIT'));
    lines.push(stmt(61, 9, 'SELECT 1'));
    const r = run(lines, { maxOpenStatements: 20 });
    expect(r.summary.transactions).toBe(1);
    expect(r.summary.statements).toBe(53);
    expect(r.inputs[0]!.warnings[0]).toMatch(/statements in open units of work at once: [\d,]+ units? cut early/);
  });

  it('bounds the units waiting for a fan-out to be decided when the log\'s clock goes back, and says so', () => {
    // the recorded Django scenarios' own logs (a pool's threads, each its own session), copied onto their own end
    // as often as it takes: every copy's clock starts before the fan-outs the last one left pending
    const dir = 'tests/fixtures/accuracy';
    const truth = JSON.parse(readFileSync(`${dir}/truth.json`, 'utf8')) as { scenarios: { orm: string; ormLogs?: Record<string, string> }[] };
    const one = truth.scenarios
      .filter((sc) => sc.orm === 'django')
      .flatMap((sc) => Object.values(sc.ormLogs ?? {}))
      .map((f) => gunzipSync(readFileSync(`${dir}/${f}`)).toString('utf8'))
      .join('');
    const lines: string[] = [];
    while (lines.length < 120_000) lines.push(...one.split('\n').filter((l) => l !== ''));
    const analysis = createAnalysis({ ...DEFAULT_ANALYZE_OPTIONS, inputFormat: 'django' });
    const feed = analysis.openInput({ path: 'django.log', size: null });
    lines.forEach((l, k) => feed.line(l, k + 1));
    feed.end(lines.length);
    const warnings = analysis.finish().inputs[0]!.warnings.filter((w) => w.includes('waited at once for a fan-out'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^django\.log: more than 20,000 statements waited at once for a fan-out over pooled connections to be decided \(the log's clock went back, or it holds more than 20,000 statements a second\): [\d,]+ units? of work analyzed before it was/);
  });

  it('says nothing about limits on a log within them', () => {
    const r = run(loopThenTraffic(1000));
    expect(r.inputs[0]!.warnings).toEqual([]);
  });
});
