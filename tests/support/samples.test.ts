// The committed samples are real logs with their ground truth: keep them consistent.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { PgTruth } from './pg-logs.js';

const samples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'samples');
const truth = (name: string) => JSON.parse(fs.readFileSync(path.join(samples, `${name}.truth.json`), 'utf8')) as PgTruth;
const STATEMENT_MESSAGE = /^duration: [\d.]+ ms {2}(?:statement: |execute [^:]*: )/;

describe('samples/', () => {
  it('every sample is small', () => {
    for (const f of fs.readdirSync(samples)) expect(fs.statSync(path.join(samples, f)).size, f).toBeLessThan(200_000);
  });

  it('billing.log (stderr) logs exactly the statements in its truth', () => {
    const t = truth('billing');
    const lines = fs.readFileSync(path.join(samples, 'billing.log'), 'utf8').split('\n');
    const n = lines.filter((l) => / LOG: {2}duration: [\d.]+ ms {2}(?:statement: |execute [^:]*: )/.test(l)).length;
    expect(n).toBe(t.expectedCounts.statements);
    expect(t.expectedFindings.map((f) => [f.kind, f.table, f.application])).toEqual([['n-plus-one', 'order_items', 'billing']]);
    expect(t.scenarios['clean']?.expected).toEqual([]);
  });

  it('loops.csv (csvlog) logs exactly the statements in its truth', () => {
    const t = truth('loops');
    const rows = parseCsv(fs.readFileSync(path.join(samples, 'loops.csv')), { relax_column_count: true }) as string[][];
    expect(rows.every((r) => r.length === 26)).toBe(true);
    expect(rows.filter((r) => STATEMENT_MESSAGE.test(r[13] ?? '')).length).toBe(t.expectedCounts.statements);
    expect(new Set(t.expectedFindings.map((f) => f.kind)).size).toBe(9);
  });

  it('pooled-web.json (jsonlog) logs exactly the statements in its truth', () => {
    const t = truth('pooled-web');
    const events = fs
      .readFileSync(path.join(samples, 'pooled-web.json'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { message: string });
    expect(events.filter((e) => STATEMENT_MESSAGE.test(e.message)).length).toBe(t.expectedCounts.statements);
    expect(t.expectedFindings.map((f) => [f.kind, f.table, f.application])).toEqual([['n-plus-one', 'products', 'web']]);
  });
});
