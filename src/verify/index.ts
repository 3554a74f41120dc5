/**
 * `sqloupe verify` (and analyze --verify-dsn): every loop finding's rewrite run beside its loop on a database
 * the user names, and the verdict added to the finding and to its confidence.
 */
import type { AnalysisState } from '../analyze.js';
import type { AnyDraft } from '../detect/registry.js';
import type { AnalysisResult } from '../findings/result.js';
import type { Finding, Verification } from '../findings/types.js';
import { build } from '../rewrite/index.js';
import { TemplateCache } from '../sessions/statement.js';
import type { Stmt } from '../sessions/types.js';
import { connect, VerifyConnectionError, type Limits } from './connect.js';
import { PermissionError, replay } from './replay.js';

export { VerifyConnectionError } from './connect.js';
export { replay, compareRows } from './replay.js';

export interface VerifyOptions extends Limits {
  /** postgres:// URL; null: the PG* environment variables alone. */
  dsn: string | null;
  /** Only these finding ids (all loop findings when empty). */
  findings: string[];
  allowWrites: boolean;
  maxRuns: number;
  budgetMs: number;
}

export const DEFAULT_VERIFY_LIMITS = { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000, maxRuns: 15, budgetMs: 2_000 } as const;

/** A finding id asked for with --finding that the logs do not have. */
export class UnknownFindingError extends Error {}

/** The draft each finding's rewrite was built from, out of the run's saved state (the largest occurrence). */
export function draftsOf(states: AnalysisState[]): Map<string, AnyDraft> {
  const templates = new TemplateCache();
  const intern = (t: string) => templates.intern(t, null);
  const out = new Map<string, AnyDraft>();
  for (const st of states) {
    for (const g of st.findings) {
      const stmt = (s: (typeof g.draft.statements)[number]): Stmt => {
        const { template, ...rest } = s;
        return { ...rest, t: intern(template) };
      };
      const draft = {
        ...g.draft,
        templates: g.draft.templates.map(intern),
        statements: g.draft.statements.map(stmt),
        parent: g.draft.parent ? stmt(g.draft.parent) : null,
      } as AnyDraft;
      const had = out.get(g.id);
      if (!had || draft.repeats > had.repeats) out.set(g.id, draft);
    }
  }
  return out;
}

/**
 * Verify the result's findings (those named, or all) on the database and write each verdict into its finding.
 * A connection that fails, or permission denied, throws VerifyConnectionError before any finding is changed.
 */
export async function verifyResult(result: AnalysisResult, states: AnalysisState[], opts: VerifyOptions): Promise<Map<string, Verification>> {
  const drafts = draftsOf(states);
  for (const id of opts.findings) {
    if (!result.findings.some((f) => f.id === id)) throw new UnknownFindingError(`no finding ${id} in these logs: the ids are in the report (sqloupe --format json … | jq '.findings[].id')`);
  }
  const chosen = result.findings.filter((f) => opts.findings.length === 0 || opts.findings.includes(f.id));
  const verdicts = new Map<string, Verification>();
  if (chosen.length === 0) return verdicts;
  const conn = await connect(opts.dsn, opts);
  try {
    for (const f of chosen) {
      const draft = drafts.get(f.id);
      if (!draft) continue;
      try {
        verdicts.set(f.id, await replay(conn.client, draft, build(draft), { allowWrites: opts.allowWrites, maxRuns: opts.maxRuns, budgetMs: opts.budgetMs, scrub: conn.scrub }));
      } catch (e) {
        if (e instanceof PermissionError) throw new VerifyConnectionError(conn.scrub(`cannot verify on ${conn.where}: ${e.message}`));
        const err = e as { code?: string; message?: string };
        // the server went away mid-run: stop with one line, leaving every finding as analyzed
        if (err?.code === 'ECONNRESET' || /Connection terminated|not queryable/i.test(String(err?.message))) {
          throw new VerifyConnectionError(conn.scrub(`lost the connection to ${conn.where}: ${String(err.message).split('\n')[0]}`));
        }
        throw e;
      }
    }
  } finally {
    await conn.end();
  }
  for (const f of chosen) {
    const v = verdicts.get(f.id);
    if (v) applyVerdict(f, v, conn.where);
  }
  return verdicts;
}

/** The verdict in the finding, and in what its confidence rests on: proven rows raise it, different rows say so. */
export function applyVerdict(f: Finding, v: Verification, where: string): void {
  f.verification = v;
  const db = where.replace(/^[^@]*@/, '');
  if (v.status === 'verified') {
    f.evidence.confidence = 'high';
    f.evidence.basis = [...f.evidence.basis, `rewrite verified on ${db}: it returns what the loop did`];
  } else if (v.status === 'different') {
    f.evidence.basis = [...f.evidence.basis, `the rewrite gave other rows than the loop on ${db}: check it before use`];
  } else if (v.status === 'failed') {
    f.evidence.basis = [...f.evidence.basis, `the rewrite failed on ${db}`];
  }
}
