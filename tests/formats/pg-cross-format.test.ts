/**
 * The same real PG 15 workload logged as stderr, csvlog and jsonlog must give the same statement events: with the
 * default settings, and with log_error_verbosity = verbose (a SQLSTATE before each stderr message, LOCATION lines)
 * under log_timezone = Asia/Kolkata (times written as `IST`), and with lc_messages in Russian and in Chinese (severities,
 * messages and `[unknown]` translated; zh_CN writes `执行<unnamed>:` with no space and keeps `connection authorized`
 * in English). With millisecond times the three also give the same findings (whole-second %t prefixes are stricter).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sniffFormat } from '../../src/analyze.js';
import pgCsv from '../../src/formats/pg-csv.js';
import pgJson from '../../src/formats/pg-json.js';
import pgStderr from '../../src/formats/pg-stderr.js';
import type { LogEvent, LogFormat } from '../../src/formats/types.js';
import { pgLogs, readLog, type PgLogs } from '../support/pg-logs.js';
import { findingsOfLog } from '../support/kind-tester.js';

interface Run {
  events: LogEvent[];
  statements: LogEvent[];
  skipped: { line: number; reason: string }[];
  describe: Record<string, unknown>;
}

function run(format: LogFormat, file: string): Run {
  const events: LogEvent[] = [];
  const skipped: Run['skipped'] = [];
  const p = format.create({
    file,
    options: { prefix: null, logTimezone: null },
    emit: (e) => events.push(e),
    skip: (line, reason) => skipped.push({ line, reason }),
  });
  const text = readLog(file);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => p.push(l, i + 1));
  p.end();
  return { events, statements: events.filter((e) => e.kind === 'statement'), skipped, describe: p.describe?.() ?? {} };
}

/**
 * Per session id (the stderr prefix has %c, so all three formats key sessions alike), a value per statement in log
 * order. The collector writes each destination on its own, so entries of concurrent sessions may interleave
 * differently from file to file; within a session the order is the server's.
 */
function perSession<T>(statements: LogEvent[], value: (e: LogEvent) => T): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const e of statements) {
    let list = m.get(e.session);
    if (!list) m.set(e.session, (list = []));
    list.push(value(e));
  }
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Per session (keyed by its first statement's application and order of appearance), the SQL and params in order. */
function bySession(statements: LogEvent[]): string[] {
  const sessions = new Map<string, { app: string | null; items: string[] }>();
  for (const e of statements) {
    let s = sessions.get(e.session);
    if (!s) sessions.set(e.session, (s = { app: e.application, items: [] }));
    s.items.push(`${e.sql}\u0000${JSON.stringify(e.params)}`);
  }
  return [...sessions.values()].map((s) => `${s.app}\u0001${s.items.join('\u0002')}`).sort();
}

describe.each(['default', 'verbose-zone', 'translated-ru', 'translated-zh'])('cross-format: stderr, csvlog and jsonlog of one real workload (%s)', (preset) => {
  let logs: PgLogs;
  let stderr: Run;
  let csv: Run;
  let json: Run;
  beforeAll(async () => {
    logs = await pgLogs(preset);
    stderr = run(pgStderr, logs.log);
    csv = run(pgCsv, logs.csv);
    json = run(pgJson, logs.json);
  }, 180_000);

  it('each format counts the statements the server ran (within 0.5%), and nothing is skipped', () => {
    const want = logs.truth.totals.statements;
    for (const [name, r] of [['stderr', stderr], ['csv', csv], ['json', json]] as const) {
      expect(r.skipped, name).toEqual([]);
      expect(Math.abs(r.statements.length - want), `${name}: ${r.statements.length} vs ${want}`).toBeLessThanOrEqual(want * 0.005);
    }
    expect(csv.statements.length).toBe(stderr.statements.length);
    expect(json.statements.length).toBe(stderr.statements.length);
  });

  it("stderr: the prefix is detected as the server's, and no line's fields disagree with its session's", () => {
    expect(stderr.describe.prefix).toBe(logs.truth.settings.log_line_prefix);
    expect(stderr.describe.warnings).toEqual([]);
  });

  it('same SQL text and parameters, in the same order, per session', () => {
    const s = bySession(stderr.statements);
    expect(bySession(csv.statements)).toEqual(s);
    expect(bySession(json.statements)).toEqual(s);
    expect(s.length).toBeGreaterThanOrEqual(logs.truth.totals.sessions - 1);
  });

  it('same durations, times, users, databases and applications, statement by statement', () => {
    // (the stderr prefix has no %h/%r, so only csv and json know the client)
    const key = (e: LogEvent) => [e.time, e.durationMs, e.user, e.database, e.application];
    expect(perSession(csv.statements, key)).toEqual(perSession(stderr.statements, key));
    expect(perSession(json.statements, key)).toEqual(perSession(stderr.statements, key));
    expect(perSession(stderr.statements, key).length).toBe(logs.truth.totals.sessions);
  });

  it('same errors (with the failing statement) and connections', () => {
    const errs = (r: Run) => r.events.filter((e) => e.kind === 'error').map((e) => e.sql);
    expect(errs(stderr)).toHaveLength(logs.truth.expectedCounts.errors);
    expect(errs(csv)).toEqual(errs(stderr));
    expect(errs(json)).toEqual(errs(stderr));
    const kinds = (r: Run, k: string) => r.events.filter((e) => e.kind === k).length;
    for (const k of ['connect', 'disconnect']) {
      expect(kinds(csv, k)).toBe(kinds(stderr, k));
      expect(kinds(json, k)).toBe(kinds(stderr, k));
    }
  });

  it('csv and json carry the vxid as the transaction key: one per BEGIN…COMMIT block', () => {
    for (const r of [csv, json]) {
      const begin = r.statements.find((e) => e.sql === 'BEGIN')!;
      expect(begin.tx).toMatch(/^\d+\/[1-9]\d*$/);
      const session = r.statements.filter((e) => e.session === begin.session);
      const inTx = session.filter((e) => e.tx === begin.tx);
      expect(inTx.length).toBeGreaterThan(2);
      // COMMIT is logged after its transaction ended (vxid N/0): no key, the statement right after the block
      const commit = session[session.indexOf(inTx[inTx.length - 1]!) + 1]!;
      expect(commit.sql).toBe('COMMIT');
      expect(commit.tx).toBeNull();
      // autocommit statements each get their own vxid
      const auto = r.statements.filter((e) => e.application === 'crm');
      expect(new Set(auto.map((e) => e.tx)).size).toBe(auto.length);
    }
    expect(perSession(csv.statements, (e) => e.tx)).toEqual(perSession(json.statements, (e) => e.tx));
  });

  it('the three destinations give the same findings (kind, tables, applications, occurrences, repeats)', () => {
    const findings = (file: string, format: string) =>
      findingsOfLog(readLog(file), format)
        .map((f) => `${f.kind} ${f.tables.join(',')} ${f.applications.join(',')} ×${f.occurrences} r${f.repeats}`)
        .sort();
    const fromStderr = findings(logs.log, 'pg-stderr');
    expect(fromStderr.length).toBeGreaterThanOrEqual(logs.truth.expectedFindings.length);
    expect(findings(logs.csv, 'pg-csv')).toEqual(fromStderr);
    expect(findings(logs.json, 'pg-json')).toEqual(fromStderr);
  });

  it('sniffers pick their own format for each file and score the others low', () => {
    const head = (f: string) => readLog(f).split('\n').slice(0, 200);
    const files = { stderr: head(logs.log), csv: head(logs.csv), json: head(logs.json) };
    expect(pgCsv.sniff(files.csv)).toBeGreaterThan(0.9);
    expect(pgJson.sniff(files.json)).toBeGreaterThan(0.9);
    expect(pgCsv.sniff(files.stderr)).toBeLessThan(0.3);
    expect(pgCsv.sniff(files.json)).toBeLessThan(0.3);
    expect(pgJson.sniff(files.stderr)).toBeLessThan(0.3);
    expect(pgJson.sniff(files.csv)).toBeLessThan(0.3);
    expect(pgStderr.sniff(files.csv)).toBeLessThan(pgCsv.sniff(files.csv));
    expect(pgStderr.sniff(files.json)).toBeLessThan(pgJson.sniff(files.json));
    // and among every format (an ORM's sniffer must not take the server's own records for its lines)
    expect([files.stderr, files.csv, files.json].map((f) => sniffFormat(f).format?.id)).toEqual(['pg-stderr', 'pg-csv', 'pg-json']);
  });
});
