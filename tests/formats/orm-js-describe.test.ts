/** describe(): what each ORM log carries, and the setting to change when it lacks something. */
import { describe, expect, it } from 'vitest';
import gorm from '../../src/formats/gorm.js';
import hibernate from '../../src/formats/hibernate.js';
import prisma from '../../src/formats/prisma.js';
import sequelize from '../../src/formats/sequelize.js';
import typeorm from '../../src/formats/typeorm.js';
import type { LogFormat } from '../../src/formats/types.js';

function facts(format: LogFormat, lines: string[]): Record<string, unknown> {
  const p = format.create({ file: 'f', options: { prefix: null, logTimezone: null }, emit: () => {}, skip: () => {} });
  lines.forEach((l, i) => p.push(l, i + 1));
  p.end();
  return p.describe!();
}

describe('ORM log facts for doctor', () => {
  it('sequelize without benchmark or logQueryParameters', () => {
    const f = facts(sequelize, ['Executing (default): INSERT INTO "T" ("a") VALUES ($1) RETURNING "id";']);
    expect(f).toMatchObject({ statements: 1, withDurations: 0, placeholdersWithoutParams: 1 });
    expect((f.advice as string[]).join(' ')).toMatch(/benchmark: true.*logQueryParameters: true/);
  });
  it('prisma stdout mode', () => {
    const f = facts(prisma, ['prisma:query SELECT 1']);
    expect((f.advice as string[])[0]).toMatch(/emit: 'event'/);
  });
  it('hibernate without bind logging', () => {
    const f = facts(hibernate, ['Hibernate: select a1_0.id from author a1_0 where a1_0.id=?']);
    expect(f).toMatchObject({ statements: 1, placeholdersWithoutParams: 1 });
    expect((f.advice as string[])[0]).toMatch(/org\.hibernate\.orm\.jdbc\.bind=TRACE/);
  });
  it('gorm at its default Warn level', () => {
    const f = facts(gorm, ['2021/05/14 11:36:28 /app/db.go:98 SLOW SQL >= 200ms', '[212.1ms] [rows:1] SELECT 1']);
    expect(f).toMatchObject({ statements: 1, withDurations: 1, withRows: 1, withCallSite: 1 });
    expect((f.advice as string[])[0]).toMatch(/db\.Debug\(\)/);
  });
  it('typeorm with parameters', () => {
    const f = facts(typeorm, ['query: SELECT 1 WHERE a = $1 -- PARAMETERS: [1]', 'query: START TRANSACTION']);
    expect(f).toMatchObject({ statements: 1, withParams: 1, transactionEvents: 1 });
  });
});
