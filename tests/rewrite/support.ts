/** Drafts from real logs for rewrite tests: runs the real pipeline and keeps each unit's drafts with the unit. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
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

/** A throwaway PostgreSQL 15 with the workload's schema and seed data (scripts/pg-workload.mjs with no scenario: setup only). */
export interface Db {
  client: pg.Client;
  stop(): Promise<void>;
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: repoRoot, timeout: 120_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${args.join(' ')}: ${String(stderr).trim() || err.message}`)) : resolve(String(stdout)),
    );
  });
}

export async function startDb(): Promise<Db> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-rewrite-'));
  const cluster = path.join(repoRoot, 'scripts', 'pg-cluster.mjs');
  try {
    await run([cluster, 'start', dir]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const info = JSON.parse(readFileSync(path.join(dir, 'cluster.json'), 'utf8')) as { host: string; port: number; user: string; database: string };
  const stop = async () => {
    await run([cluster, 'stop', dir]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run([path.join(repoRoot, 'scripts', 'pg-workload.mjs'), '--cluster', path.join(dir, 'cluster.json'), '--scenarios', ',']);
    const client = new pg.Client({ host: info.host, port: info.port, user: info.user, database: info.database });
    await client.connect();
    return {
      client,
      async stop() {
        await client.end().catch(() => undefined);
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
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
