// Real PostgreSQL 15 server logs for tests, recorded once and committed (tests/fixtures/pg-recorded/).
//
//   const logs = await pgLogs('default');
//   logs.log / logs.csv / logs.json  -> the same events as stderr (custom prefix), csvlog, jsonlog, gzipped
//   logs.truth                       -> the ground truth (see samples/README.md)
//   readLog(logs.log)                -> the text of a log (gunzipped in memory)
//
// The CLI reads the .gz files as they are. Each preset was recorded by `npm run record-pg-logs`
// (scripts/record-pg-logs.mjs: scripts/make-pg-logs.mjs against a throwaway PostgreSQL 15 cluster);
// tests/fixtures/pg-recorded/README.md says how. Nothing is generated while the tests run, so a test's
// input never depends on how busy the machine is. A preset records only the files its tests read
// (presets.json, "files"); asking for another one throws and says how to record it.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RECORDED_DIR = path.join(repoRoot, 'tests', 'fixtures', 'pg-recorded');

export type PgLogMode = 'duration' | 'statement' | 'both';
export type PgLogFile = 'log' | 'csv' | 'json';

/** How a preset was recorded (tests/fixtures/pg-recorded/presets.json). */
export interface PgPreset {
  description: string;
  /** duration: log_min_duration_statement=0; statement: log_statement=all + log_duration; both */
  mode: PgLogMode;
  /** scenarios run (default: all) */
  scenarios?: string[];
  /** extra server settings, name=value (e.g. a different log_line_prefix) */
  sets?: string[];
  webRequests?: number;
  seed?: number;
  /** the logs committed for this preset */
  files: PgLogFile[];
}

/** Named presets the tests share; each is one recording. */
export const PRESETS: Record<string, PgPreset> = JSON.parse(fs.readFileSync(path.join(RECORDED_DIR, 'presets.json'), 'utf8'));

export interface ExpectedFinding {
  kind: string;
  table: string;
  tables: string[];
  application: string;
  template?: string;
  parentTable?: string;
  occurrences: number;
  minRepeats: number;
  maxRepeats: number;
  [extra: string]: unknown;
}

export interface ScenarioTruth {
  scenario: string;
  application: string;
  description: string;
  statements: number;
  failed: number;
  simple: number;
  extended: number;
  named: number;
  transactions: number;
  sessions: number;
  startedAt: string;
  endedAt: string;
  expected: ExpectedFinding[];
  noOtherFindings: boolean;
  [extra: string]: unknown;
}

export interface PgTruth {
  version: number;
  generator: string;
  seed: number;
  mode: PgLogMode;
  serverVersion: number;
  settings: Record<string, string>;
  totals: {
    statements: number;
    failed: number;
    calls: number;
    simple: number;
    extended: number;
    named: number;
    transactions: number;
    sessions: number;
  };
  expectedCounts: { statements: number; loggedStatements: number; errors: number; sessions: number };
  applications: Record<string, string>;
  expectedFindings: ExpectedFinding[];
  exhaustiveApplications: string[];
  scenarios: Record<string, ScenarioTruth>;
  files: { stderr: string; csvlog: string; jsonlog: string };
}

export interface PgLogs {
  dir: string;
  /** stderr log, gzipped (log_line_prefix as in truth.settings.log_line_prefix) */
  log: string;
  /** csvlog, gzipped */
  csv: string;
  /** jsonlog, gzipped */
  json: string;
  truthPath: string;
  truth: PgTruth;
}

const EXT: Record<PgLogFile, string> = { log: 'server.log.gz', csv: 'server.csv.gz', json: 'server.json.gz' };
const memo = new Map<string, PgLogs>();

function load(preset: string): PgLogs {
  const p = PRESETS[preset];
  if (!p) throw new Error(`unknown pgLogs preset ${preset}; known: ${Object.keys(PRESETS).join(', ')}`);
  const dir = path.join(RECORDED_DIR, preset);
  const truthPath = path.join(dir, 'truth.json');
  if (!fs.existsSync(truthPath)) throw new Error(`${preset} is not recorded: npm run record-pg-logs -- ${preset}`);
  const file = (f: PgLogFile) => {
    const full = path.join(dir, EXT[f]);
    if (!p.files.includes(f) || !fs.existsSync(full)) {
      throw new Error(`preset ${preset} has no recorded ${f} log: add "${f}" to its files in ${path.relative(repoRoot, RECORDED_DIR)}/presets.json, then npm run record-pg-logs -- ${preset}`);
    }
    return full;
  };
  return {
    dir,
    get log() {
      return file('log');
    },
    get csv() {
      return file('csv');
    },
    get json() {
      return file('json');
    },
    truthPath,
    truth: JSON.parse(fs.readFileSync(truthPath, 'utf8')) as PgTruth,
  };
}

/** Paths of recorded real PostgreSQL 15 logs (stderr, csvlog, jsonlog) and their ground truth. */
export async function pgLogs(preset = 'default'): Promise<PgLogs> {
  let logs = memo.get(preset);
  if (!logs) memo.set(preset, (logs = load(preset)));
  return logs;
}

/** The text of a log file, gunzipped in memory when it is gzip (by its magic bytes, as the CLI decides). */
export function readLog(file: string): string {
  const b = fs.readFileSync(file);
  return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('utf8');
}
