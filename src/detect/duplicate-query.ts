/** duplicate-query: the same statement with the same values run again and again in one unit of work. */
import { commonCallSite, shapeFor } from './analysis.js';
import type { Stmt } from '../sessions/types.js';
import { defineDetector, type Draft } from './types.js';

/** Statements that legitimately repeat unchanged: session settings, health checks, transaction control. */
const IGNORED_VERBS = new Set(['set', 'show', 'reset', 'savepoint', 'release', 'begin', 'commit', 'rollback', 'discard', 'listen', 'notify', 'deallocate']);

export default defineDetector({
  id: 'duplicate-query',
  summary: 'The same statement with the same values repeated in one unit of work',
  detect(unit, a, o) {
    const out: Draft[] = [];
    // with whole-second times nothing separates the requests of a pooled connection: only a strictly
    // periodic repeat (once per loop iteration) is evidence, and it must reach --min-repeats
    const coarse = a.timedAutocommit && a.coarse;
    for (const burst of coarse ? [a.wholeUnit()] : a.bursts) {
      const groups = new Map<string, Stmt[]>();
      for (const s of burst.statements) {
        if (a.isClaimed(s) || IGNORED_VERBS.has(s.t.verb) || s.t.template === 'select $1') continue;
        const k = `${s.t.id}\u0002${s.key}`;
        const g = groups.get(k);
        if (g) g.push(s);
        else groups.set(k, [s]);
      }
      for (const stmts of groups.values()) {
        if (stmts.length < o.minDuplicates) continue;
        if (coarse && (stmts.length < o.minRepeats || !periodic(stmts))) continue;
        const kind = shapeFor(stmts[0]!.t).kind;
        if (kind !== 'select' && kind !== 'other') continue;
        a.claim(stmts);
        const ev = a.evidence(stmts, burst, null);
        out.push({
          kind: 'duplicate-query',
          templates: [stmts[0]!.t],
          tables: shapeFor(stmts[0]!.t).tables,
          callSite: commonCallSite(stmts),
          statements: stmts,
          repeats: stmts.length,
          parent: null,
          confidence: ev.confidence,
          basis: [`${stmts.length} identical statements with identical values`, ...ev.basis],
          details: { values: stmts[0]!.values.slice(0, 10) },
        });
      }
    }
    return out;
  },
});

/** Statements that recur every k positions (k ≤ 8), as one statement of a loop body does. */
function periodic(stmts: Stmt[]): boolean {
  const k = stmts[1]!.index - stmts[0]!.index;
  if (k < 1 || k > 8) return false;
  for (let i = 2; i < stmts.length; i++) if (stmts[i]!.index - stmts[i - 1]!.index !== k) return false;
  return true;
}
