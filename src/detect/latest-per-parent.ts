/** latest-per-parent: `… WHERE fk = $1 ORDER BY x DESC LIMIT 1` once per parent instead of DISTINCT ON. */
import { shapeFor } from './analysis.js';
import { defineDetector } from './types.js';

export default defineDetector({
  id: 'latest-per-parent',
  summary: 'The newest (or top-N) child row fetched once per parent',
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
        return a.loopDraft('latest-per-parent', c, {
          keyColumns: s.keyPredicates.map((k) => k.column.column),
          orderBy: s.orderBy,
        });
      });
  },
});
