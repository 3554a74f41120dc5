/** SQLAlchemy format: real 1.4 captures (scripts/orm/make-orm-logs.sh) and the messy forms users paste. */
import { describe, expect, it } from 'vitest';
import sqlalchemy from '../../src/formats/sqlalchemy.js';
import { best, fixtures, PG_LINE, run } from './fixture-harness.js';

const { read, truth } = fixtures('tests/fixtures/orm/sqlalchemy');

describe('sqlalchemy: logging formats with fields after the logger name', () => {
  // the real echo capture, its records rewritten as other logging formats would write them
  const echo = read('echo.log');
  const head = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO sqlalchemy\.engine\.Engine /gm;
  const sqlOf = (log: string) => run(sqlalchemy, log).statements.map((e) => e.sql);
  const want = sqlOf(echo);
  it.each([
    ['the Python docs\' %(asctime)s - %(name)s - %(levelname)s - %(message)s', '$1 - sqlalchemy.engine.Engine - INFO - '],
    ['%(asctime)s [%(levelname)s] %(name)s (%(threadName)s): %(message)s', '$1 [INFO] sqlalchemy.engine.Engine (MainThread): '],
    ['%(asctime)s %(name)s [%(threadName)s]: %(levelname)s %(message)s', '$1 sqlalchemy.engine.Engine [Thread-2]: INFO '],
  ])('%s reads the same statements', (_name, replacement) => {
    expect(want.length).toBeGreaterThan(10);
    expect(sqlOf(echo.replace(head, replacement))).toEqual(want);
  });

  it('a thread named after the logger name keeps its statements apart from another thread\'s', () => {
    const log = [
      '2026-11-25 14:33:55,773 - sqlalchemy.engine.Engine (Thread-1) - INFO - SELECT * FROM authors WHERE id = %(id)s',
      '2026-11-25 14:33:55,773 - sqlalchemy.engine.Engine (Thread-2) - INFO - SELECT * FROM books WHERE id = %(id)s',
      '2026-11-25 14:33:55,774 - sqlalchemy.engine.Engine (Thread-2) - INFO - [generated in 0.0001s] {\'id\': 2}',
      '2026-11-25 14:33:55,774 - sqlalchemy.engine.Engine (Thread-1) - INFO - [generated in 0.0001s] {\'id\': 1}',
    ].join('\n');
    const r = run(sqlalchemy, log);
    expect(r.statements.map((e) => [e.sql, e.params, e.session])).toEqual([
      ['SELECT * FROM books WHERE id = %(id)s', { id: '2' }, expect.stringContaining('Thread-2')],
      ['SELECT * FROM authors WHERE id = %(id)s', { id: '1' }, expect.stringContaining('Thread-1')],
    ]);
  });
});

describe('sqlalchemy: damaged lines', () => {
  it('a byte destroyed in the logger name makes the line unreadable, not a statement of its remains', () => {
    const log = [
      '2026-11-25 14:33:55,773 INFO sqlalchemy.engine.Engine select pg_catalog.version()',
      '2026-11-25 14:33:55,773 INFO sqlalchemy.engine.Engine\u0000[raw sql] {}',
      '2026-11-25 14:33:55,774 INFO sqlalchemy.engine\u0000',
      '.Engine [cached since 0.001062s ago] {}',
    ].join('\n');
    const r = run(sqlalchemy, log);
    expect(r.statements.map((e) => e.sql)).toEqual(['select pg_catalog.version()']);
  });

  it('a params line whose [ was destroyed, or a record whose logger name was cut, is skipped, not counted', () => {
    const log = [
      '2026-11-25 14:33:55,773 INFO sqlalchemy.engine.Engine select pg_catalog.version()',
      '2026-11-25 14:33:55,773 INFO sqlalchemy.engine.Engine \u0000raw sql] {}',
      '2026-11-25 14:33:55,776 INFO sqlalchemy.engine ',
      '.Engine [cached since 0.001062s ago] {}',
      '2026-11-25 14:33:55,777 INFO sqlalchemy.engine.Engine ',
      'CREATE TABLE authors (',
      '\tid SERIAL NOT NULL',
      ')',
      '2026-11-25 14:33:55,777 INFO sqlalchemy.engine.Engine [no key 0.00011s] {}',
    ].join('\n');
    const r = run(sqlalchemy, log);
    expect(r.statements.map((e) => e.sql)).toEqual(['select pg_catalog.version()', '\nCREATE TABLE authors (\n\tid SERIAL NOT NULL\n)']);
    expect(r.skipped.map(([line]) => line)).toEqual([2, 3]);
  });
});

describe('sqlalchemy fixtures (real SQLAlchemy 1.4 + psycopg2 output)', () => {
  for (const v of ['echo', 'debug', 'basic', 'bare', 'doubled']) {
    it(`${v}: statements and transactions equal what the app counted`, () => {
      const r = run(sqlalchemy, read(`${v}.log`));
      const t = truth(v);
      expect(r.skipped).toEqual([]);
      expect(r.statements.length).toBe(t.statements);
      expect(r.count('begin')).toBe(t.begin);
      expect(r.count('commit')).toBe(t.commit);
      expect(r.count('rollback')).toBe(t.rollback);
      expect(r.describe.executemany).toBe(t.executemany);
      const lines = read(`${v}.log`).split('\n').slice(0, 50);
      expect(sqlalchemy.sniff(lines)).toBeGreaterThan(0.8);
      expect(best(lines)).toBe('sqlalchemy');
    });
  }

  it('binds named parameters to the N+1 lazy load and the per-row inserts', () => {
    const r = run(sqlalchemy, read('echo.log'));
    const lazy = r.statements.filter((e) => e.sql!.includes('WHERE %(param_1)s = books.author_id'));
    expect(lazy.map((e) => e.params)).toEqual([1, 2, 3, 4, 5].map((n) => ({ param_1: String(n) })));
    expect(lazy[0]!.sql).toBe(
      'SELECT books.id AS books_id, books.author_id AS books_author_id, books.title AS books_title \nFROM books \nWHERE %(param_1)s = books.author_id ORDER BY books.id',
    );
    const inserts = r.statements.filter((e) => e.sql!.startsWith('INSERT INTO reviews') && e.sql!.includes('RETURNING'));
    expect(inserts.length).toBe(15);
    expect(inserts[2]!.params).toEqual({ book_id: '3', stars: '4', body: 'review of book 1.3' });
    expect(r.events.every((e) => e.durationMs === null)).toBe(true);
  });

  it('executemany is one event carrying the first parameter set', () => {
    const r = run(sqlalchemy, read('echo.log'));
    const bulk = r.statements.find((e) => e.sql === 'INSERT INTO reviews (book_id, stars, body) VALUES (%(book_id)s, %(stars)s, %(body)s)')!;
    expect(bulk.params).toEqual({ book_id: '1', stars: '3', body: 'bulk' });
    expect(bulk.rows).toBeNull();
  });

  it('reads the asctime prefix as UTC and keeps multi-line DDL whole', () => {
    const text = read('echo.log');
    const r = run(sqlalchemy, text);
    const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})/.exec(text)!;
    const n = m.slice(1).map(Number);
    expect(r.events[0]!.time).toBe(Date.UTC(n[0]!, n[1]! - 1, n[2]!, n[3]!, n[4]!, n[5]!, n[6]!));
    const ddl = r.statements.find((e) => e.sql!.includes('CREATE TABLE reviews'))!;
    expect(ddl.sql!.startsWith('\nCREATE TABLE reviews (\n\tid SERIAL NOT NULL, \n')).toBe(true);
    expect(r.describe.prefixed).toBe(true);
  });

  it('echo="debug": rows counted and cell values kept', () => {
    const r = run(sqlalchemy, read('debug.log'));
    const authors = r.statements.find((e) => e.sql === 'SELECT authors.id, authors.name \nFROM authors ORDER BY authors.id')!;
    expect(authors.rows).toBe(5);
    expect(authors.resultValues).toEqual(['1', 'author 1', '2', 'author 2', '3', 'author 3', '4', 'author 4', '5', 'author 5']);
    const counts = r.statements.filter((e) => e.sql!.startsWith('SELECT count(books.id)'));
    expect(counts.map((e) => e.rows)).toEqual([1, 1, 1, 1, 1]);
    expect(counts.map((e) => e.resultValues)).toEqual([['3'], ['3'], ['3'], ['3'], ['3']]);
    // statements without a result (DDL) have no Col line: rows unknown, not 0
    expect(r.statements.find((e) => e.sql!.startsWith('DROP TABLE'))!.rows).toBeNull();
    // echo=True logs no rows at all
    expect(run(sqlalchemy, read('echo.log')).statements.every((e) => e.rows === null)).toBe(true);
  });

  it('does not claim a PostgreSQL server log line', () => {
    expect(sqlalchemy.sniff([PG_LINE])).toBeLessThan(0.5);
  });
});

describe('sqlalchemy snippets as users paste them (written from the source format strings)', () => {
  it('the caching docs N+1, logger name without time, ? placeholders', () => {
    const r = run(
      sqlalchemy,
      `INFO sqlalchemy.engine.Engine SELECT a.id AS a_id, a.data AS a_data
FROM a
INFO sqlalchemy.engine.Engine [generated in 0.00009s] ()
INFO sqlalchemy.engine.Engine SELECT b.id AS b_id, b.a_id AS b_a_id, b.data AS b_data
FROM b
WHERE ? = b.a_id
INFO sqlalchemy.engine.Engine [generated in 0.00010s] (1,)
INFO sqlalchemy.engine.Engine SELECT b.id AS b_id, b.a_id AS b_a_id, b.data AS b_data
FROM b
WHERE ? = b.a_id
INFO sqlalchemy.engine.Engine [cached since 0.0005922s ago] (2,)
`,
    );
    expect(r.skipped).toEqual([]);
    expect(r.statements.map((e) => e.params)).toEqual([[], ['1'], ['2']]);
    expect(r.statements[1]!.sql).toBe('SELECT b.id AS b_id, b.a_id AS b_a_id, b.data AS b_data\nFROM b\nWHERE ? = b.a_id');
    expect(r.statements[1]!.line).toBe(4);
    expect(r.statements[0]!.time).toBeNull();
  });

  it('1.4 executemany cut short: "displaying 10 of 4999"', () => {
    const r = run(
      sqlalchemy,
      `2020-06-27 19:08:18,166 INFO sqlalchemy.engine.Engine INSERT INTO a (data) VALUES (%(data)s) RETURNING a.id
2020-06-27 19:08:18,166 INFO sqlalchemy.engine.Engine [generated in 0.00698s] ({'data': 'data 1'}, {'data': 'data 2'}, {'data': 'data 3'}, {'data': 'data 4'}, {'data': 'data 5'}, {'data': 'data 6'}, {'data': 'data 7'}, {'data': 'data 8'}  ... displaying 10 of 4999 total bound parameter sets ...  {'data': 'data 4998'}, {'data': 'data 4999'})
2020-06-27 19:08:18,254 INFO sqlalchemy.engine.Engine COMMIT
`,
    );
    expect(r.statements.length).toBe(1);
    expect(r.statements[0]!.params).toEqual({ data: 'data 1' });
    expect(r.statements[0]!.time).toBe(Date.UTC(2020, 5, 27, 19, 8, 18, 166));
    expect(r.count('commit')).toBe(1);
    expect(r.describe.executemanySets).toBe(4999);
  });

  it('echo="debug" without any prefix: params dict, Col and Row lines', () => {
    const r = run(
      sqlalchemy,
      `UPDATE users SET age_int=(users.age_int - %(age_int_1)s) WHERE users.age_int > %(age_int_2)s RETURNING users.id
[generated in 0.00060s] {'age_int_1': 10, 'age_int_2': 29}
Col ('id',)
Row (2,)
Row (4,)
`,
    );
    expect(r.statements.length).toBe(1);
    expect(r.statements[0]!.params).toEqual({ age_int_1: '10', age_int_2: '29' });
    expect(r.statements[0]!.rows).toBe(2);
    expect(r.statements[0]!.resultValues).toEqual(['2', '4']);
  });

  it('2.0 insertmanyvalues: each batch is its own statement', () => {
    const r = run(
      sqlalchemy,
      `2023-03-01 10:00:00,001 INFO sqlalchemy.engine.Engine BEGIN (implicit)
2023-03-01 10:00:00,002 INFO sqlalchemy.engine.Engine INSERT INTO a (data, x, y) VALUES (?, ?, ?), ... 795 characters truncated ...  (?, ?, ?), (?, ?, ?) RETURNING id
2023-03-01 10:00:00,002 INFO sqlalchemy.engine.Engine [generated in 0.00177s (insertmanyvalues) 1/2 (unordered)] ('d0', 0, 0, 'd1', 1, 1, 'd2', 2, 2)
2023-03-01 10:00:00,003 INFO sqlalchemy.engine.Engine INSERT INTO a (data, x, y) VALUES (?, ?, ?), ... 795 characters truncated ...  (?, ?, ?), (?, ?, ?) RETURNING id
2023-03-01 10:00:00,003 INFO sqlalchemy.engine.Engine [insertmanyvalues 2/2 (unordered)] ('d3', 3, 3, 'd4', 4, 4)
2023-03-01 10:00:00,004 INFO sqlalchemy.engine.Engine COMMIT
`,
    );
    expect(r.skipped).toEqual([]);
    expect(r.statements.length).toBe(2);
    expect(r.statements[1]!.params).toEqual(['d3', '3', '3', 'd4', '4', '4']);
    expect(r.count('begin')).toBe(1);
  });

  it('CRLF line ends, ANSI colors and ←[ for ESC', () => {
    const r = run(
      sqlalchemy,
      '\x1b[32m2024-05-01 12:00:00,000 INFO sqlalchemy.engine.Engine\x1b[0m SELECT users.id \r\nFROM users \r\nWHERE users.id = %(pk_1)s\r\n' +
        '←[32m2024-05-01 12:00:00,001 INFO sqlalchemy.engine.Engine←[0m [cached since 12.5s ago] {\'pk_1\': 7}\r\n',
    );
    expect(r.skipped).toEqual([]);
    expect(r.statements.length).toBe(1);
    expect(r.statements[0]!.sql).toBe('SELECT users.id \nFROM users \nWHERE users.id = %(pk_1)s');
    expect(r.statements[0]!.params).toEqual({ pk_1: '7' });
  });

  it('lost prefix and a doubled handler: each message twice', () => {
    const r = run(
      sqlalchemy,
      `BEGIN (implicit)
BEGIN (implicit)
SELECT users.id FROM users WHERE users.name = %(name_1)s
SELECT users.id FROM users WHERE users.name = %(name_1)s
[generated in 0.00012s] {'name_1': 'ed'}
[generated in 0.00012s] {'name_1': 'ed'}
COMMIT
COMMIT
`,
    );
    expect(r.statements.length).toBe(1);
    expect(r.statements[0]!.sql).toBe('SELECT users.id FROM users WHERE users.name = %(name_1)s');
    expect(r.count('begin')).toBe(1);
    expect(r.count('commit')).toBe(1);
  });

  it('hide_parameters, [raw sql], logging_token, pytest caplog, basicConfig prefixes', () => {
    const r = run(
      sqlalchemy,
      `INFO:sqlalchemy.engine.Engine:[job-7] SELECT 1
INFO:sqlalchemy.engine.Engine:[job-7] [raw sql] {}
INFO     sqlalchemy.engine.Engine:base.py:1846 SELECT x FROM t WHERE y = %(y)s
INFO     sqlalchemy.engine.Engine:base.py:1850 [SQL parameters hidden due to hide_parameters=True]
2024-01-01 10:00:00,000 INFO sqlalchemy.engine.Engine ROLLBACK
2024-01-01 10:00:00,000 INFO myapp.views rendering 3 users
`,
    );
    expect(r.statements.map((e) => e.sql)).toEqual(['SELECT 1', 'SELECT x FROM t WHERE y = %(y)s']);
    expect(r.statements[0]!.session).toBe('job-7');
    expect(r.statements[0]!.params).toEqual({});
    expect(r.statements[1]!.params).toBeNull();
    expect(r.count('rollback')).toBe(1);
    expect(r.skipped.map((s) => s[0])).toEqual([6]);
  });

  it('Python reprs: None, booleans, escapes, Decimal, datetime, bytes', () => {
    const r = run(
      sqlalchemy,
      `INSERT INTO t (a, b, c, d, e, f, g) VALUES (%(a)s, %(b)s, %(c)s, %(d)s, %(e)s, %(f)s, %(g)s)
[generated in 0.0001s] {'a': None, 'b': True, 'c': 'it\\'s "x"\\n', 'd': Decimal('1.50'), 'e': datetime.datetime(2024, 1, 2, 3, 4, 5, 600), 'f': b'ab', 'g': [1, 2]}
`,
    );
    expect(r.statements[0]!.params).toEqual({ a: null, b: 'true', c: 'it\'s "x"\n', d: '1.50', e: '2024-01-02 03:04:05.000600', f: 'ab', g: '{1,2}' });
  });
});

describe('sqlalchemy: several threads writing one log', () => {
  it('threads.log (real, 8 threads, %(threadName)s in the format): every statement paired with its own thread\'s params', () => {
    const text = read('threads.log');
    const t = truth('threads');
    const r = run(sqlalchemy, text);
    expect(r.skipped).toEqual([]);
    expect(r.statements.length).toBe(t.statements); // 374; one stream for all threads read 366, 16 of them without params
    expect(r.statements.every((e) => e.params !== null)).toBe(true);
    expect(r.count('begin')).toBe(t.begin);
    expect(r.count('commit')).toBe(t.commit);
    const perThread: Record<string, number> = {};
    for (const e of r.statements) perThread[e.session!] = (perThread[e.session!] ?? 0) + 1;
    expect(perThread).toEqual(t.per_thread);
    // each thread's lazy loads get that thread's keys, in order: 1..5 per round
    const lines = text.split('\n');
    for (const name of Object.keys(t.per_thread).filter((n) => n !== 'MainThread')) {
      const loads = r.statements.filter((e) => e.session === name && e.sql!.startsWith('SELECT books.id AS books_id'));
      expect(loads.map((e) => (e.params as Record<string, string>).param_1)).toEqual(['1', '2', '3', '4', '5', '1', '2', '3', '4', '5', '1', '2', '3', '4', '5']);
      expect(loads.every((e) => lines[e.line - 1]!.includes(` ${name} INFO `))).toBe(true);
    }
  });

  it('thread names or ids in other layouts: [name:id] before the logger, a bare %(thread)d, a name after the logger', () => {
    const layouts = [
      (th: string, msg: string) => `2026-12-02 10:00:00,001 INFO [${th}:1402345678901${th.length}] sqlalchemy.engine.Engine: ${msg}`,
      (th: string, msg: string) => `2026-12-02 10:00:00.001 - ${th === 'Thread-1 (work)' ? '140234567890123' : '140234567890999'} - 3021 - INFO - sqlalchemy.engine.Engine - ${msg}`,
      (th: string, msg: string) => `2026-12-02 10:00:00,001 INFO sqlalchemy.engine.Engine [${th}] ${msg}`,
    ];
    for (const f of layouts) {
      const a = 'Thread-1 (work)';
      const b = 'Thread-2 (work)';
      const log = [
        f(a, 'SELECT books.id FROM books WHERE books.author_id = %(a)s'),
        f(b, 'SELECT authors.id FROM authors WHERE authors.id = %(id)s'),
        f(b, "[generated in 0.00010s] {'id': 7}"),
        f(a, "[generated in 0.00011s] {'a': 1}"),
        f(a, 'UPDATE books SET title=%(title)s WHERE books.id = %(id)s'),
        f(b, 'COMMIT'),
        f(a, "[generated in 0.00009s] {'title': 'x', 'id': 3}"),
      ].join('\n');
      const r = run(sqlalchemy, log);
      expect(r.skipped, log).toEqual([]);
      expect(r.statements.map((e) => [e.sql!.split(' ')[0], e.params, e.line])).toEqual([
        ['SELECT', { id: '7' }, 2],
        ['SELECT', { a: '1' }, 1],
        ['UPDATE', { title: 'x', id: '3' }, 5],
      ]);
      expect(new Set(r.statements.map((e) => e.session)).size).toBe(2);
      expect(r.count('commit')).toBe(1);
    }
  });
});
