// Real PostgreSQL 15 server logs for tests, made once per content of the generator scripts.
//
//   const logs = await pgLogs('default');
//   logs.log / logs.csv / logs.json  -> the same events as stderr (custom prefix), csvlog, jsonlog
//   logs.truth                       -> the ground truth (see samples/README.md)
//
// Runs scripts/make-pg-logs.mjs into <os.tmpdir()>/sqloupe-pg-logs/<hash>/, where the hash covers
// the scripts' content and the preset, so reruns reuse it. Safe when several vitest workers ask
// for the same preset at once (a lock directory; the others wait). Takes ~3 s when not cached,
// so call it from a beforeAll with a generous timeout (e.g. 120_000).

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const scriptsDir = path.join(repoRoot, 'scripts');
const GENERATOR_FILES = ['pg-cluster.mjs', 'pg-workload.mjs', 'make-pg-logs.mjs'];

export type PgLogMode = 'duration' | 'statement' | 'both';

export interface PgLogsOptions {
  /** scenarios to run (default: all) */
  scenarios?: string[];
  /** duration: log_min_duration_statement=0; statement: log_statement=all + log_duration; both */
  mode?: PgLogMode;
  /** extra server settings, name=value (e.g. a different log_line_prefix) */
  sets?: string[];
  webRequests?: number;
  seed?: number;
}

/** Named presets tests can share (each one is generated at most once per cache key). */
export const PRESETS: Record<string, PgLogsOptions> = {
  /** every scenario, log_min_duration_statement=0, prefix '%m [%p] %q%u@%d/%a [%c] %x ' */
  default: { mode: 'duration' },
  /** every scenario, log_statement=all + log_duration=on */
  statement: { mode: 'statement' },
  /** every scenario, log_statement=all + log_min_duration_statement=0 */
  both: { mode: 'both' },
  /** only the billing N+1 and the clean reports job */
  'n-plus-one-and-clean': { mode: 'duration', scenarios: ['n-plus-one', 'clean'] },
  /** only pooled web traffic (autocommit, extended protocol) and the transactional worker */
  'pooled-web': { mode: 'duration', scenarios: ['pooled-web', 'worker'] },
  /** every scenario with a pgBadger-style prefix (no %c session id: pid + time only) */
  'pgbadger-prefix': { mode: 'duration', sets: ['log_line_prefix=%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h '] },
  /** every scenario with a minimal prefix: sessions must come from %p alone */
  'minimal-prefix': { mode: 'duration', sets: ['log_line_prefix=%m [%p] '] },
};

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
  /** stderr log (log_line_prefix as in truth.settings.log_line_prefix) */
  log: string;
  csv: string;
  json: string;
  truthPath: string;
  truth: PgTruth;
}

export class PgBinariesMissingError extends Error {
  constructor(detail: string) {
    super(
      'PostgreSQL 15 server binaries are missing, so real server logs cannot be generated. ' +
        'Run .ci/run (it installs them), or: apt-get update && apt-get install -y postgresql-15. ' +
        `(${detail.trim()})`,
    );
    this.name = 'PgBinariesMissingError';
  }
}

const memo = new Map<string, Promise<PgLogs>>();

function cacheKey(opts: PgLogsOptions): string {
  const h = createHash('sha256');
  for (const f of GENERATOR_FILES) h.update(f).update('\0').update(fs.readFileSync(path.join(scriptsDir, f))).update('\0');
  h.update(JSON.stringify(opts));
  return h.digest('hex').slice(0, 16);
}

function argsFor(opts: PgLogsOptions): string[] {
  const args: string[] = [];
  if (opts.scenarios) args.push('--scenarios', opts.scenarios.join(','));
  if (opts.mode) args.push('--mode', opts.mode);
  for (const s of opts.sets ?? []) args.push('--set', s);
  if (opts.webRequests !== undefined) args.push('--web-requests', String(opts.webRequests));
  if (opts.seed !== undefined) args.push('--seed', String(opts.seed));
  return args;
}

function load(dir: string): PgLogs {
  const truthPath = path.join(dir, 'truth.json');
  return {
    dir,
    log: path.join(dir, 'server.log'),
    csv: path.join(dir, 'server.csv'),
    json: path.join(dir, 'server.json'),
    truthPath,
    truth: JSON.parse(fs.readFileSync(truthPath, 'utf8')) as PgTruth,
  };
}

function complete(dir: string): boolean {
  return ['server.log', 'server.csv', 'server.json', 'truth.json'].every((f) => fs.existsSync(path.join(dir, f)));
}

function runGenerator(outdir: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(scriptsDir, 'make-pg-logs.mjs'), outdir, ...args],
      { cwd: repoRoot, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const code: unknown = (err as { code?: unknown }).code;
        if (code === 3) return reject(new PgBinariesMissingError(String(stderr)));
        reject(new Error(`make-pg-logs failed (${String(code ?? err.message)}): ${String(stderr).trim()}`));
      },
    );
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function generate(name: string, opts: PgLogsOptions): Promise<PgLogs> {
  const root = path.join(os.tmpdir(), 'sqloupe-pg-logs');
  const final = path.join(root, `${name.replace(/[^\w.-]/g, '_')}-${cacheKey(opts)}`);
  if (complete(final)) return load(final);
  fs.mkdirSync(root, { recursive: true });
  const lock = `${final}.lock`;
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // someone else is generating: wait for it, or take over a stale lock
      if (complete(final)) return load(final);
      let owner = 0;
      try {
        owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        /* not written yet */
      }
      const st = fs.statSync(lock, { throwIfNoEntry: false });
      const age = st ? Date.now() - st.mtimeMs : 0;
      if ((owner && !pidAlive(owner)) || age > 200_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await sleep(200);
      continue;
    }
    try {
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      if (complete(final)) return load(final);
      const tmp = `${final}.tmp-${process.pid}`;
      fs.rmSync(tmp, { recursive: true, force: true });
      await runGenerator(tmp, argsFor(opts));
      fs.rmSync(final, { recursive: true, force: true });
      fs.renameSync(tmp, final);
      return load(final);
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

/**
 * Paths of real PostgreSQL 15 logs (stderr, csvlog, jsonlog) and their ground truth.
 * `preset` is a key of PRESETS, or options (then `name` labels the cache directory).
 */
export function pgLogs(preset: string | PgLogsOptions = 'default', name?: string): Promise<PgLogs> {
  let opts: PgLogsOptions;
  let label: string;
  if (typeof preset === 'string') {
    const p = PRESETS[preset];
    if (!p) throw new Error(`unknown pgLogs preset ${preset}; known: ${Object.keys(PRESETS).join(', ')}`);
    opts = p;
    label = preset;
  } else {
    opts = preset;
    label = name ?? 'custom';
  }
  const key = `${label}:${JSON.stringify(opts)}`;
  let p = memo.get(key);
  if (!p) {
    p = generate(label, opts);
    memo.set(key, p);
    p.catch(() => memo.delete(key));
  }
  return p;
}
