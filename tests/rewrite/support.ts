/** Drafts from real logs for rewrite tests: runs the real pipeline and keeps each unit's drafts with the unit. */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import { sharedPgDir } from '../support/pg-shared.js';
import { analyze, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import type { AnalysisResult } from '../../src/findings/result.js';
import { detectUnit, type AnyDraft, type FindingKind } from '../../src/detect/registry.js';
import type { LogEvent } from '../../src/formats/types.js';
import { buildStmt, TemplateCache } from '../../src/sessions/statement.js';
import type { Stmt, Unit } from '../../src/sessions/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Found {
  draft: AnyDraft;
  unit: Unit;
}

/** Every draft of a log, with the unit it came from, and the analysis result (findings with suggestions). */
export async function draftsOf(file: string): Promise<{ found: Found[]; result: AnalysisResult }> {
  const p = path.isAbsolute(file) ? file : path.join(repoRoot, file);
  const found: Found[] = [];
  const result = await analyze([{ path: p, size: statSync(p).size }], DEFAULT_ANALYZE_OPTIONS, {
    onUnit(unit, n) {
      if (n === 0) return;
      // detection is deterministic: running it again on the closed unit gives the same drafts
      for (const draft of detectUnit({ ...unit, statements: unit.statements.slice() }, DEFAULT_ANALYZE_OPTIONS.detect)) found.push({ draft, unit });
    },
  });
  return { found, result };
}

/**
 * A throwaway PostgreSQL 15 with the workload's schema and seed data (scripts/pg-workload.mjs with no scenario:
 * setup only). One cluster serves the whole run: the first test file that asks starts it (the others wait on a
 * lock in the run's temp folder) and the run's global teardown (tests/support/pg-shared.ts) stops it. Each
 * file gets a database of its own, a copy of the seeded one, dropped when the file is done.
 */
export interface Db {
  client: pg.Client;
  /** postgres:// URL of this file's database (no password: the test cluster trusts local connections). */
  dsn: string;
  stop(): Promise<void>;
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: repoRoot, timeout: 120_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${args.join(' ')}: ${String(stderr).trim() || err.message}`)) : resolve(String(stdout)),
    );
  });
}

interface ClusterInfo {
  host: string;
  port: number;
  user: string;
  database: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The run's shared cluster, started by the first caller; its folder is named in SHARED_PG_DIR (tests/support/pg-shared.ts). */
async function sharedCluster(): Promise<ClusterInfo> {
  const dir = sharedPgDir();
  const info = path.join(dir, 'cluster.json');
  const ready = path.join(dir, 'ready');
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 170_000;
  for (;;) {
    if (existsSync(ready)) return JSON.parse(readFileSync(info, 'utf8')) as ClusterInfo;
    if (existsSync(path.join(dir, 'failed'))) throw new Error(`the shared PostgreSQL cluster did not start: ${readFileSync(path.join(dir, 'failed'), 'utf8')}`);
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the shared PostgreSQL cluster in ${dir}`);
      await sleep(200);
      continue;
    }
    try {
      if (existsSync(ready)) continue;
      mkdirSync(dir, { recursive: true });
      const cluster = path.join(repoRoot, 'scripts', 'pg-cluster.mjs');
      try {
        await run([cluster, 'start', dir]);
        await run([path.join(repoRoot, 'scripts', 'pg-workload.mjs'), '--cluster', info, '--scenarios', ',']);
      } catch (e) {
        writeFileSync(path.join(dir, 'failed'), (e as Error).message);
        throw e;
      }
      writeFileSync(ready, '');
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

let copies = 0;

export async function startDb(): Promise<Db> {
  const info = await sharedCluster();
  const admin = new pg.Client({ host: info.host, port: info.port, user: info.user, database: 'postgres' });
  await admin.connect();
  const name = `rw_${process.pid}_${++copies}`;
  try {
    // a copy of the seeded database: what one file changes (schemas, rows) no other file sees
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${info.database}`);
  } finally {
    await admin.end();
  }
  const client = new pg.Client({ host: info.host, port: info.port, user: info.user, database: name });
  await client.connect();
  return {
    client,
    dsn: `postgres://${encodeURIComponent(info.user)}@${info.host}:${info.port}/${name}`,
    async stop() {
      await client.end().catch(() => undefined);
      const a = new pg.Client({ host: info.host, port: info.port, user: info.user, database: 'postgres' });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name}`).finally(() => a.end());
    },
  };
}

/** Statements as the pipeline builds them, from literal SQL (and logged parameters), for hand-made drafts. */
export function stmtsOf(items: (string | { sql: string; params: (string | null)[] })[]): Stmt[] {
  const cache = new TemplateCache();
  return items.map((it, index) => {
    const { sql, params } = typeof it === 'string' ? { sql: it, params: null } : it;
    const ev: LogEvent = {
      kind: 'statement', time: null, session: 's', tx: null, user: null, database: null, application: null, client: null,
      sql, params, durationMs: null, rows: null, resultValues: null, callSite: null, file: 'test', line: index + 1,
    };
    return { ...buildStmt(ev, cache), index };
  });
}

/** A draft of `kind` over `stmts` (one template per distinct statement shape, in order of appearance). */
export function draftOf(kind: FindingKind, stmts: Stmt[], parent: Stmt | null = null, details: Record<string, unknown> = {}): AnyDraft {
  const templates = [...new Set(stmts.map((s) => s.t))];
  // a test draft carries only the details its case needs
  return {
    kind, templates, tables: [], callSite: null, statements: stmts, repeats: stmts.length, parent,
    confidence: 'high', basis: [], details,
  } as unknown as AnyDraft;
}
