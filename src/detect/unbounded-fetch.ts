/** unbounded-fetch: a SELECT that returns a whole table (no LIMIT, no predicate) or a logged row count above the limit. */
import { byTemplate, commonCallSite, shapeFor } from './analysis.js';
import type { Stmt } from '../sessions/types.js';
import { fmtMs } from '../text/duration.js';
import { defineKind } from './kind.js';
import type { Confidence, Draft } from './draft.js';

export interface UnboundedFetchDetails {
  /** The largest row count logged for the statement, when the log has row counts. */
  rows: number | null;
}

export default defineKind<UnboundedFetchDetails>()({
  id: 'unbounded-fetch',
  meta: {
    title: 'Unbounded fetch',
    summary: 'A SELECT with no LIMIT and no selective predicate, or one that returned very many rows',
    loop: false,
    severity: 'confidence',
    repeatsInTitle: false,
    sarif: {
      name: 'UnboundedFetch',
      short: 'SELECT with no LIMIT and no selective predicate',
      full: 'A SELECT reads a whole table (or many rows). Paginate, aggregate in SQL, or add a predicate.',
    },
    options: ['unboundedRows', 'unboundedMs'],
    runOrder: 100,
  },
  detect(unit, a, o) {
    const out: Draft<UnboundedFetchDetails>[] = [];
    for (const [t, stmts] of byTemplate(unit.statements, (s) => a.isClaimed(s))) {
      const s = shapeFor(t);
      if (s.kind !== 'select' || s.tables.length === 0) continue;
      const maxRows = stmts.reduce((m, x) => (x.rows !== null && x.rows > m ? x.rows : m), -1);
      const basis: string[] = [];
      let confidence: Confidence;
      if (maxRows > o.unboundedRows) {
        basis.push(`returned ${maxRows} rows (over ${o.unboundedRows})`);
        confidence = 'high';
      } else {
        // bounded by LIMIT, a key, an aggregate, or known to be small: not a fetch of everything
        if (s.limit !== null || s.keyPredicates.length > 0 || s.aggregates.length > 0 || s.groupBy || s.hasWhere || maxRows >= 0) continue;
        // the parent of related loading (eager or lazy) reads a list to look its children up by key:
        // that is the loop's business (or the fix), not a fetch of a whole table for its own sake
        if (stmts.some((x) => feedsKeyLookup(unit.statements, x))) continue;
        // a JOIN over whole tables with nothing to say it is large is how eager loading reads (the fix for N+1)
        if (s.joins > 0) continue;
        const timed = stmts.filter((x) => x.durationMs !== null);
        const mean = timed.length ? timed.reduce((sum, x) => sum + x.durationMs!, 0) / timed.length : null;
        basis.push('no WHERE and no LIMIT: returns every row of ' + s.tables.join(', '));
        if (mean !== null && mean >= o.unboundedMs) {
          basis.push(`took ${fmtMs(mean)} on average`);
          confidence = 'medium';
        } else {
          confidence = 'low';
        }
      }
      out.push({
        templates: [t],
        tables: s.tables,
        callSite: commonCallSite(stmts),
        statements: stmts,
        repeats: stmts.length,
        parent: null,
        confidence,
        basis,
        details: { rows: maxRows >= 0 ? maxRows : null },
      });
    }
    return out;
  },
});

/**
 * The statements after this one look its rows up by key: a batch (`IN (…)` / `= ANY($1)`, eager loading)
 * or a loop of `= $1` lookups (lazy loading). Then this one listed the keys of related loading.
 */
function feedsKeyLookup(all: Stmt[], s: Stmt): boolean {
  const next = all[s.index + 1];
  if (next === undefined || next.t === s.t) return false;
  const keys = shapeFor(next.t).keyPredicates;
  if (keys.some((k) => k.op === 'any')) return true;
  const after = all[s.index + 2];
  return keys.length > 0 && after !== undefined && after.t === next.t;
}
