/** TypeORM format: real captures (scripts/orm/make-orm-logs-node.sh) and the messy forms users paste. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import typeorm from '../../src/formats/typeorm.js';
import { PG_SERVER_LINE, firstLines, runFile, runFormat } from './orm-js-harness.js';

const dir = 'tests/fixtures/orm/typeorm';
const truth = (name: string) => JSON.parse(readFileSync(`${dir}/${name}.truth.json`, 'utf8'));
const notError = (k: string) => k !== 'error';

describe('typeorm fixtures (real TypeORM 0.3 output)', () => {
  for (const name of ['console', 'file']) {
    it(`${name}: one event per statement the beforeQuery subscriber counted`, () => {
      const r = runFile(typeorm, `${dir}/${name}.log`);
      const t = truth(name);
      expect(r.skipped).toEqual([]);
      expect(r.events.filter((e) => notError(e.kind)).length).toBe(t.statements);
      expect(r.events.filter((e) => e.kind === 'begin').length).toBe(t.transactions.begins);
      expect(r.events.filter((e) => e.kind === 'commit').length).toBe(t.transactions.commits);
      expect(r.events.filter((e) => e.kind === 'rollback').length).toBe(t.transactions.rollbacks);
      const errors = r.events.filter((e) => e.kind === 'error');
      expect(errors.length).toBe(t.failedStatements);
      expect(errors[0]!.sql).toBe('error: relation "missing_table" does not exist');
      const slow = r.statements.filter((e) => e.durationMs !== null);
      expect(slow.length).toBe(t.slowStatements);
      expect(slow[0]!.sql).toBe('SELECT pg_sleep(0.06)');
      expect(slow[0]!.durationMs).toBeGreaterThanOrEqual(40);
      expect(typeorm.sniff(firstLines(`${dir}/${name}.log`))).toBeGreaterThan(0.9);
    });
  }

  it('binds -- PARAMETERS JSON to the statement', () => {
    const r = runFile(typeorm, `${dir}/console.log`);
    const loop = r.statements.filter((e) => e.sql!.includes('"Book__Book_author"."id" = $1'));
    expect(loop.length).toBe(5);
    expect(loop.map((e) => e.params)).toEqual([['1'], ['2'], ['3'], ['4'], ['5']]);
    expect(loop[0]!.sql!.endsWith('-- PARAMETERS: [1]')).toBe(false);
  });

  it('file logger: times from the [ISO] prefix, CRLF removed', () => {
    const r = runFile(typeorm, `${dir}/file.log`);
    expect(r.events.every((e) => typeof e.time === 'number' && e.time > Date.UTC(2020, 0, 1))).toBe(true);
    expect(r.events.some((e) => e.sql!.includes('\r'))).toBe(false);
  });
});

describe('typeorm messy input', () => {
  it('ANSI colours from the advanced console logger, ← for ESC, a lost prefix', () => {
    const text = [
      '\u001b[90m\u001b[4mquery:\u001b[24m\u001b[39m \u001b[34mSELECT\u001b[39m * \u001b[34mFROM\u001b[39m "post" -- PARAMETERS: [4]',
      '←[90m←[4mquery:←[24m←[39m ←[34mSELECT←[39m 1',
      'uery: SELECT lost',
      '[Nest] 123  - 03/01/2024, 10:00:00 AM   query: SELECT "id" FROM "user"',
    ].join('\n');
    const r = runFormat(typeorm, text);
    expect(r.statements.map((e) => [e.sql, e.params])).toEqual([
      ['SELECT * FROM "post"', ['4']],
      ['SELECT 1', null],
      ['SELECT "id" FROM "user"', null],
    ]);
    expect(r.skipped.map((s) => s.line)).toEqual([3]);
  });

  it('query is slow / execution time attaches to the statement just logged', () => {
    const text = ['query: SELECT pg_sleep(1)', 'query is slow: SELECT pg_sleep(1)', 'execution time: 1003', 'query: COMMIT'].join('\r\n');
    const r = runFormat(typeorm, text);
    expect(r.events.map((e) => [e.kind, e.durationMs])).toEqual([
      ['statement', 1003],
      ['commit', null],
    ]);
  });

  it('a slow query is stamped at its end (logged time + execution time), like PostgreSQL stamps statements', () => {
    const text = ['[2024-05-02T10:00:00.000Z][QUERY]: SELECT pg_sleep(1)', '[2024-05-02T10:00:01.003Z][SLOW QUERY: 1003 ms]: SELECT pg_sleep(1)', ''].join('\r\n');
    const r = runFormat(typeorm, text);
    expect(r.statements.map((e) => [e.time, e.durationMs, e.line])).toEqual([[Date.UTC(2024, 4, 2, 10, 0, 1, 3), 1003, 1]]);
  });

  it('formatted-console logger: multi-line SQL with parameters on the last line', () => {
    const text = ['query: SELECT', '  "User"."id" AS "User_id"', 'FROM', '  "user" "User"', 'WHERE', '  "User"."id" = $1 -- PARAMETERS: [7]', 'query: START TRANSACTION'].join('\n');
    const r = runFormat(typeorm, text);
    expect(r.events.map((e) => e.kind)).toEqual(['statement', 'begin']);
    expect(r.statements[0]!.sql).toBe('SELECT\n  "User"."id" AS "User_id"\nFROM\n  "user" "User"\nWHERE\n  "User"."id" = $1');
    expect(r.statements[0]!.params).toEqual(['7']);
  });

  it('a parameter value containing the marker text', () => {
    const r = runFormat(typeorm, 'query: INSERT INTO "n"("t") VALUES ($1) -- PARAMETERS: ["a -- PARAMETERS: [1]"]');
    expect(r.statements[0]!.sql).toBe('INSERT INTO "n"("t") VALUES ($1)');
    expect(r.statements[0]!.params).toEqual(['a -- PARAMETERS: [1]']);
  });

  it('sniff: not for a PostgreSQL server log', () => {
    expect(typeorm.sniff([PG_SERVER_LINE, PG_SERVER_LINE])).toBeLessThan(0.5);
  });
});

describe('typeorm raw multi-line queries', () => {
  it('a template-literal query logged over several indented lines', () => {
    const text = ['query: ', '      SELECT a.id, count(b.id)', '      FROM author a JOIN book b ON b."authorId" = a.id', '      WHERE a.id = $1 GROUP BY a.id -- PARAMETERS: [3]', 'query: COMMIT'].join('\n');
    const r = runFormat(typeorm, text);
    expect(r.events.map((e) => e.kind)).toEqual(['statement', 'commit']);
    expect(r.statements[0]!.sql).toBe('SELECT a.id, count(b.id)\n      FROM author a JOIN book b ON b."authorId" = a.id\n      WHERE a.id = $1 GROUP BY a.id');
    expect(r.statements[0]!.params).toEqual(['3']);
  });
});
