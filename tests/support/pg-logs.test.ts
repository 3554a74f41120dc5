// The recorded real logs (tests/fixtures/pg-recorded, made by scripts/make-pg-logs.mjs): the three files
// exist, describe the same events, and the number of statements they log matches what the workload's client executed.
import fs from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { pgLogs, readLog, type PgLogs } from './pg-logs.js';

const STDERR_STATEMENT = / LOG: {2}duration: [\d.]+ ms {2}(?:statement: |execute [^:]*: )/;
const MESSAGE_STATEMENT = /^duration: [\d.]+ ms {2}(?:statement: |execute [^:]*: )/;

function within(actual: number, expected: number, tolerance = 0.005): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(0, Math.floor(expected * tolerance)));
}

describe('pgLogs(default): log_min_duration_statement=0', () => {
  let logs: PgLogs;
  beforeAll(async () => {
    logs = await pgLogs('default');
  }, 180_000);

  it('writes the stderr, csv and json logs and the truth', () => {
    for (const f of [logs.log, logs.csv, logs.json, logs.truthPath]) {
      expect(fs.existsSync(f), f).toBe(true);
      expect(fs.statSync(f).size, f).toBeGreaterThan(0);
    }
    expect(logs.truth.serverVersion).toBeGreaterThanOrEqual(15);
    expect(logs.truth.mode).toBe('duration');
  });

  it('stderr: one duration line per executed statement (within 0.5%)', () => {
    const lines = readLog(logs.log).split('\n');
    const n = lines.filter((l) => STDERR_STATEMENT.test(l)).length;
    within(n, logs.truth.expectedCounts.statements);
  });

  it('csvlog and jsonlog carry the same statements', () => {
    const rows = parseCsv(readLog(logs.csv), { relax_column_count: true }) as string[][];
    expect(rows[0]).toHaveLength(26);
    const csvN = rows.filter((r) => MESSAGE_STATEMENT.test(r[13] ?? '')).length;
    within(csvN, logs.truth.expectedCounts.statements);
    const json = readLog(logs.json)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { message?: string; application_name?: string });
    const jsonN = json.filter((j) => MESSAGE_STATEMENT.test(j.message ?? '')).length;
    within(jsonN, logs.truth.expectedCounts.statements);
  });

  it('every scenario ran in its own application and is in the truth', () => {
    const t = logs.truth;
    expect(Object.keys(t.scenarios)).toContain('pooled-web');
    const apps = new Set(Object.values(t.scenarios).map((s) => s.application));
    expect(apps.size).toBe(Object.keys(t.scenarios).length);
    const log = readLog(logs.log);
    for (const app of apps) expect(log).toContain(`postgres@app/${app} [`);
    const web = t.scenarios['pooled-web']!;
    expect(web.expected).toEqual([expect.objectContaining({ kind: 'n-plus-one', table: 'products', application: 'web' })]);
    expect(t.scenarios['clean']!.expected).toEqual([]);
    expect(t.totals.statements).toBe(Object.values(t.scenarios).reduce((a, s) => a + s.statements, 0));
  });
});

describe('pgLogs(statement): log_statement=all + log_duration=on', () => {
  let logs: PgLogs;
  beforeAll(async () => {
    logs = await pgLogs('statement');
  }, 180_000);

  it('logs every call (failed ones too) as statement:/execute lines', () => {
    const lines = readLog(logs.log).split('\n');
    const n = lines.filter((l) => / LOG: {2}(?:statement: |execute [^:]*: )/.test(l)).length;
    within(n, logs.truth.expectedCounts.loggedStatements);
    expect(logs.truth.expectedCounts.loggedStatements).toBe(logs.truth.totals.calls);
  });
});
