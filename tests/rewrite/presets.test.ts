/** Every finding on every generated real log (each logging mode and prefix) carries a rewrite PostgreSQL prepares. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgLogs } from '../support/pg-logs.js';
import { startDb, draftsOf, type Db } from './support.js';

let db: Db;
beforeAll(async () => {
  db = await startDb();
}, 180_000);
afterAll(async () => {
  await db?.stop();
});

const REWRITTEN = new Set(['n-plus-one', 'aggregate-loop', 'latest-per-parent', 'per-row-insert', 'per-row-update', 'per-row-delete', 'select-then-insert', 'repeated-sequence', 'duplicate-query', 'unbounded-fetch']);

describe('rewrites on full workload logs', () => {
  for (const [preset, file] of [
    ['default', 'log'],
    ['default', 'csv'],
    ['default', 'json'],
    ['statement', 'log'],
    ['both', 'log'],
    ['pgbadger-prefix', 'log'],
    ['minimal-prefix', 'log'],
    ['pooled-web', 'json'],
  ] as const) {
    it(`${preset} ${file}`, async () => {
      const logs = await pgLogs(preset);
      const { result } = await draftsOf(logs[file]);
      expect(result.findings.length).toBeGreaterThan(0);
      for (const f of result.findings) {
        if (!REWRITTEN.has(f.kind)) continue;
        const use = f.suggestion?.use;
        expect(use, `${f.kind} ${f.applications.join(',')} ${f.template}`).toBeTruthy();
        for (const m of use!.split(';\n')) {
          await db.client.query(`PREPARE rw AS ${m}`);
          await db.client.query('DEALLOCATE rw');
        }
      }
    }, 180_000);
  }
});
