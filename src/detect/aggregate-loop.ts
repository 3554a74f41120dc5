/** aggregate-loop: count/sum/avg/min/max computed per parent in a loop instead of one GROUP BY. */
import { shapeFor } from './analysis.js';
import { defineKind } from './kind.js';
import type { LoopDetails } from './draft.js';

export interface AggregateLoopDetails extends LoopDetails {
  /** The aggregate calls of the statement (`count`, `sum`…). */
  aggregates: string[];
  keyColumns: string[];
}

export default defineKind<AggregateLoopDetails>()({
  id: 'aggregate-loop',
  meta: {
    title: 'Aggregate computed in a loop',
    summary: 'An aggregate computed once per parent key instead of one GROUP BY',
    loop: true,
    severity: 'loop',
    repeatsInTitle: true,
    sarif: {
      name: 'AggregateLoop',
      short: 'Aggregate computed in a loop',
      full: 'count/sum/avg/min/max is queried once per key. One GROUP BY query (with FILTER where the condition varies) returns all of them.',
    },
    options: ['minRepeats', 'minParentRepeats', 'burstGapMs'],
    runOrder: 30,
  },
  detect(unit, a) {
    return a
      .loopCandidates()
      .filter((c) => {
        const s = shapeFor(c.t);
        return s.kind === 'select' && s.aggregates.length > 0 && !s.groupBy && a.trusted(c);
      })
      .map((c) => {
        const s = shapeFor(c.t);
        return a.loopDraft(c, {
          aggregates: s.aggregates,
          keyColumns: s.keyPredicates.map((k) => k.column.column),
        });
      });
  },
});
