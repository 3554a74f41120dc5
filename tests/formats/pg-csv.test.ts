/** csvlog: quoted multi-line fields, "" escapes, parameters in `detail`, 23/24/26 columns, broken and truncated records. */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formats } from '../../src/formats/index.js';
import pgCsv, { CSV_IRREGULAR, CSV_OPEN, CSV_OPTIONS, CsvSpans, splitCsvRecord } from '../../src/formats/pg-csv.js';
import { headLines, runFile, runText } from './pg-harness.js';

const EDGE = 'tests/fixtures/pg/edge.csv';

describe('pg-csv', () => {
  const r = runFile(pgCsv, EDGE);

  it('joins a statement spanning lines inside a quoted field, with "" escapes', () => {
    expect(r.statements[0]!.sql).toBe(
      "SELECT id, email\n  FROM customers\n WHERE last_name = 'O''Brien'\n   AND note = \"say \"\"hi\"\", then, go\"\n ORDER BY id",
    );
    expect(r.statements[0]).toMatchObject({
      line: 1, session: '6b06f0bf.22ae', tx: '4/2', user: 'postgres', database: 'app', application: 'reports',
      client: '127.0.0.1', durationMs: 0.16, time: Date.UTC(2026, 10, 25, 14, 29, 19, 392),
    });
  });

  it('counts the execute only and binds its parameters from `detail` (arrays, quotes, NULL)', () => {
    expect(r.statements.map((e) => e.line)).toEqual([1, 7, 8, 10, 11]);
    expect(r.statements[1]!.params).toEqual(['{o\'brien.3@example.com,customer3@example.com,"a \\"quoted\\", name3@example.com"}']);
    expect(r.statements[2]!.sql).toBe('INSERT INTO products (sku, name, note) VALUES ($1, $2, $3)');
    expect(r.statements[2]!.params).toEqual(['{1,2,3}', 'Ol\' Reliable, "the" best', null]);
  });

  it('an ERROR record carries the failing statement from the `query` column', () => {
    const errors = r.events.filter((e) => e.kind === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ sql: 'INSERT INTO invoices (order_id, amount_cents) VALUES ($1, $2)', line: 9, application: 'worker' });
  });

  it('reads PG 13 (24 columns) and PG 12 (23 columns) records by position', () => {
    expect(r.statements[3]).toMatchObject({
      sql: 'SELECT 13', user: 'alice', database: 'shop', client: '[local]', application: 'psql', tx: '3/77',
      time: Date.UTC(2021, 2, 1, 9, 0, 0, 120), durationMs: 1.5,
    });
    expect(r.statements[4]).toMatchObject({ sql: 'SELECT 12', client: '10.0.0.7', application: 'psql', tx: null, session: '5cf24d10.1093' });
    expect(r.facts.columns).toEqual([23, 26]);
  });

  it('skips a line that is not csvlog and a truncated last record, and counts them', () => {
    expect(r.skipped).toEqual([
      { line: 12, reason: 'not a csvlog record (1 columns; csvlog has 23 to 26)' },
      { line: 13, reason: 'truncated last record (2 lines, a quoted field never closes)' },
    ]);
    expect(r.facts).toMatchObject({ records: 7, multiLineRecords: 1, badRecords: 2 });
  });

  it('an unterminated quote does not swallow the records after it', () => {
    const lines = [
      '2026-11-25 14:29:19.001 UTC,"u","d",1,"h:1",aa.1,1,"SELECT",2026-11-25 14:29:19 UTC,3/1,0,LOG,00000,"duration: 0.010 ms  statement: SELECT \'a',
      'cut by a crash',
      '2026-11-25 14:29:19.002 UTC,"u","d",1,"h:1",aa.1,2,"SELECT",2026-11-25 14:29:19 UTC,3/2,0,LOG,00000,"duration: 0.020 ms  statement: SELECT 2",,,,,,,,,"app","client backend",,0',
      '2026-11-25 14:29:19.003 UTC,"u","d",1,"h:1",aa.1,3,"SELECT",2026-11-25 14:29:19 UTC,3/3,0,LOG,00000,"duration: 0.030 ms  statement: SELECT 3',
      'FROM t",,,,,,,,,"app","client backend",,0',
    ];
    const x = runText(pgCsv, lines.join('\n'));
    expect(x.statements.map((e) => e.sql)).toEqual(['SELECT 2', 'SELECT 3\nFROM t']);
    expect(x.skipped).toEqual([{ line: 1, reason: 'unterminated quoted field (record of 2 lines cut short)' }]);
  });

  it('a record csv-parse rejects costs only itself, reported at its line in order', () => {
    const rec = (n: number) =>
      `2026-11-25 14:29:19.${String(n % 1000).padStart(3, '0')} UTC,"u","d",1,"h:1",aa.1,${n},"SELECT",2026-11-25 14:29:19 UTC,3/${n},0,LOG,00000,"duration: 0.010 ms  statement: SELECT ${n}",,,,,,,,,"app","client backend",,0`;
    const lines: string[] = [];
    for (let n = 1; n <= 300; n++) lines.push(n === 150 ? '2026-11-25 14:29:19.150 UTC,u d "x" y,1' : n === 200 ? 'junk' : rec(n));
    const x = runText(pgCsv, lines.join('\n'));
    expect(x.statements).toHaveLength(298);
    expect(x.statements.slice(147, 150).map((e) => [e.sql, e.line])).toEqual([['SELECT 148', 148], ['SELECT 149', 149], ['SELECT 151', 151]]);
    expect(x.skipped.map((s) => s.line)).toEqual([150, 200]);
    expect(x.skipped[0]!.reason).toMatch(/^not a valid csvlog record \(Invalid Opening Quote/);
    expect(x.facts).toMatchObject({ records: 298, badRecords: 2 });
  });

  it('CRLF line endings (stripped by the reader) keep the record intact', () => {
    const text = '2026-11-25 14:29:19.002 UTC,"u","d",1,"h:1",aa.1,2,"SELECT",2026-11-25 14:29:19 UTC,3/2,0,LOG,00000,"duration: 0.020 ms  statement: SELECT\r\n 2",,,,,,,,,"app","client backend",,0\r\n';
    expect(runText(pgCsv, text).statements.map((e) => e.sql)).toEqual(['SELECT\n 2']);
  });

  it('sniff: claims csvlog (the real sample too) and no other format claims it', () => {
    expect(pgCsv.sniff(headLines(EDGE))).toBeGreaterThan(0.9);
    const sample = headLines('samples/loops.csv');
    expect(pgCsv.sniff(sample)).toBeGreaterThan(0.9);
    const best = formats.map((f) => [f.id, f.sniff(sample)] as const).sort((a, b) => b[1] - a[1]);
    expect(best[0]![0]).toBe('pg-csv');
    expect(best[1]![1]).toBeLessThan(0.3);
  });

  it('a csvlog whose every text field is quoted, log_time too (pgBadger fixture csv_statement_without_duration.log): sniffed and read', () => {
    const text =
      '"2026-05-16 05:11:50.269 UTC","example_user","example_db",1001,"192.0.2.10:54321",00000001.000003e9,1,"SELECT","2026-05-16 05:00:00 UTC",1/1,0,LOG,00000,"duration: 688786.283 ms  execute stmt_slow/stmt_slow: SELECT example_schema.slow_table.id FROM example_schema.slow_table",,,,,,,,,"example app","client backend",0\n' +
      '"2026-05-16 05:20:03.994 UTC","health_user","health_db",1002,"192.0.2.20:54322",00000002.000003ea,2,"idle","2026-05-16 05:00:00 UTC",2/2,0,LOG,00000,"statement: SELECT example_schema.health_check()",,,,,,,,,"example healthcheck","client backend",0\n';
    const lines = text.split('\n').filter((l) => l !== '');
    const best = formats.map((f) => [f.id, f.sniff(lines)] as const).sort((a, b) => b[1] - a[1]);
    expect(best[0]).toEqual(['pg-csv', 0.98]);
    const r = runText(pgCsv, text);
    expect(r.skipped).toEqual([]);
    expect(r.statements.map((e) => [e.sql, e.durationMs, e.time])).toEqual([
      ['SELECT example_schema.slow_table.id FROM example_schema.slow_table', 688786.283, Date.UTC(2026, 4, 16, 5, 11, 50, 269)],
      ['SELECT example_schema.health_check()', null, Date.UTC(2026, 4, 16, 5, 20, 3, 994)],
    ]);
  });

  it('sniff: low for stderr, json, syslog and ORM lines', () => {
    for (const f of ['samples/billing.log', 'samples/pooled-web.json', 'tests/fixtures/pg/syslog-bsd.log', 'tests/fixtures/pg/rds.log', 'tests/fixtures/pg/cnpg.jsonl']) {
      expect(pgCsv.sniff(headLines(f)), f).toBeLessThan(0.3);
    }
    expect(pgCsv.sniff(['Executing (default): SELECT 1', '2024-01-01 10:00:00,123 INFO sqlalchemy.engine.Engine SELECT 1', 'query: SELECT 1 -- PARAMETERS: [1]'])).toBeLessThan(0.3);
  });

  it('the record splitter reads every record it accepts as csv-parse does, and leaves it the rest', () => {
    const sp = new CsvSpans();
    const fields = (s: string, n: number) =>
      Array.from({ length: n }, (_, k) => {
        const v = s.slice(sp.start[k], sp.end[k]);
        return sp.escaped[k] === 1 ? v.replaceAll('""', '"') : v;
      });
    const text = fc.array(fc.constantFrom('a', 'é', ',', '"', '""', '\n', '\r', ' ', '12'), { minLength: 1, maxLength: 30 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, (s) => {
        const n = splitCsvRecord(s, sp);
        if (n === CSV_IRREGULAR) return;
        if (n === CSV_OPEN) {
          expect(() => parse(s, CSV_OPTIONS), s).toThrow(/Quote Not Closed/);
          return;
        }
        expect([fields(s, n)], JSON.stringify(s)).toEqual(parse(s, CSV_OPTIONS));
      }),
      { numRuns: 3000 },
    );
    expect(splitCsvRecord('a,"b ""c""\nd",', sp)).toBe(3);
    expect(fields('a,"b ""c""\nd",', 3)).toEqual(['a', 'b "c"\nd', '']);
    expect(splitCsvRecord('a,"b', sp)).toBe(CSV_OPEN);
    expect(splitCsvRecord('a,b"c"', sp)).toBe(CSV_IRREGULAR);
    expect(splitCsvRecord('a,"b"c', sp)).toBe(CSV_IRREGULAR);
    // a CR outside quotes is text (the record delimiter is the newline its lines were joined with)
    expect(splitCsvRecord('a\rb,c', sp)).toBe(2);
  });
});
