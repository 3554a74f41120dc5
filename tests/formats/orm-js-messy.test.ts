/** Messy ORM logs across formats: doubled handlers, debug-module output, custom logging functions. */
import { describe, expect, it } from 'vitest';
import gorm from '../../src/formats/gorm.js';
import hibernate from '../../src/formats/hibernate.js';
import { inspectParams } from '../../src/formats/orm/params.js';
import prisma from '../../src/formats/prisma.js';
import sequelize from '../../src/formats/sequelize.js';
import typeorm from '../../src/formats/typeorm.js';
import type { LogFormat } from '../../src/formats/types.js';
import { runFormat } from './orm-js-harness.js';

const twice = (lines: string[]) => lines.flatMap((l) => [l, l]).join('\n');

describe('doubled handlers', () => {
  it('logback additivity: every Hibernate line twice, binds included', () => {
    const text = twice([
      '10:00:00.123 [main] DEBUG org.hibernate.SQL - select b1_0.id from book b1_0 where b1_0.author_id=?',
      '10:00:00.123 [main] TRACE org.hibernate.orm.jdbc.bind - binding parameter (1:BIGINT) <- [1]',
      '10:00:00.124 [main] DEBUG org.hibernate.SQL - select b1_0.id from book b1_0 where b1_0.author_id=?',
      '10:00:00.124 [main] TRACE org.hibernate.orm.jdbc.bind - binding parameter (1:BIGINT) <- [2]',
    ]);
    const p = hibernate.create({ file: 'f', options: { prefix: null, logTimezone: null }, emit: () => {}, skip: () => {} });
    const r = runFormat(hibernate, text);
    expect(r.statements.map((e) => e.params)).toEqual([['1'], ['2']]);
    text.split('\n').forEach((l, i) => p.push(l, i + 1));
    p.end();
    expect(p.describe!()).toMatchObject({ doubledLines: 4 });
  });

  it('TypeORM file logger and Prisma events written twice', () => {
    const t = runFormat(typeorm, twice(['[2024-05-02T10:00:00.001Z][QUERY]: SELECT 1', '[2024-05-02T10:00:00.002Z][QUERY]: SELECT 1']));
    expect(t.statements.length).toBe(2);
    const p = runFormat(prisma, twice(['{"timestamp":"2024-05-02T10:00:00.001Z","query":"SELECT 1","params":"[]","duration":0,"target":"quaint::connector::metrics"}']));
    expect(p.statements.length).toBe(1);
  });

  it('repeated lines without a fine timestamp are real repeats and stay', () => {
    expect(runFormat(sequelize, twice(['Executing (default): SELECT 1;'])).statements.length).toBe(2);
    expect(runFormat(typeorm, twice(['query: SELECT 1'])).statements.length).toBe(2);
    expect(runFormat(prisma, twice(['prisma:query SELECT 1'])).statements.length).toBe(2);
  });
});

describe('other ways the ORM output reaches a log', () => {
  it("Sequelize benchmark with a custom logging(msg, ms) function", () => {
    const r = runFormat(sequelize, ['Executed (default): SELECT 1; 12', 'Executed (default): UPDATE "T" SET "a"=$1 WHERE "id" = $2; 5, 7 3'].join('\n'));
    expect(r.statements.map((e) => [e.sql, e.params, e.durationMs])).toEqual([
      ['SELECT 1;', null, 12],
      ['UPDATE "T" SET "a"=$1 WHERE "id" = $2;', ['5', '7'], 3],
    ]);
  });

  it("TypeORM logger: 'debug' through the debug module", () => {
    const text = [
      '  typeorm:query:log query: SELECT "u"."id" FROM "user" "u" WHERE "u"."id" = $1 +0ms',
      "  typeorm:query:log parameters: [ 42 ] +1ms",
      '2024-05-02T10:00:00.003Z typeorm:query:log query: INSERT INTO "n"("t", "d") VALUES ($1, $2)',
      "2024-05-02T10:00:00.003Z typeorm:query:log parameters: [ 'it\\'s', null ]",
    ].join('\n');
    const r = runFormat(typeorm, text);
    expect(r.statements.map((e) => [e.sql, e.params, e.time])).toEqual([
      ['SELECT "u"."id" FROM "user" "u" WHERE "u"."id" = $1', ['42'], null],
      ['INSERT INTO "n"("t", "d") VALUES ($1, $2)', ["it's", null], Date.UTC(2024, 4, 2, 10, 0, 0, 3)],
    ]);
    expect(r.skipped).toEqual([]);
  });

  it('inspectParams reads util.inspect arrays of primitives only', () => {
    expect(inspectParams(`[ 1, 'a, b', "x'y", null, undefined, true, 2024-01-01T00:00:00.000Z ]`)).toEqual(['1', 'a, b', "x'y", null, null, 'true', '2024-01-01T00:00:00.000Z']);
    expect(inspectParams('[]')).toEqual([]);
    expect(inspectParams('[ { a: 1 } ]')).toBeNull();
    expect(inspectParams('nope')).toBeNull();
  });
});

describe('--log-timezone for zone-less ORM timestamps', () => {
  it('GORM local time and Spring Boot 2 stamps follow the given zone; stamps with an offset keep it', () => {
    const run = (format: LogFormat, lines: string[], logTimezone: string | null) => {
      const events: { time: number | null }[] = [];
      const p = format.create({ file: 'f', options: { prefix: null, logTimezone }, emit: (e) => events.push(e), skip: () => {} });
      lines.forEach((l, i) => p.push(l, i + 1));
      p.end();
      return events.map((e) => e.time);
    };
    const g = ['2024/07/01 10:00:00 /app/db.go:9', '[1.000ms] [rows:1] SELECT 1'];
    expect(run(gorm, g, null)).toEqual([Date.UTC(2024, 6, 1, 10)]);
    expect(run(gorm, g, 'Europe/Berlin')).toEqual([Date.UTC(2024, 6, 1, 8)]);
    expect(run(gorm, ['2024/01/15 10:00:00 /app/db.go:9', '[1.000ms] [rows:1] SELECT 1'], 'Europe/Berlin')).toEqual([Date.UTC(2024, 0, 15, 9)]);
    const h = ['2024-07-01 10:00:00.123 DEBUG 1 --- [main] org.hibernate.SQL : select 1', '2024-07-01T10:00:00.124+02:00 DEBUG 1 --- [main] org.hibernate.SQL : select 2'];
    expect(run(hibernate, h, 'America/New_York')).toEqual([Date.UTC(2024, 6, 1, 14, 0, 0, 123), Date.UTC(2024, 6, 1, 8, 0, 0, 124)]);
  });
});

describe('structured (JSON) logs and container prefixes', () => {
  it('pino/winston records carrying Sequelize, TypeORM and Prisma text', () => {
    const seq = runFormat(sequelize, '{"level":20,"time":1714644930000,"pid":1,"msg":"Executing (default): SELECT \\"id\\" FROM \\"Authors\\" AS \\"Author\\" WHERE \\"Author\\".\\"id\\" = 1;"}');
    expect(seq.statements.map((e) => [e.sql, e.time])).toEqual([['SELECT "id" FROM "Authors" AS "Author" WHERE "Author"."id" = 1;', 1714644930000]]);
    expect(sequelize.sniff(['{"level":20,"time":1714644930000,"msg":"Executing (default): SELECT 1"}'])).toBeGreaterThan(0.5);
    const to = runFormat(typeorm, '{"level":"info","message":"query: SELECT 1 WHERE a = $1 -- PARAMETERS: [2]","timestamp":"2024-05-02T10:00:00.000Z"}');
    expect(to.statements.map((e) => [e.sql, e.params, e.time])).toEqual([['SELECT 1 WHERE a = $1', ['2'], Date.UTC(2024, 4, 2, 10)]]);
    expect(typeorm.sniff(['{"level":"info","message":"query: SELECT 1"}'])).toBeGreaterThan(0.5);
    const pr = runFormat(prisma, '{"level":30,"time":1714644930000,"msg":"prisma:query SELECT 1"}');
    expect(pr.statements.map((e) => e.sql)).toEqual(['SELECT 1']);
  });

  it('logstash-logback-encoder records from Spring Boot: logger, thread and time from the fields', () => {
    const text = [
      '{"@timestamp":"2024-05-02T10:00:00.100+02:00","@version":"1","message":"select b1_0.id from book b1_0 where b1_0.author_id=?","logger_name":"org.hibernate.SQL","thread_name":"http-nio-8080-exec-3","level":"DEBUG","level_value":10000}',
      '{"@timestamp":"2024-05-02T10:00:00.101+02:00","@version":"1","message":"binding parameter (1:BIGINT) <- [5]","logger_name":"org.hibernate.orm.jdbc.bind","thread_name":"http-nio-8080-exec-3","level":"TRACE","level_value":5000}',
    ].join('\n');
    const r = runFormat(hibernate, text);
    expect(r.statements.map((e) => [e.session, e.params, e.time])).toEqual([['http-nio-8080-exec-3', ['5'], Date.UTC(2024, 4, 2, 8, 0, 0, 100)]]);
    expect(hibernate.sniff(text.split('\n'))).toBeGreaterThan(0.9);
  });

  it('docker compose service prefixes', () => {
    expect(runFormat(sequelize, 'api_1  | Executing (default): SELECT 1;').statements.length).toBe(1);
    const g = runFormat(gorm, ['app-1  | 2021/05/14 11:36:28 /app/db.go:98', 'app-1  | [0.773ms] [rows:1] SELECT 1'].join('\n'));
    expect(g.statements.map((e) => [e.callSite, e.rows])).toEqual([['/app/db.go:98', 1]]);
    // an indented SQL line with a bitwise OR is not a prefix
    const h = runFormat(hibernate, ['Hibernate: ', '    select', '        b1_0.flags | 4 ', '    from', '        book b1_0'].join('\n'));
    expect(h.statements[0]!.sql).toBe('select\n        b1_0.flags | 4 \n    from\n        book b1_0');
  });
});

describe('unindented multi-line SQL and the ORMs\' other log lines', () => {
  it('lines starting with a SQL keyword continue the statement; application lines do not', () => {
    const s = runFormat(sequelize, ['Executing (default): SELECT *', 'FROM "Authors"', 'WHERE "id" = 1;', 'Server started on port 3000'].join('\n'));
    expect(s.statements.map((e) => e.sql)).toEqual(['SELECT *\nFROM "Authors"\nWHERE "id" = 1;']);
    expect(s.skipped.map((x) => x.line)).toEqual([4]);
    const p = runFormat(prisma, ['prisma:query SELECT *', 'FROM "User"', 'prisma:info Starting a postgresql pool with 9 connections.', 'prisma:error Invalid `prisma.user.findMany()` invocation'].join('\n'));
    expect(p.events.map((e) => [e.kind, e.sql])).toEqual([
      ['statement', 'SELECT *\nFROM "User"'],
      ['error', 'Invalid `prisma.user.findMany()` invocation'],
    ]);
    expect(p.skipped).toEqual([]);
    const t = runFormat(typeorm, ['[2024-05-02T10:00:00.000Z][INFO]: All classes found using provided glob pattern', '[2024-05-02T10:00:00.001Z][QUERY]: SELECT 1'].join('\r\n'));
    expect(t.statements.length).toBe(1);
    expect(t.skipped).toEqual([]);
  });
});
