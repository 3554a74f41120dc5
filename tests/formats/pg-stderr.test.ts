import { describe, expect, it } from 'vitest';
import stderr from '../../src/formats/pg-stderr.js';
import { parseDecimal, parseParameters } from '../../src/formats/pg-message.js';
import fc from 'fast-check';
import { detectPrefix, inferPrefix } from '../../src/formats/pg-prefix/detect.js';
import { compilePrefix } from '../../src/formats/pg-prefix/matcher.js';
import { createTimeParser } from '../../src/formats/pg-time.js';
import type { LogEvent } from '../../src/formats/types.js';
import { pgLogs, readLog } from '../support/pg-logs.js';

function parse(text: string, prefix: string | null = null) {
  const events: LogEvent[] = [];
  const skipped: { line: number; reason: string }[] = [];
  const p = stderr.create({
    file: 't.log',
    options: { prefix, logTimezone: null },
    emit: (e) => events.push(e),
    skip: (line, reason) => skipped.push({ line, reason }),
  });
  text.split('\n').forEach((l, i) => p.push(l, i + 1));
  p.end();
  return { events, skipped, facts: p.describe!() };
}

const statements = (evs: LogEvent[]) => evs.filter((e) => e.kind === 'statement');

describe('log_line_prefix matcher', () => {
  const f = () => ({ line: 0, time: null, session: '', tx: null, user: null, database: null, application: null, client: null });

  it('reads every field of a rich prefix, with an application name containing spaces', () => {
    const m = compilePrefix('%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ', null);
    const fields = f();
    const line = '2026-04-20 14:08:35.136 UTC [285550]: [1896-1] user=alice,db=shop,app=PostgreSQL JDBC Driver,client=10.0.0.7 LOG:  duration: 0.036 ms  execute S_4: select 1';
    const at = m.match(line, fields, (p) => `pid-${p}`);
    expect(line.slice(at)).toBe('LOG:  duration: 0.036 ms  execute S_4: select 1');
    expect(m.severity).toBe('LOG');
    expect(fields).toMatchObject({ user: 'alice', database: 'shop', application: 'PostgreSQL JDBC Driver', client: '10.0.0.7', session: 'pid-285550' });
    expect(fields.time).toBe(Date.UTC(2026, 3, 20, 14, 8, 35, 136));
  });

  it('stops at %q for server processes and keeps %c as the session', () => {
    const m = compilePrefix('%m [%p] %q%u@%d/%a [%c] %x ', null);
    const a = f();
    expect(m.match('2026-11-25 14:30:06.016 UTC [10012] LOG:  starting PostgreSQL 15.18', a, (p) => p)).toBe(36);
    const b = f();
    m.match('2026-11-25 14:30:06.094 UTC [10019] postgres@app/setup [6b06f0ee.2723] 0 LOG:  duration: 0.610 ms  statement: SELECT 1', b, (p) => p);
    expect(b.session).toBe('6b06f0ee.2723');
    expect(b.application).toBe('setup');
  });

  it('reads RDS, epoch and padded prefixes', () => {
    const rds = compilePrefix('%t:%r:%u@%d:[%p]:', null);
    const a = f();
    expect(rds.match('2024-03-01 10:00:00 UTC:10.1.2.3(51234):app_user@prod:[4242]:LOG:  duration: 1.5 ms  statement: SELECT 1', a, (p) => p)).toBeGreaterThan(0);
    expect(a).toMatchObject({ client: '10.1.2.3', user: 'app_user', database: 'prod', session: '4242' });
    const ep = compilePrefix('%n [%p] ', null);
    const b = f();
    ep.match('1700000000.123 [77] LOG:  statement: SELECT 1', b, (p) => p);
    expect(b.time).toBe(1700000000123);
    const pad = compilePrefix('%-10a|%p ', null);
    const c = f();
    pad.match('psql      |12 LOG:  statement: SELECT 1', c, (p) => p);
    expect(c.application).toBe('psql');
  });

  it('reads a line from its remembered segments exactly as a fresh matcher reads it, when %l, %x and %v change from line to line', () => {
    const prefixes = [
      '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ',
      '%m [%p] %q%u@%d/%a [%c] %x ',
      '%m [%p] %q%u@%d/%a %c %v %x ',
      '%m %l %v [%p] %a ',
      '%m [%p-%l] %q%a %x: ',
    ];
    const fields = ['time', 'session', 'tx', 'user', 'database', 'application', 'client'] as const;
    for (const prefix of prefixes) {
      const streaming = compilePrefix(prefix, null);
      const lines: string[] = [];
      // two sessions alternating, line numbers counting up, transactions opening (N/N, xid) and closing (N/0, 0)
      for (let i = 1; i <= 40; i++) {
        const pid = i % 2 === 0 ? '4242' : '777';
        const app = i % 2 === 0 ? 'app [1] x' : 'worker';
        const inTx = i % 5 !== 0;
        const vxid = inTx ? `3/${100 + Math.floor(i / 5)}` : '3/0';
        const xid = inTx ? String(9000 + Math.floor(i / 5)) : '0';
        const values: Record<string, string> = {
          t: `2026-04-20 14:08:${String(10 + i).padStart(2, '0')} UTC`,
          m: `2026-04-20 14:08:${String(10 + i).padStart(2, '0')}.${String(i).padStart(3, '0')} UTC`,
          p: pid, l: String(i * 7), u: 'alice', d: 'shop', a: app, h: '10.0.0.7', c: `6b0${pid}.${pid}`, v: vxid, x: xid, q: '',
        };
        const head = prefix.replace(/%([a-zA-Z])/g, (_, e: string) => values[e] ?? '');
        lines.push(`${head}LOG:  duration: 0.0${i} ms  statement: SELECT ${i}`);
      }
      for (const line of lines) {
        const a = f();
        const b = f();
        const at = streaming.match(line, a, (p) => `pid-${p}`);
        expect(at, `${prefix}: ${line}`).toBeGreaterThan(0);
        expect(compilePrefix(prefix, null).match(line, b, (p) => `pid-${p}`)).toBe(at);
        for (const k of fields) expect(a[k], `${prefix} ${k}: ${line}`).toBe(b[k]);
        expect(streaming.spans()).toEqual(compilePrefix(prefix, null).matchOnly(line) >= 0 ? freshSpans(prefix, line) : []);
      }
    }
    function freshSpans(prefix: string, line: string) {
      const m = compilePrefix(prefix, null);
      m.matchOnly(line);
      return m.spans();
    }
  });

  it('rejects lines that do not fit and unknown escapes', () => {
    const m = compilePrefix('%m [%p] ', null);
    expect(m.match('2024-01-01 10:00:00.000 UTC 123 LOG:  x', f(), (p) => p)).toBe(-1);
    expect(m.match('random text', f(), (p) => p)).toBe(-1);
    expect(() => compilePrefix('%m %k ', null)).toThrow(/unknown escape %k/);
  });

  it('detects common prefixes and infers unusual ones', () => {
    const lines = [
      '2024-05-01 10:00:00.001 CEST [12] app@db LOG:  duration: 1 ms  statement: SELECT 1',
      '2024-05-01 10:00:00.002 CEST [12] app@db LOG:  duration: 1 ms  statement: SELECT 2',
    ];
    expect(detectPrefix(lines, null).prefix).toBe('%m [%p] %q%u@%d ');
    expect(inferPrefix('2024-05-01 10:00:00.001 UTC pid=12 sess=65a1b2c3.1f db=shop LOG:  statement: SELECT 1')).toBe('%m pid=%p sess=%c db=%d ');
  });
});

describe('timestamps', () => {
  it('applies numeric offsets and known abbreviations, and uses the IANA zone for the rest', () => {
    const t = createTimeParser(null);
    expect(t.parse('2024-07-01 12:00:00.500 EEST')).toBe(Date.UTC(2024, 6, 1, 9, 0, 0, 500));
    expect(t.parse('2024-07-01 12:00:00 -03')).toBe(Date.UTC(2024, 6, 1, 15));
    expect(t.parse('2024-07-01 12:00:00 +0530')).toBe(Date.UTC(2024, 6, 1, 6, 30));
    t.parse('2024-07-01 12:00:00 CST');
    expect([...t.unsureZones]).toEqual(['CST']);
    const china = createTimeParser('Asia/Shanghai');
    expect(china.parse('2024-07-01 12:00:00 CST')).toBe(Date.UTC(2024, 6, 1, 4));
    const ny = createTimeParser('America/New_York');
    expect(ny.parse('2024-01-15 12:00:00 EST')).toBe(Date.UTC(2024, 0, 15, 17));
  });
});

describe('DETAIL parameters', () => {
  it('keeps arrays, doubled quotes and NULL', () => {
    expect(parseParameters("parameters: $1 = '{1,2,3}', $2 = 'O''Brien, Jr.', $3 = NULL, $4 = ''", 12)).toEqual(['{1,2,3}', "O'Brien, Jr.", null, '']);
  });
});

describe('durations', () => {
  it('reads a duration exactly as Number() does, in place', () => {
    const at = (s: string) => parseDecimal(`x ${s} ms`, 2, 2 + s.length);
    for (const s of ['0.013', '12345.678', '1', '1.', '.5', '-1.5', '1e3', '', '12.34.5', '1234567890.123456', '0.1']) expect(Object.is(at(s), Number(s))).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 6 }), (n, decimals) => {
        const s = (n / 10 ** decimals).toFixed(decimals);
        expect(at(s)).toBe(Number(s));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});

describe('pg-stderr on synthetic lines', () => {
  it('joins tab continuation lines, binds parameters to the execute only, and pairs log_duration lines', () => {
    const log = [
      '2024-01-01 10:00:00.000 UTC [1] LOG:  duration: 0.1 ms  parse <unnamed>: SELECT * FROM t WHERE id = $1',
      '2024-01-01 10:00:00.001 UTC [1] LOG:  duration: 0.1 ms  bind <unnamed>: SELECT * FROM t WHERE id = $1',
      "2024-01-01 10:00:00.001 UTC [1] DETAIL:  parameters: $1 = '7'",
      '2024-01-01 10:00:00.002 UTC [1] LOG:  duration: 0.2 ms  execute <unnamed>: SELECT * FROM t WHERE id = $1',
      "2024-01-01 10:00:00.002 UTC [1] DETAIL:  parameters: $1 = '7'",
      '2024-01-01 10:00:00.003 UTC [2] LOG:  statement: SELECT a,',
      '\t  b FROM u',
      '2024-01-01 10:00:00.004 UTC [1] LOG:  duration: 1.5 ms  statement: SELECT 1',
      '2024-01-01 10:00:00.005 UTC [2] LOG:  duration: 3.25 ms',
      '2024-01-01 10:00:00.006 UTC [2] ERROR:  relation "nope" does not exist at character 15',
      '2024-01-01 10:00:00.006 UTC [2] STATEMENT:  SELECT * FROM nope',
    ].join('\n');
    const { events, skipped } = parse(log, '%m [%p] ');
    expect(skipped).toEqual([]);
    const st = statements(events);
    expect(st.map((e) => [e.session, e.sql, e.params, e.durationMs])).toEqual([
      ['1', 'SELECT * FROM t WHERE id = $1', ['7'], 0.2],
      ['2', 'SELECT a,\n  b FROM u', null, 3.25],
      ['1', 'SELECT 1', null, 1.5],
    ]);
    expect(events.filter((e) => e.kind === 'error').map((e) => e.sql)).toEqual(['SELECT * FROM nope']);
  });

  it('counts and reports lines that do not match the prefix, and keeps the good ones around them', () => {
    const log = [
      '2024-01-01 10:00:00.000 UTC [1] LOG:  duration: 0.1 ms  statement: SELECT 1',
      'garbage from another program',
      '2024-01-01 10:00:00.001 UTC [1] LOG:  duration: 0.1 ms  statement: SELECT 2',
    ].join('\n');
    const { events, skipped } = parse(log, '%m [%p] ');
    expect(statements(events).map((e) => e.sql)).toEqual(['SELECT 1', 'SELECT 2']);
    expect(skipped).toEqual([{ line: 2, reason: expect.stringContaining("log_line_prefix '%m [%p] '") }]);
  });
});

describe('pg-stderr on real PostgreSQL 15 logs', () => {
  it('finds the prefix and every statement the server executed (duration mode)', async () => {
    const logs = await pgLogs('default');
    const { events, skipped, facts } = parse(readLog(logs.log));
    expect(facts['prefix']).toBe('%m [%p] %q%u@%d/%a [%c] %x ');
    expect(skipped).toEqual([]);
    expect(statements(events).length).toBe(logs.truth.totals.statements);
  });

  it('counts the same statements with log_statement=all + log_duration', async () => {
    const logs = await pgLogs('statement');
    const { events } = parse(readLog(logs.log));
    expect(statements(events).length).toBe(logs.truth.totals.calls);
    expect(statements(events).filter((e) => e.durationMs !== null).length).toBeGreaterThan(logs.truth.totals.statements * 0.99);
  });

  it('keeps sessions apart with the pgBadger prefix and with the minimal prefix (pid only)', async () => {
    for (const preset of ['pgbadger-prefix', 'minimal-prefix'] as const) {
      const logs = await pgLogs(preset);
      const { events } = parse(readLog(logs.log));
      const st = statements(events);
      expect(st.length).toBe(logs.truth.totals.statements);
      expect(new Set(st.map((e) => e.session)).size).toBe(logs.truth.totals.sessions);
    }
  });
});
