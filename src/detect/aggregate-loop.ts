/** aggregate-loop: count/sum/avg/min/max computed per parent in a loop instead of one GROUP BY. */
import { shapeFor } from './analysis.js';
import { defineDetector } from './types.js';

export default defineDetector({
  id: 'aggregate-loop',
  summary: 'An aggregate computed once per parent key instead of one GROUP BY',
  detect(unit, a) {
    return a
      .loopCandidates()
      .filter((c) => {
        const s = shapeFor(c.t);
        return s.kind === 'select' && s.aggregates.length > 0 && !s.groupBy && a.trusted(c);
      })
      .map((c) => {
        const s = shapeFor(c.t);
        return a.loopDraft('aggregate-loop', c, {
          aggregates: s.aggregates,
          keyColumns: s.keyPredicates.map((k) => k.column.column),
        });
      });
  },
});
