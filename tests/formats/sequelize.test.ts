/** Sequelize format: real captures (scripts/orm/make-orm-logs-node.sh) and the messy forms users paste. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import sequelize from '../../src/formats/sequelize.js';
import { PG_SERVER_LINE, firstLines, runFile, runFormat } from './orm-js-harness.js';

const dir = 'tests/fixtures/orm/sequelize';
const truth = (name: string) => JSON.parse(readFileSync(`${dir}/${name}.truth.json`, 'utf8'));

describe('sequelize fixtures (real Sequelize 6 output)', () => {
  for (const name of ['plain', 'benchmark']) {
    it(`${name}: one event per statement the beforeQuery hook counted`, () => {
      const r = runFile(sequelize, `${dir}/${name}.log`);
      const t = truth(name);
      expect(r.skipped).toEqual([]);
      expect(r.events.length).toBe(t.statements);
      expect(r.events.filter((e) => e.kind === 'begin').length).toBe(t.transactions.committed + t.transactions.rolledBack);
      expect(r.events.filter((e) => e.kind === 'commit').length).toBe(t.transactions.committed);
      expect(r.events.filter((e) => e.kind === 'rollback').length).toBe(t.transactions.rolledBack);
      expect(sequelize.sniff(firstLines(`${dir}/${name}.log`))).toBeGreaterThan(0.9);
    });
  }

  it('keys transactions by the connection uuid and the rest by the file', () => {
    const r = runFile(sequelize, `${dir}/plain.log`);
    const begin = r.events.find((e) => e.kind === 'begin')!;
    expect(begin.session).toMatch(/^[0-9a-f-]{36}$/);
    expect(begin.tx).toBe(begin.session);
    const inTx = r.events.filter((e) => e.tx === begin.tx);
    // START TRANSACTION, 15 updates, COMMIT
    expect(inTx.length).toBe(17);
    expect(inTx[inTx.length - 1]!.kind).toBe('commit');
    expect(r.events[0]!.session).toBe(`${dir}/plain.log`);
    expect(r.events[0]!.tx).toBeNull();
  });

  it('benchmark + logQueryParameters: durations and bound parameters', () => {
    const r = runFile(sequelize, `${dir}/benchmark.log`);
    expect(r.events.every((e) => e.durationMs !== null)).toBe(true);
    const upd = r.statements.find((e) => e.sql!.startsWith('UPDATE "Books" SET "year"=$1'))!;
    expect(upd.sql).toBe('UPDATE "Books" SET "year"=$1,"updatedAt"=$2 WHERE "id" = $3;');
    expect(upd.params).toHaveLength(3);
    expect(upd.params).toEqual([expect.stringMatching(/^\d{4}$/), expect.stringMatching(/^\d{4}-\d\d-\d\d /), '1']);
    const ins = r.statements.filter((e) => e.sql!.startsWith('INSERT INTO "Reviews"') && e.sql!.includes('$1'));
    expect(ins.length).toBe(10);
    expect((ins[0]!.params as string[])[1]).toBe('loop review 0');
  });
});

describe('sequelize messy input', () => {
  it('lost prefix, CRLF, ANSI, a framework prefix', () => {
    const text = [
      '2024-03-01T10:00:00.000Z info: Executing (default): SELECT "id" FROM "Authors" AS "Author";\r',
      '\u001b[36mExecuting (default): SELECT 1+1 AS result\u001b[39m',
      '←[36mExecuting (default): SELECT 2\u2190[39m',
      'Server listening on 3000',
    ].join('\n');
    const r = runFormat(sequelize, text);
    expect(r.statements.map((e) => e.sql)).toEqual(['SELECT "id" FROM "Authors" AS "Author";', 'SELECT 1+1 AS result', 'SELECT 2']);
    expect(r.statements[0]!.time).toBe(Date.UTC(2024, 2, 1, 10));
    expect(r.skipped.map((s) => s.line)).toEqual([4]);
  });

  it('DEBUG=sequelize:* prints Executing and Executed: one statement each', () => {
    const text = [
      '  sequelize:sql:pg Executing (default): SELECT 1; +0ms',
      '  sequelize:sql:pg Executed (default): SELECT 1; +2ms',
      '  sequelize:sql:pg Executing (default): SELECT 1; +0ms',
      '  sequelize:sql:pg Executed (default): SELECT 1; +1ms',
    ].join('\n');
    const r = runFormat(sequelize, text);
    expect(r.statements.map((e) => e.sql)).toEqual(['SELECT 1;', 'SELECT 1;']);
  });

  it('DEBUG=sequelize:* together with logging: console.log: each statement once', () => {
    const text = [
      '  sequelize:sql:pg Executing (default): SELECT 1; +0ms',
      'Executing (default): SELECT 1;',
      '  sequelize:sql:pg Executed (default): SELECT 1; +2ms',
      '  sequelize:sql:pg Executing (default): SELECT 1; +0ms',
      'Executing (default): SELECT 1;',
      '  sequelize:sql:pg Executed (default): SELECT 1; +1ms',
    ].join('\n');
    expect(runFormat(sequelize, text).statements.map((e) => e.line)).toEqual([1, 4]);
  });

  it('a semicolon inside a literal does not split off parameters', () => {
    const r = runFormat(sequelize, `Executing (default): SELECT * FROM "T" WHERE a = 'x; y' AND b = $1; "q"`);
    expect(r.statements[0]!.sql).toBe(`SELECT * FROM "T" WHERE a = 'x; y' AND b = $1;`);
    expect(r.statements[0]!.params).toEqual(['q']);
  });

  it('null parameters and a multi-line raw query', () => {
    const r = runFormat(sequelize, ['Executing (default): SELECT *', '    FROM "T" WHERE a = $1 OR b = $2; null, 3'].join('\n'));
    expect(r.statements[0]!.sql).toBe('SELECT *\n    FROM "T" WHERE a = $1 OR b = $2;');
    expect(r.statements[0]!.params).toEqual([null, '3']);
  });

  it('sniff: not for a PostgreSQL server log', () => {
    expect(sequelize.sniff([PG_SERVER_LINE, PG_SERVER_LINE])).toBeLessThan(0.5);
  });
});
