/** latest-per-parent: `… WHERE fk = $1 ORDER BY x DESC LIMIT 1` once per parent instead of DISTINCT ON. */
import { shapeFor } from './analysis.js';
import { defineKind } from './kind.js';
import type { LoopDetails } from './draft.js';
import type { Shape } from '../sql/index.js';

export interface LatestPerParentDetails extends LoopDetails {
  keyColumns: string[];
  /** The ORDER BY the loop used, as written. */
  orderBy: Shape['orderBy'];
}

export default defineKind<LatestPerParentDetails>()({
  id: 'latest-per-parent',
  meta: {
    title: 'First row by an ORDER BY fetched per parent',
    summary: 'The first (or top-N) child row by some order (newest, lowest id …) fetched once per parent',
    loop: true,
    severity: 'loop',
    repeatsInTitle: true,
    sarif: {
      name: 'LatestPerParent',
      short: 'First row by an ORDER BY fetched per parent in a loop',
      full: 'ORDER BY … LIMIT 1 runs once per parent. DISTINCT ON, a window function or a LATERAL join returns all of them at once.',
    },
    options: ['minRepeats', 'minParentRepeats', 'burstGapMs'],
    runOrder: 40,
  },
  detect(unit, a) {
    return a
      .loopCandidates()
      .filter((c) => {
        const s = shapeFor(c.t);
        return (
          s.kind === 'select' && s.limit !== null && s.orderBy.length > 0 && s.keyPredicates.length > 0 && s.aggregates.length === 0 && a.trusted(c)
        );
      })
      .map((c) => {
        const s = shapeFor(c.t);
        return a.loopDraft(c, {
          keyColumns: s.keyPredicates.map((k) => k.column.column),
          orderBy: s.orderBy,
        });
      });
  },
});
