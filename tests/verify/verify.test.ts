/** sqloupe verify on a real PostgreSQL 15 with the workload's schema and data: every loop kind of the samples. */
import path from 'node:path';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeToState, resultFromStates, DEFAULT_ANALYZE_OPTIONS, type AnalysisState } from '../../src/analyze.js';
import type { AnalysisResult } from '../../src/findings/result.js';
import { verifyResult, DEFAULT_VERIFY_LIMITS } from '../../src/verify/index.js';
import { repoRoot, startDb, type Db } from '../rewrite/support.js';

let db: Db;
let state: AnalysisState;
const SAMPLES = ['samples/billing.log', 'samples/loops.csv', 'samples/pooled-web.json'];

beforeAll(async () => {
  db = await startDb();
  state = await analyzeToState(SAMPLES.map((f) => ({ path: path.join(repoRoot, f), size: statSync(path.join(repoRoot, f)).size })), DEFAULT_ANALYZE_OPTIONS);
}, 180_000);

afterAll(async () => {
  await db?.stop();
});

const fresh = (): AnalysisResult => resultFromStates([state], DEFAULT_ANALYZE_OPTIONS);
const opts = (over: Partial<Parameters<typeof verifyResult>[2]> = {}) => ({ ...DEFAULT_VERIFY_LIMITS, dsn: db.dsn, findings: [], allowWrites: true, maxRuns: 3, budgetMs: 200, ...over });

describe('verify the samples', () => {
  it('smoke', async () => {
    const result = fresh();
    await verifyResult(result, [state], opts());
    for (const f of result.findings) console.log(f.kind, f.applications.join(','), f.verification?.message);
  });
});
