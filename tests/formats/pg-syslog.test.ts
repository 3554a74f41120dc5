/** PostgreSQL via syslog: BSD and ISO headers, [seq-chunk] continuations (#011 tabs, ~900-byte splits), any prefix. */
import { describe, expect, it } from 'vitest';
import { formats } from '../../src/formats/index.js';
import pgSyslog from '../../src/formats/pg-syslog.js';
import { headLines, runFile, runText } from './pg-harness.js';

const F = 'tests/fixtures/pg';

/** The year a BSD syslog stamp (no year) is given: this year, unless that lies in the future. */
function bsdTime(mon: number, day: number, h: number, m: number, s: number): number {
  const y = new Date().getUTCFullYear();
  const t = Date.UTC(y, mon, day, h, m, s);
  return t > Date.now() + 86_400_000 ? Date.UTC(y - 1, mon, day, h, m, s) : t;
}

describe('pg-syslog, BSD header, prefix without a time', () => {
  const r = runFile(pgSyslog, `${F}/syslog-bsd.log`);

  it('detects the prefix inside the messages and ignores other programs', () => {
    expect(r.skipped).toEqual([]);
    expect(r.facts).toMatchObject({ prefix: 'user=%u,db=%d,app=%a,client=%h ', ident: 'postgres', otherPrograms: 1 });
  });

  it('joins [5-2]/[5-3] chunks (#011 = tab) even with another backend in between, and length-split chunks', () => {
    const byLine = [...r.statements].sort((a, b) => a.line - b.line);
    expect(byLine.map((e) => [e.line, e.sql])).toEqual([
      [1, 'SELECT id\n  FROM orders\n WHERE customer_id = 42'],
      [4, 'SELECT 1'],
      [6, 'SELECT * FROM order_items WHERE order_id = $1'],
      [8, "SELECT 'first half of a long line' || 'second half'"],
    ]);
    expect(r.facts).toMatchObject({ continuationChunks: 3 });
  });

  it('fields from the prefix, time from the header, session from the pid, DETAIL parameters, ERROR + STATEMENT', () => {
    const first = r.statements.find((e) => e.line === 1)!;
    expect(first).toMatchObject({ user: 'app', database: 'shop', application: 'billing', client: '10.0.0.5', durationMs: 0.512, session: '2101', time: bsdTime(0, 3, 10, 0, 0) });
    expect(r.statements.find((e) => e.line === 4)!).toMatchObject({ session: '2102', application: 'reports' });
    expect(r.statements.find((e) => e.line === 6)!.params).toEqual(['7']);
    expect(r.events.find((e) => e.kind === 'error')).toMatchObject({ sql: 'SELECT * FROM nope', line: 10, session: '2101' });
  });
});

describe('pg-syslog, rsyslog ISO header, empty prefix', () => {
  const r = runFile(pgSyslog, `${F}/syslog-iso.log`);

  it('empty prefix: time from the header, application from the connection line, a new session per connection on a reused pid', () => {
    expect(r.skipped).toEqual([]);
    expect(r.facts.prefix).toBe('');
    expect(r.statements.map((e) => e.sql)).toEqual(['BEGIN', "UPDATE jobs SET state = 'done'\n WHERE id = 1", 'COMMIT', 'SELECT 2']);
    expect(r.statements[1]).toMatchObject({ time: Date.UTC(2024, 0, 2, 10, 0, 0, 250), application: 'worker', durationMs: 0.3 });
    expect(r.statements[3]!.application).toBe('web');
    expect(r.statements[0]!.session).toBe('123:1');
    expect(r.statements[3]!.session).toBe('123:8');
  });

  it('a given --prefix is used as is; a line without the syslog header is skipped and counted', () => {
    const text = [
      '2024-01-02T10:00:00.100000+00:00 pghost postgres[9]: [1-1] [app] LOG:  duration: 0.1 ms  statement: SELECT 1',
      'half a line from a rotated file',
      '2024-01-02T10:00:00.200000+00:00 pghost postgres[9]: [2-1] [app] LOG:  duration: 0.1 ms  statement: SELECT 2',
    ].join('\n');
    const x = runText(pgSyslog, text, 'x.log', '[%a] ');
    expect(x.statements.map((e) => [e.sql, e.application])).toEqual([['SELECT 1', 'app'], ['SELECT 2', 'app']]);
    expect(x.skipped).toEqual([{ line: 2, reason: 'not a syslog line (`Mon DD HH:MM:SS host postgres[pid]: …`)' }]);
  });
});

describe('pg-syslog sniff', () => {
  it('picks pg-syslog for both fixtures, every other format stays low', () => {
    for (const f of ['syslog-bsd.log', 'syslog-iso.log']) {
      const best = formats.map((x) => [x.id, x.sniff(headLines(`${F}/${f}`))] as const).sort((a, b) => b[1] - a[1]);
      expect(best[0]![0], f).toBe('pg-syslog');
      expect(best[0]![1], f).toBeGreaterThan(0.8);
      // pg-stderr can take the syslog header for a literal prefix (it scores up to 0.95 here); all others stay low
      for (const [id, score] of best.slice(1)) if (id !== 'pg-stderr') expect(score, `${f}: ${id}`).toBeLessThan(0.3);
    }
  });

  it('low for stderr, csv, json, RDS, CloudSQL and ORM lines', () => {
    for (const f of ['samples/billing.log', 'samples/loops.csv', 'samples/pooled-web.json', `${F}/rds.log`, `${F}/cloudsql.jsonl`, `${F}/cnpg.jsonl`]) {
      expect(pgSyslog.sniff(headLines(f)), f).toBeLessThan(0.3);
    }
    expect(pgSyslog.sniff(['Executing (default): SELECT 1', 'Jan  3 10:00:00 web1 node[12]: query: SELECT 1 -- PARAMETERS: [1]'])).toBeLessThan(0.3);
  });
});
