/** Hibernate format: fixtures built from Hibernate's logging format strings, and the messy forms users paste. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import hibernate from '../../src/formats/hibernate.js';
import { PG_SERVER_LINE, firstLines, runFile, runFormat } from './orm-js-harness.js';

const dir = 'tests/fixtures/orm/hibernate';
const truth = (name: string) => JSON.parse(readFileSync(`${dir}/${name}.truth.json`, 'utf8'));

describe('hibernate: JDBC batch rows', () => {
  const pre = (ms: number, thread: string, logger: string) =>
    `2024-05-02T10:15:30.${String(ms).padStart(3, '0')}+00:00 ${logger === 'org.hibernate.SQL' ? 'DEBUG' : 'TRACE'} 41872 --- [bookshop] [${thread}] ${logger.padEnd(40)} : `;
  const sql = (ms: number, thread: string, text: string) => pre(ms, thread, 'org.hibernate.SQL') + text;
  const bind = (ms: number, thread: string, n: number, v: string) => pre(ms, thread, 'org.hibernate.orm.jdbc.bind') + `binding parameter (${n}:VARCHAR) <- [${v}]`;

  it('parameter 1 again after every ? is bound is the next row of the batch', () => {
    const log = [sql(1, 't1', 'insert into review (body,stars) values (?,?)'), bind(2, 't1', 1, 'a'), bind(3, 't1', 2, '5'), bind(4, 't1', 1, 'b'), bind(5, 't1', 2, '4')];
    expect(runFormat(hibernate, log.join('\n')).statements.map((e) => e.params)).toEqual([['a', '5'], ['b', '4']]);
  });

  it('parameter 1 again before the row is complete (two streams mixed) makes up no statement', () => {
    const log = [sql(1, 't1', 'insert into review (body,stars) values (?,?)'), bind(2, 't1', 1, 'a'), bind(3, 't1', 1, 'a'), bind(4, 't1', 2, '5')];
    expect(runFormat(hibernate, log.join('\n')).statements).toHaveLength(1);
  });
});

describe('hibernate fixtures (from SqlStatementLogger / binder format strings)', () => {
  it('Hibernate 6 under Spring Boot: threads as sessions, binds, transactions, slow log', () => {
    const f = `${dir}/spring-boot-h6.log`;
    const r = runFile(hibernate, f);
    const t = truth('spring-boot-h6');
    expect(r.statements.length).toBe(t.statements);
    expect(r.skipped.length).toBe(t.otherLines);
    const bySession: Record<string, number> = {};
    for (const e of r.statements) bySession[e.session] = (bySession[e.session] ?? 0) + 1;
    expect(bySession).toEqual(t.sessions);
    expect(r.events.filter((e) => e.kind === 'begin').length).toBe(t.transactions.begins);
    expect(r.events.filter((e) => e.kind === 'commit').length).toBe(t.transactions.commits);
    const loop = r.statements.filter((e) => e.sql === 'select b1_0.author_id,b1_0.id,b1_0.title,b1_0.year from book b1_0 where b1_0.author_id=?');
    expect(loop.map((e) => e.params)).toEqual([['1'], ['2'], ['3'], ['4'], ['5']]);
    expect(loop[0]!.time).toBe(Date.parse('2024-05-02T10:15:30.003Z'));
    const upd = r.statements.filter((e) => e.sql!.startsWith('update book set author_id=?'));
    expect(upd.length).toBe(15);
    expect(upd[6]!.params).toEqual(['3', 'Book 7', '1989', '7']);
    const slow = r.statements.filter((e) => e.durationMs !== null);
    expect(slow.map((e) => [e.sql, e.durationMs, e.params])).toEqual([['select count(r1_0.id) from review r1_0 where r1_0.book_id=?', 212, ['15']]]);
    expect(r.events.filter((e) => e.kind === 'other').length).toBe(t.inMemoryPaging);
    expect(r.statements[r.statements.length - 1]!.params).toEqual([null]);
    expect(hibernate.sniff(firstLines(f))).toBeGreaterThan(0.9);
  });

  it('Hibernate 5 show_sql + format_sql with BasicBinder lines and a JDBC batch', () => {
    const f = `${dir}/show-sql-h5.log`;
    const r = runFile(hibernate, f);
    const t = truth('show-sql-h5');
    expect(r.skipped).toEqual([]);
    expect(r.statements.length).toBe(t.statements);
    const inserts = r.statements.filter((e) => e.sql!.startsWith('insert'));
    expect(inserts.length).toBe(t.batchedInsertExecutions);
    expect(inserts[9]!.params).toEqual(['loop review 9', '10', '5', '109']);
    expect(inserts[0]!.sql).toBe('insert \n    into\n        review\n        (body, book_id, stars, id) \n    values\n        (?, ?, ?, ?)');
    const loop = r.statements.filter((e) => e.sql!.includes('books0_.author_id=?'));
    expect(loop.map((e) => e.params)).toEqual([['1'], ['2'], ['3'], ['4'], ['5']]);
    // show_sql statements learn the thread from their bind lines
    expect(loop[0]!.session).toBe('main');
    expect(hibernate.sniff(firstLines(f))).toBeGreaterThan(0.9);
  });
});

describe('hibernate messy input', () => {
  it('show_sql and org.hibernate.SQL both on: each statement once', () => {
    const text = [
      '2024-01-01 10:00:00.123 DEBUG 1234 --- [main] org.hibernate.SQL : select a1_0.id from author a1_0 where a1_0.id=?',
      'Hibernate: select a1_0.id from author a1_0 where a1_0.id=?',
      '2024-01-01 10:00:00.124 TRACE 1234 --- [main] org.hibernate.orm.jdbc.bind : binding parameter (1:BIGINT) <- [1]',
      '2024-01-01 10:00:00.125 DEBUG 1234 --- [main] org.hibernate.SQL : select a1_0.id from author a1_0 where a1_0.id=?',
      'Hibernate: select a1_0.id from author a1_0 where a1_0.id=?',
      '2024-01-01 10:00:00.126 TRACE 1234 --- [main] org.hibernate.orm.jdbc.bind : binding parameter (1:BIGINT) <- [2]',
    ].join('\n');
    const r = runFormat(hibernate, text);
    expect(r.statements.map((e) => [e.session, e.params, e.line])).toEqual([
      ['main', ['1'], 1],
      ['main', ['2'], 4],
    ]);
    expect(r.statements[0]!.time).toBe(Date.UTC(2024, 0, 1, 10, 0, 0, 123));
  });

  it('logback, JBoss and Quarkus prefixes; the [1:BIGINT] bind variant; highlight_sql; CRLF', () => {
    const text = [
      '10:00:00.123 [http-nio-8080-exec-1] DEBUG org.hibernate.SQL - select b1_0.id from book b1_0 where b1_0.author_id=?',
      '10:00:00.124 [http-nio-8080-exec-1] TRACE org.hibernate.orm.jdbc.bind - binding parameter [1:BIGINT] <- [7]',
      '10:00:00,125 DEBUG [org.hibernate.SQL] (default task-1) select r1_0.id from review r1_0',
      '2024-01-01 10:00:00,126 DEBUG [org.hib.SQL] (executor-thread-1) select 1',
      '\u001b[35m[Hibernate]\u001b[0m select 2',
    ].join('\r\n');
    const r = runFormat(hibernate, text);
    expect(r.statements.map((e) => [e.session, e.sql, e.params])).toEqual([
      ['http-nio-8080-exec-1', 'select b1_0.id from book b1_0 where b1_0.author_id=?', ['7']],
      ['default task-1', 'select r1_0.id from review r1_0', null],
      ['executor-thread-1', 'select 1', null],
      ['test.log', 'select 2', null],
    ]);
    expect(r.skipped).toEqual([]);
  });

  it('Spring Boot 3.2+ correlation group: the trace id when present, else the thread', () => {
    const text = [
      '2024-05-02T10:00:00.100Z DEBUG 1 --- [bookshop] [nio-8080-exec-1] [66d1e7c0a3b2f1d4e5f6a7b8c9d0e1f2-a1b2c3d4e5f6a7b8] org.hibernate.SQL : select 1',
      '2024-05-02T10:00:00.101Z DEBUG 1 --- [bookshop] [nio-8080-exec-2] [                                                 ] org.hibernate.SQL : select 2',
    ].join('\n');
    expect(runFormat(hibernate, text).statements.map((e) => e.session)).toEqual(['66d1e7c0a3b2f1d4e5f6a7b8c9d0e1f2-a1b2c3d4e5f6a7b8', 'nio-8080-exec-2']);
  });

  it('format_sql under a logger prefix (the SQL starts on the next line)', () => {
    const text = [
      '2024-01-01 10:00:00.123 DEBUG 1 --- [main] org.hibernate.SQL                        : ',
      '    select',
      '        a1_0.id ',
      '    from',
      '        author a1_0',
      '2024-01-01 10:00:00.124  INFO 1 --- [main] c.e.App                                  : Started App',
    ].join('\n');
    const r = runFormat(hibernate, text);
    expect(r.statements.map((e) => e.sql)).toEqual(['select\n        a1_0.id \n    from\n        author a1_0']);
    expect(r.skipped.map((s) => s.line)).toEqual([6]);
  });

  it('only the slow-query log: 5.4 and 6.x forms become statements with durations', () => {
    const text = [
      "2024-01-01 10:00:00.123  INFO 1 --- [main] org.hibernate.SQL_SLOW : SlowQuery: 130 milliseconds. SQL: 'HikariProxyPreparedStatement@1859255735 wrapping select * from book where id=1'",
      '2024-01-01 10:00:01.123  INFO 1 --- [main] org.hibernate.SQL_SLOW : Slow query took 250 milliseconds [select * from review]',
    ].join('\n');
    const r = runFormat(hibernate, text);
    expect(r.statements.map((e) => [e.sql, e.durationMs, e.session])).toEqual([
      ['select * from book where id=1', 130, 'main'],
      ['select * from review', 250, 'main'],
    ]);
  });

  it('sniff: a Spring Boot start-up whose first statement comes later', () => {
    const startup = [
      '2024-05-02T10:15:28.001+02:00  INFO 41872 --- [bookshop] [           main] c.e.bookshop.BookshopApplication         : Starting BookshopApplication using Java 21',
      '2024-05-02T10:15:28.900+02:00  INFO 41872 --- [bookshop] [           main] o.hibernate.jpa.internal.util.LogHelper  : HHH000204: Processing PersistenceUnitInfo [name: default]',
      '2024-05-02T10:15:28.950+02:00  INFO 41872 --- [bookshop] [           main] org.hibernate.Version                    : HHH000412: Hibernate ORM core version 6.4.4.Final',
      '2024-05-02T10:15:29.100+02:00  INFO 41872 --- [bookshop] [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port 8080 (http)',
    ];
    expect(hibernate.sniff(startup)).toBeGreaterThan(0.5);
  });

  it('sniff: not for a PostgreSQL server log', () => {
    expect(hibernate.sniff([PG_SERVER_LINE, PG_SERVER_LINE])).toBeLessThan(0.5);
  });
});

describe('hibernate result values', () => {
  it('6.x extract and 5.x BasicExtractor lines become result values and a row count', () => {
    const text = [
      '10:00:00.100 [main] DEBUG org.hibernate.SQL - select a1_0.id,a1_0.name from author a1_0',
      '10:00:00.101 [main] TRACE org.hibernate.orm.jdbc.extract - extracted value (1:BIGINT) -> [1]',
      '10:00:00.101 [main] TRACE org.hibernate.orm.jdbc.extract - extracted value (2:VARCHAR) -> [Le Guin]',
      '10:00:00.101 [main] TRACE org.hibernate.orm.jdbc.extract - extracted value (1:BIGINT) -> [2]',
      '10:00:00.101 [main] TRACE org.hibernate.orm.jdbc.extract - extracted value (2:VARCHAR) -> [null]',
      'Hibernate: select books0_.id as id1_1_ from book books0_ where books0_.author_id=?',
      '10:00:00.102 [main] TRACE o.h.type.descriptor.sql.BasicBinder - binding parameter [1] as [BIGINT] - [1]',
      '10:00:00.103 [main] TRACE o.h.type.descriptor.sql.BasicExtractor - extracted value ([id1_1_] : [BIGINT]) - [7]',
      '10:00:00.103 [main] TRACE o.h.type.descriptor.sql.BasicExtractor - extracted value ([id1_1_] : [BIGINT]) - [8]',
    ].join('\n');
    const r = runFormat(hibernate, text);
    expect(r.skipped).toEqual([]);
    expect(r.statements.map((e) => [e.rows, e.resultValues, e.params])).toEqual([
      [2, ['1', 'Le Guin', '2'], null],
      [2, ['7', '8'], ['1']],
    ]);
  });
});
