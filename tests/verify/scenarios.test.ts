/**
 * verify on generated scenarios (tests/verify/scenarios.ts): each case's loop is run by a real client against
 * a real PostgreSQL, sqloupe reads that server's own log, and verify runs on a second database with the same
 * schema and rows (the state before the application ran). Every finding must get the verdict the generator's
 * model predicts, and the second database must be left exactly as it was.
 *
 * SCEN_DEBUG=<file> writes the log sqloupe read to that file and prints each finding's rewrite (to look into a
 * case that fails).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeToState, resultFromStates, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import type { AnalysisResult } from '../../src/findings/result.js';
import type { Built } from '../../src/rewrite/index.js';
import { build } from '../../src/rewrite/index.js';
import { connect } from '../../src/verify/connect.js';
import { draftsOf, replay, verifyResult, DEFAULT_VERIFY_LIMITS } from '../../src/verify/index.js';
import type { AnalysisState } from '../../src/analyze.js';
import { sharedPgDir } from '../support/pg-shared.js';
import { startDb, type Db } from '../rewrite/support.js';
import { scenarios, type Scenario } from './scenarios.js';

const CASES = scenarios();
let work: Db;
let target: Db;
let result: AnalysisResult;
let before: Record<string, string>;
let logDir: string | undefined;
let state: AnalysisState;

/** Every user table of the database, as row count plus md5 of its sorted rows. */
async function checksums(client: pg.Client): Promise<Record<string, string>> {
  const tables = (await client.query("SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")).rows.map((r) => r.t as string);
  const out: Record<string, string> = {};
  for (const t of tables) {
    const r = await client.query(`SELECT count(*)::text || ':' || md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) AS sum FROM ${t} AS x`);
    out[t] = r.rows[0].sum as string;
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stderr log of the shared cluster from the given offsets on, until `marker` is in it. */
async function logSince(offsets: Map<string, number>, marker: string): Promise<string> {
  const dir = JSON.parse(readFileSync(path.join(sharedPgDir(), 'cluster.json'), 'utf8')).logDir as string;
  for (let tries = 0; tries < 100; tries++) {
    let text = '';
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.log')).sort()) {
      const full = path.join(dir, f);
      const from = offsets.get(full) ?? 0;
      text += readFileSync(full).subarray(from).toString('utf8');
    }
    if (text.includes(marker)) return text;
    await sleep(100);
  }
  throw new Error(`the server log never showed ${marker}`);
}

function logOffsets(): Map<string, number> {
  const dir = JSON.parse(readFileSync(path.join(sharedPgDir(), 'cluster.json'), 'utf8')).logDir as string;
  return new Map(readdirSync(dir).filter((x) => x.endsWith('.log')).map((f) => [path.join(dir, f), statSync(path.join(dir, f)).size]));
}

/** The records of these backends: a record starts with the prefix's timestamp and [pid]; its other lines with a tab. */
function recordsOf(text: string, pids: Set<number>): string {
  const out: string[] = [];
  let keep = false;
  for (const line of text.split('\n')) {
    const m = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[(\d+)\]/.exec(line);
    if (m) keep = pids.has(Number(m[1]));
    if (keep && line !== '') out.push(line);
  }
  return out.join('\n') + '\n';
}

beforeAll(async () => {
  [work, target] = await Promise.all([startDb(), startDb()]);
  for (const c of CASES) {
    for (const sql of c.setup) {
      await work.client.query(sql);
      await target.client.query(sql);
    }
  }
  before = await checksums(target.client);
  const offsets = logOffsets();
  const pids = new Set<number>();
  for (const c of CASES) {
    const client = new pg.Client({ connectionString: work.dsn, application_name: c.app });
    await client.connect();
    pids.add((client as unknown as { processID: number }).processID);
    try {
      for (const s of c.steps) await client.query(s.params ? { text: s.sql, values: s.params } : s.sql);
    } finally {
      await client.end();
    }
  }
  const marker = `sqloupe-scenarios-done-${process.pid}`;
  const last = new pg.Client({ connectionString: work.dsn, application_name: 'gen-end' });
  await last.connect();
  pids.add((last as unknown as { processID: number }).processID);
  await last.query(`SELECT '${marker}'`);
  await last.end();
  const log = recordsOf(await logSince(offsets, marker), pids);
  logDir = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-scenarios-'));
  const file = path.join(logDir, 'server.log');
  writeFileSync(file, log);
  if (process.env['SCEN_DEBUG']) writeFileSync(process.env['SCEN_DEBUG'], log);
  state = await analyzeToState([{ path: file, size: statSync(file).size }], DEFAULT_ANALYZE_OPTIONS);
  result = resultFromStates([state], DEFAULT_ANALYZE_OPTIONS);
  await verifyResult(result, [state], { ...DEFAULT_VERIFY_LIMITS, dsn: target.dsn, findings: [], allowWrites: true, maxRuns: 3, budgetMs: 100 });
}, 180_000);

afterAll(async () => {
  if (logDir) rmSync(logDir, { recursive: true, force: true });
  await work?.stop();
  await target?.stop();
});

const outcome = (message: string) => message.replace(/; [\d.]+× (faster|slower) \(wall .*\)$/, '');

function describeCase(c: Scenario): string {
  const d = c.dims;
  return `${c.id} ${d.loop} ${d.key}/${d.naming}/${d.tables} ${d.carriage} n=${d.size}${d.dupKeys ? ' dup' : ''}${d.missingKeys ? ' missing' : ''}`;
}

describe('generated scenarios: each loop verified as its model predicts', () => {
  it('every case has the verdict the model predicts', () => {
    const got = CASES.map((c) => {
      const fs = result.findings.filter((f) => f.applications.includes(c.app));
      const lines = fs.map((f) => `${f.kind}: ${f.verification ? outcome(f.verification.message) : '(no verdict)'}`);
      return `${describeCase(c)}\n  ${lines.join('\n  ') || '(no finding)'}`;
    });
    if (process.env['SCEN_DEBUG']) for (const c of CASES) for (const f of result.findings.filter((x) => x.applications.includes(c.app))) console.log(c.id, f.kind, JSON.stringify(f.verification?.sql), f.suggestion?.use, f.suggestion?.summary);
    const want = CASES.map((c) => `${describeCase(c)}\n  ${c.expect.kind ? `${c.expect.kind}: ${c.expect.outcome}` : '(no finding)'}`);
    expect(got.join('\n')).toBe(want.join('\n'));
  });

  it('a rewrite made wrong on purpose is never verified: one row fewer (reads), one more change (writes)', async () => {
    const conn = await connect(target.dsn, DEFAULT_VERIFY_LIMITS);
    const drafts = draftsOf([state]);
    const verdicts: string[] = [];
    try {
      for (const c of CASES) {
        for (const f of result.findings.filter((x) => x.applications.includes(c.app) && x.verification?.status === 'verified')) {
          const draft = drafts.get(f.id)!;
          const b = build(draft);
          const reads = b.runnable!.every((r) => /^\s*SELECT/i.test(r.sql));
          const changed = c.dims.loop === 'get-or-create' ? c.owned[0]! : c.owned[1]!;
          const wrong: Built = reads
            ? { ...b, alternatives: [], runnable: b.runnable!.map((r, i) => (i === 0 ? { ...r, sql: `SELECT * FROM (${r.sql}) AS m OFFSET 1` } : r)) }
            : { ...b, alternatives: [], runnable: [...b.runnable!, { sql: `DELETE FROM ${changed} WHERE ctid = (SELECT min(ctid) FROM ${changed})`, binds: [], covers: [], keyColumn: null, keys: [] }] };
          const v = await replay(conn.client, draft, wrong, { allowWrites: true, maxRuns: 1, budgetMs: 0, scrub: (x) => x });
          verdicts.push(`${c.id} ${f.kind}: ${v.status}`);
        }
      }
    } finally {
      await conn.end();
    }
    expect(verdicts.filter((v) => v.endsWith(': verified'))).toEqual([]);
    expect(verdicts.length).toBe(result.findings.filter((f) => f.verification?.status === 'verified').length);
  });

  it('the database verify ran on is exactly as before', async () => {
    expect(await checksums(target.client)).toEqual(before);
  });
});
