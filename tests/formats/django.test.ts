/** Django format: real Django 3.2 captures (scripts/orm/make-orm-logs.sh) and the messy forms users paste. */
import { describe, expect, it } from 'vitest';
import django from '../../src/formats/django.js';
import { best, fixtures, PG_LINE, run } from './fixture-harness.js';

const { read, truth } = fixtures('tests/fixtures/orm/django');

describe('django fixtures (real Django 3.2 + psycopg2 output)', () => {
  for (const v of ['plain', 'verbose', 'sqlparse']) {
    it(`${v}: one statement per execute_wrapper call, durations in ms`, () => {
      const r = run(django, read(`${v}.log`));
      const t = truth(v);
      expect(r.skipped).toEqual([]);
      expect(r.statements.length).toBe(t.statements);
      expect(r.count('begin')).toBe(t.begin); // Django < 4.2 does not log BEGIN/COMMIT
      expect(r.describe.executemany).toBe(t.executemany);
      expect(r.statements.every((e) => e.durationMs !== null && e.durationMs >= 0)).toBe(true);
      const lines = read(`${v}.log`).split('\n').slice(0, 50);
      expect(django.sniff(lines)).toBeGreaterThan(0.8);
      expect(best(lines)).toBe('django');
    });
  }

  it('keeps the N+1 repeats (identical lines are real repeated queries) and binds args', () => {
    const r = run(django, read('plain.log'));
    const lookups = r.statements.filter((e) => e.sql!.startsWith('SELECT "authors"."id", "authors"."name" FROM "authors" WHERE "authors"."id" = '));
    expect(lookups.length).toBe(15);
    expect(lookups.map((e) => e.params)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5].map((n) => [String(n)]));
    const insert = r.statements.filter((e) => e.sql!.startsWith('INSERT INTO "reviews"'))[1]!;
    expect(insert.params).toEqual(['2', '3', 'review of book 1.2']);
    const many = r.statements.find((e) => e.sql === 'UPDATE reviews SET stars = %s WHERE id = %s')!;
    expect(many.params).toEqual(['4', '1']);
    expect(r.statements.find((e) => e.sql!.startsWith('DROP TABLE'))!.params).toBeNull();
  });

  it('verbose formatter: time read as UTC, process:thread as the session', () => {
    const text = read('verbose.log');
    const r = run(django, text);
    const m = /^DEBUG (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) utils (\d+) (\d+) /.exec(text)!;
    const n = m.slice(1, 8).map(Number);
    expect(r.events[0]!.time).toBe(Date.UTC(n[0]!, n[1]! - 1, n[2]!, n[3]!, n[4]!, n[5]!, n[6]!));
    expect(r.events[0]!.session).toBe(`${m[8]}:${m[9]}`);
    expect(run(django, read('plain.log')).events[0]!.session).toBe('snippet.log');
  });

  it('sqlparse: SQL reindented over several lines reads to the same statements and args as plain', () => {
    const plain = run(django, read('plain.log')).statements;
    const pretty = run(django, read('sqlparse.log')).statements;
    expect(pretty.length).toBe(54);
    expect(pretty.map((e) => e.params)).toEqual(plain.map((e) => e.params));
    expect(pretty.map((e) => e.sql!.replace(/\s+/g, ' ').toLowerCase())).toEqual(plain.map((e) => e.sql!.replace(/\s+/g, ' ').replace(/\( /g, '(').toLowerCase()));
  });

  it('does not claim a PostgreSQL server log line', () => {
    expect(django.sniff([PG_LINE])).toBeLessThan(0.5);
  });
});

describe('django snippets as users paste them (written from the source format strings)', () => {
  it('old form without alias, new form with alias and 4.2 transaction lines', () => {
    const r = run(
      django,
      `(0.001) SELECT "app1_a"."id", "app1_a"."name" FROM "app1_a" LIMIT 21; args=()
(0.000) BEGIN; args=None; alias=default
(0.002) INSERT INTO "polls_choice" ("question_id", "choice_text", "votes") VALUES (1, 'Not much', 0) RETURNING "polls_choice"."id"; args=(1, 'Not much', 0); alias=default
(0.001) COMMIT; args=None; alias=default
(0.000) ROLLBACK; args=None; alias=replica
`,
    );
    expect(r.skipped).toEqual([]);
    expect(r.events.map((e) => e.kind)).toEqual(['statement', 'begin', 'statement', 'commit', 'rollback']);
    expect(r.statements[0]!.durationMs).toBe(1);
    expect(r.statements[1]!.durationMs).toBe(2);
    expect(r.statements[1]!.params).toEqual(['1', 'Not much', '0']);
    expect(r.statements[1]!.sql).toBe(
      'INSERT INTO "polls_choice" ("question_id", "choice_text", "votes") VALUES (1, \'Not much\', 0) RETURNING "polls_choice"."id"',
    );
  });

  it('a bracketed logging prefix, CRLF, multi-line raw SQL and a dict of named args', () => {
    const r = run(
      django,
      '[2024-03-05 08:15:00,250] DEBUG [django.db.backends:123] (0.013) SELECT id\r\n' +
        '  FROM shop_order\r\n' +
        "  WHERE customer_id = 42; args={'cid': 42}; alias=default\r\n" +
        '[2024-03-05 08:15:00,260] DEBUG [django.db.backends:123] (0.001) SELECT 1; args=None; alias=default\r\n',
    );
    expect(r.skipped).toEqual([]);
    expect(r.statements.length).toBe(2);
    expect(r.statements[0]!.sql).toBe('SELECT id\n  FROM shop_order\n  WHERE customer_id = 42');
    expect(r.statements[0]!.params).toEqual({ cid: '42' });
    expect(r.statements[0]!.time).toBe(Date.UTC(2024, 2, 5, 8, 15, 0, 250));
    expect(r.statements[0]!.durationMs).toBe(13);
    expect(r.statements[1]!.line).toBe(4);
  });

  it('executemany logs the list of parameter sets: one event, first set', () => {
    const r = run(django, `(0.004) INSERT INTO t (a, b) VALUES (%s, %s); args=[(1, 'x'), (2, None), (3, 'z')]; alias=default\n`);
    expect(r.statements.length).toBe(1);
    expect(r.statements[0]!.params).toEqual(['1', 'x']);
    expect(r.describe.executemany).toBe(1);
  });

  it('a list of args is one set; uuids, datetimes and Decimals become their text', () => {
    const r = run(
      django,
      `(0.000) SELECT 1 FROM t WHERE a = %s AND b = %s AND c = %s; args=[UUID('6f1c2d8e-0000-4000-8000-000000000001'), datetime.datetime(2024, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), Decimal('9.99')]\n`,
    );
    expect(r.statements[0]!.params).toEqual(['6f1c2d8e-0000-4000-8000-000000000001', '2024-01-01 00:00:00+00:00', '9.99']);
  });

  it('`(0.000)` on a line of its own, the reindented SQL after it, then `; args=…; alias=default`', () => {
    const text = [
      '(0.000)',
      'SELECT "polls_question"."id",',
      '       "polls_question"."question_text"',
      'FROM "polls_question"',
      'WHERE "polls_question"."id" = 1',
      'LIMIT 21; args=(1,); alias=default',
      '(0.001) ', // the trailing space kept (raw SQL from a triple-quoted string starts with a newline)
      'SELECT "polls_choice"."id"',
      'FROM "polls_choice"',
      'WHERE "polls_choice"."question_id" = 1; args=(1,); alias=default',
      'DEBUG 2026-11-25 14:30:00,120 utils 4242 140001 (0.002)',
      'SELECT "polls_choice"."id"',
      'FROM "polls_choice"',
      'WHERE "polls_choice"."question_id" = 2; args=(2,); alias=default',
    ].join('\n');
    const r = run(django, text);
    expect(r.skipped).toEqual([]);
    expect(r.statements.map((e) => [e.line, e.sql!.split('\n')[0], e.params, e.durationMs])).toEqual([
      [1, 'SELECT "polls_question"."id",', ['1'], 0],
      [7, 'SELECT "polls_choice"."id"', ['1'], 1],
      [11, 'SELECT "polls_choice"."id"', ['2'], 2],
    ]);
    expect(r.statements[2]).toMatchObject({ session: '4242:140001', time: Date.UTC(2026, 10, 25, 14, 30, 0, 120) });
    expect(best(text.split('\n'))).toBe('django');
  });

  it('a cut message, a schema-editor announcement and stray lines are not statements', () => {
    const r = run(
      django,
      `Watching for file changes with StatReloader
CREATE TABLE "x" ("id" serial NOT NULL PRIMARY KEY); (params None)
(0.001) CREATE TABLE "x" ("id" serial NOT NULL PRIMARY KEY); args=None
(0.001) SELECT "x"."id" FROM "x
(0.000) SELECT 2; args=()
`,
    );
    expect(r.statements.map((e) => e.sql)).toEqual(['CREATE TABLE "x" ("id" serial NOT NULL PRIMARY KEY)', 'SELECT 2']);
    expect(r.skipped.map((s) => s[0])).toEqual([1, 4]);
  });
});
