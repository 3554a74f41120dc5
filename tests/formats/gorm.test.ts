/** GORM format: fixtures built from GORM's logger format strings, and the messy forms users paste. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import gorm from '../../src/formats/gorm.js';
import { PG_SERVER_LINE, firstLines, runFile, runFormat } from './orm-js-harness.js';

const dir = 'tests/fixtures/orm/gorm';
const truth = (name: string) => JSON.parse(readFileSync(`${dir}/${name}.truth.json`, 'utf8'));

describe('gorm fixtures (from logger.go format strings)', () => {
  for (const name of ['debug', 'colorful']) {
    it(`${name}: statements, rows, durations, call sites, slow and error records`, () => {
      const r = runFile(gorm, `${dir}/${name}.log`);
      const t = truth(name);
      expect(r.skipped).toEqual([]);
      expect(r.statements.length).toBe(t.statements);
      expect(r.events.filter((e) => e.kind === 'error').map((e) => e.sql)).toEqual(['record not found']);
      expect(r.statements.every((e) => e.durationMs !== null && e.callSite !== null && e.time !== null)).toBe(true);
      expect(r.statements.filter((e) => e.rows === null).length).toBe(t.rowsUnknown);
      const loop = r.statements.filter((e) => e.sql!.startsWith('SELECT * FROM "books" WHERE author_id = '));
      expect(loop.length).toBe(5);
      expect(loop[0]!.callSite).toBe('/home/dev/bookshop/internal/repo/authors.go:48');
      expect(loop[0]!.rows).toBe(3);
      expect(loop[0]!.durationMs).toBeCloseTo(0.422, 6);
      expect(loop[0]!.sql).toBe('SELECT * FROM "books" WHERE author_id = 1 AND "books"."deleted_at" IS NULL');
      const slow = r.statements.find((e) => e.durationMs! > 200)!;
      expect(slow.sql).toContain('book_id = 7');
      // LstdFlags: whole seconds, no zone (read as UTC)
      expect(slow.time! % 1000).toBe(0);
      expect(slow.time).toBeGreaterThan(Date.UTC(2024, 4, 2, 10, 15, 30));
      expect(gorm.sniff(firstLines(`${dir}/${name}.log`))).toBeGreaterThan(0.9);
    });
  }
});

describe('gorm messy input', () => {
  it('the prior-art example, with a lost header and Windows ← escapes', () => {
    const text = [
      '2021/05/14 11:36:28 /home/ballqiu/go/gorm/mydb.go:98 SLOW SQL >= 1ms',
      '[2.996ms] [rows:1] INSERT INTO `User` (`name`,`age`) VALUES (\'ball\',0)',
      '[0.773ms] [rows:1] SELECT * FROM `User` WHERE ID = 52 ORDER BY `User`.`id` LIMIT 1',
      '←[32mD:/src/app/main.go:21',
      '←[0m←[33m[0.517ms] ←[34;1m[rows:-]←[0m SELECT 1',
    ].join('\r\n');
    const r = runFormat(gorm, text);
    expect(r.statements.map((e) => [e.sql!.slice(0, 13), e.durationMs, e.rows, e.callSite])).toEqual([
      ['INSERT INTO `', 2.996, 1, '/home/ballqiu/go/gorm/mydb.go:98'],
      ['SELECT * FROM', 0.773, 1, null],
      ['SELECT 1', 0.517, null, 'D:/src/app/main.go:21'],
    ]);
    expect(r.statements[0]!.time).toBe(Date.UTC(2021, 4, 14, 11, 36, 28));
    expect(r.skipped).toEqual([]);
  });

  it('raw SQL with newlines (a Go raw string) continues on indented lines', () => {
    const text = ['2024/05/02 10:00:00 /app/repo.go:42', '[1.234ms] [rows:3] SELECT a.id, count(b.id)', '\t\tFROM authors a JOIN books b ON b.author_id = a.id', '\t\tGROUP BY a.id', '', '2024/05/02 10:00:01 /app/repo.go:50', '[0.1ms] [rows:1] SELECT 1'].join('\n');
    const r = runFormat(gorm, text);
    expect(r.statements.map((e) => [e.sql, e.line])).toEqual([
      ['SELECT a.id, count(b.id)\n\t\tFROM authors a JOIN books b ON b.author_id = a.id\n\t\tGROUP BY a.id', 2],
      ['SELECT 1', 7],
    ]);
  });

  it('GORM v1 records', () => {
    const text = ['(/app/main.go:30) ', '[2020-03-05 11:14:31]  [1.01ms]  SELECT * FROM "users"  ', '[2 rows affected or returned ] '].join('\n');
    const r = runFormat(gorm, text);
    expect(r.statements.map((e) => [e.sql, e.durationMs, e.rows, e.callSite])).toEqual([['SELECT * FROM "users"', 1.01, 2, '/app/main.go:30']]);
  });

  it('application lines are skipped with a reason, not fatal', () => {
    const r = runFormat(gorm, '[GIN] 2024/05/02 - 10:15:30 | 200 | 1.2ms | GET "/books"');
    expect(r.events).toEqual([]);
    expect(r.skipped.length).toBe(1);
  });

  it('sniff: not for a PostgreSQL server log', () => {
    expect(gorm.sniff([PG_SERVER_LINE, PG_SERVER_LINE])).toBeLessThan(0.5);
  });
});
