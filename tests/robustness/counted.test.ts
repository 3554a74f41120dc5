/** Statements that must not be lost without a word: failed ones (ERROR + STATEMENT), and units cut at the size limit. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from '../../src/analyze.js';
import { repoRoot } from '../support/cli.js';

// recorded from PostgreSQL 15 (record.mjs): 30 statements that completed, then two INSERTs that failed on a unique key
const PLANTED = path.join(repoRoot, 'tests/fixtures/hostile/planted.log');
// log_statement=all + log_duration (tests/fixtures/pg-recorded/statement): every call is logged as it starts
const STATEMENT_MODE = path.join(repoRoot, 'tests/fixtures/pg-recorded/statement/server.log.gz');

const run = (file: string, options: Partial<AnalyzeOptions> = {}) => analyze([{ path: file, size: null }], { ...DEFAULT_ANALYZE_OPTIONS, ...options });

describe('failed statements', () => {
  it('count once each, as the README says', async () => {
    const r = await run(PLANTED);
    expect(r.summary.statements).toBe(32);
    expect(r.inputs[0]!.statements).toBe(32);
  });

  it('are analysed like the others: their template is a query of the run', async () => {
    const r = await run(PLANTED, { top: 50 });
    const insert = r.topQueries.find((q) => q.template === 'insert into customers (id, email) values ($1, $2)');
    // 6 in the loop, 2 that failed
    expect(insert?.calls).toBe(8);
  });

  it('are not counted twice when log_statement logged them as they started', async () => {
    const r = await run(STATEMENT_MODE);
    // its truth.json: 1579 calls completed and 1 failed; the failed one's execute line and its error are one statement
    expect(r.summary.statements).toBe(1580);
  });
});

describe('the statement limit per unit of work', () => {
  it('is reported for each session it cut, with how many cuts', async () => {
    const r = await run(PLANTED, { tracker: { ...DEFAULT_ANALYZE_OPTIONS.tracker, maxUnitStatements: 4 } });
    expect(r.summary.statements).toBe(32);
    expect(r.inputs[0]!.warnings).toEqual([
      `${PLANTED}: session 6b0fbe68.44fb: units of work cut 3 times at the limit of 4 statements per unit (each part is analyzed on its own, so a loop across a cut is counted in parts)`,
    ]);
  });

  it('says nothing when no unit reaches it', async () => {
    const r = await run(PLANTED);
    expect(r.inputs[0]!.warnings).toEqual([]);
  });
});
