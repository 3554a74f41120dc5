/** Prisma format: fixtures built from Prisma's log formats, and the messy forms users paste. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import prisma from '../../src/formats/prisma.js';
import { formats } from '../../src/formats/index.js';
import { PG_SERVER_LINE, firstLines, runFile, runFormat } from './orm-js-harness.js';

const dir = 'tests/fixtures/orm/prisma';
const truth = (name: string) => JSON.parse(readFileSync(`${dir}/${name}.truth.json`, 'utf8'));

describe('prisma fixtures (from Prisma log formats)', () => {
  for (const [file, name] of [
    ['stdout.log', 'stdout'],
    ['events.jsonl', 'events'],
    ['docs-handler.log', 'docs-handler'],
    ['prisma7-comments.jsonl', 'prisma7-comments'],
    ['events-inspect.log', 'events-inspect'],
  ] as const) {
    it(`${file}: statements and transactions`, () => {
      const r = runFile(prisma, `${dir}/${file}`);
      const t = truth(name);
      expect(r.skipped).toEqual([]);
      expect(r.statements.length).toBe(t.statements);
      expect(r.events.filter((e) => e.kind === 'begin').length).toBe(t.transactions.begins);
      expect(r.events.filter((e) => e.kind === 'commit').length).toBe(t.transactions.commits);
      const loop = r.statements.filter((e) => e.sql!.startsWith('SELECT COUNT(*) AS "_count._all"'));
      expect(loop.length).toBe(15);
      if (t.params) {
        expect(loop[6]!.params).toEqual(['7', '0']);
        if (typeof t.durations === 'number') expect(r.events.reduce((a, e) => a + (e.durationMs ?? 0), 0)).toBe(t.durations);
        expect(r.statements[r.statements.length - 1]!.params).toEqual([null, '1', '0']);
      } else {
        expect(loop[6]!.params).toBeNull();
      }
      expect(prisma.sniff(firstLines(`${dir}/${file}`))).toBeGreaterThan(0.9);
    });
  }

  it('events: timestamps from the event, Prisma 7 sqlcommenter tag becomes the call site', () => {
    const r = runFile(prisma, `${dir}/events.jsonl`);
    expect(r.events[0]!.time).toBe(Date.UTC(2024, 4, 2, 10, 15, 30, 2));
    const c = runFile(prisma, `${dir}/prisma7-comments.jsonl`);
    const loop = c.statements.filter((e) => e.sql!.includes('"public"."Book"."authorId" = $1'));
    expect(loop.map((e) => e.callSite)).toEqual(Array(5).fill('Book.findMany'));
    expect(loop[0]!.sql).toMatch(/\/\*prismaQuery='Book\.findMany:[A-Za-z0-9_-]+'\*\/$/);
  });
});

describe('prisma query events printed with console.log(e) (util.inspect)', () => {
  it('the multi-line objects read to the same statements as the JSON events, and sniff as Prisma, not TypeORM', () => {
    const a = runFile(prisma, `${dir}/events-inspect.log`);
    const b = runFile(prisma, `${dir}/events.jsonl`);
    expect(a.skipped).toEqual([]);
    expect(a.statements.length).toBe(53);
    expect(a.events.map((e) => [e.kind, e.sql, e.params, e.durationMs, e.line])).toEqual(b.events.map((e, i) => [e.kind, e.sql, e.params, e.durationMs, i * 7 + 1]));
    expect(a.events[0]!.time).toBe(Date.parse('2024-05-02T10:15:30.384Z'));
    const head = firstLines(`${dir}/events-inspect.log`);
    const ranked = formats.map((f) => [f.id, f.sniff(head)] as const).sort((x, y) => y[1] - x[1]);
    expect(ranked[0]![0]).toBe('prisma');
  });

  it('one-line objects, colors, quotes inspect chose for the SQL, and a printed object that is no query event', () => {
    const text = [
      "{ timestamp: 2026-01-05T10:00:00.000Z, query: 'SELECT 1', params: '[1]', duration: 0, target: 'quaint::connector::metrics' }",
      '{',
      '  timestamp: \u001b[35m2026-01-05T10:00:00.004Z\u001b[39m,',
      '  query: \u001b[32m`SELECT "a" FROM "t" WHERE "b" = \'it\'\'s\'\\n  AND "c" = $1`\u001b[39m,',
      "  params: \u001b[32m'[\"x\"]'\u001b[39m,",
      '  duration: \u001b[33m3\u001b[39m,',
      "  target: \u001b[32m'quaint::connector::metrics'\u001b[39m",
      '}',
      '{',
      "  user: 'someone',",
      '  id: 4',
      '}',
    ].join('\n');
    const r = runFormat(prisma, text);
    expect(r.statements.map((e) => [e.sql, e.params, e.durationMs, e.time, e.line])).toEqual([
      ['SELECT 1', ['1'], 0, Date.UTC(2026, 0, 5, 10, 0, 0, 0), 1],
      ['SELECT "a" FROM "t" WHERE "b" = \'it\'\'s\'\n  AND "c" = $1', ['x'], 3, Date.UTC(2026, 0, 5, 10, 0, 0, 4), 2],
    ]);
    expect(r.skipped.map((s) => s.line)).toEqual([9, 10, 11, 12]);
  });
});

describe('prisma messy input', () => {
  it('colored stdout, a prefix, pino JSON, the docs handler through debug()', () => {
    const text = [
      '\u001b[34mprisma:query\u001b[39m SELECT 1',
      'web_1  | prisma:query BEGIN',
      '{"level":20,"time":1714644930000,"msg":"prisma","query":"SELECT \\"id\\" FROM \\"User\\" WHERE \\"id\\" = $1","params":"[42]","duration":2,"target":"quaint::connector::metrics"}',
      '  prisma:events Query: SELECT 2 +0ms',
      '  prisma:events Params: [] +0ms',
      '  prisma:events Duration: 5ms +1ms',
      '🔍 Query: SELECT 3',
      'Params: ["a"]',
      'Duration: 1ms',
    ].join('\r\n');
    const r = runFormat(prisma, text);
    expect(r.events.map((e) => [e.kind, e.sql, e.params, e.durationMs])).toEqual([
      ['statement', 'SELECT 1', null, null],
      ['begin', 'BEGIN', null, null],
      ['statement', 'SELECT "id" FROM "User" WHERE "id" = $1', ['42'], 2],
      ['statement', 'SELECT 2', [], 5],
      ['statement', 'SELECT 3', ['a'], 1],
    ]);
  });

  it('sniff: not for a PostgreSQL server log', () => {
    expect(prisma.sniff([PG_SERVER_LINE, PG_SERVER_LINE])).toBeLessThan(0.5);
  });
});

describe('prisma raw queries', () => {
  it('a $queryRaw template literal printed over several lines', () => {
    const text = ['prisma:query ', '    SELECT "authorId", count(*) FROM "Book"', '    WHERE "year" > $1 GROUP BY "authorId"', 'prisma:query SELECT 1'].join('\n');
    const r = runFormat(prisma, text);
    expect(r.statements.map((e) => e.sql)).toEqual(['SELECT "authorId", count(*) FROM "Book"\n    WHERE "year" > $1 GROUP BY "authorId"', 'SELECT 1']);
  });
});
