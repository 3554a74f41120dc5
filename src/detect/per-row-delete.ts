/** per-row-delete: one DELETE per row instead of `WHERE id = ANY($1)`. */
import { shapeFor, keysInSets } from './analysis.js';
import { defineKind } from './kind.js';
import type { LoopDetails } from './draft.js';

export interface PerRowDeleteDetails extends LoopDetails {
  keyColumns: string[];
}

export default defineKind<PerRowDeleteDetails>()({
  id: 'per-row-delete',
  meta: {
    title: 'Rows deleted one at a time',
    summary: 'Rows deleted one statement at a time',
    loop: true,
    severity: 'loop',
    repeatsInTitle: true,
    sarif: {
      name: 'PerRowDelete',
      short: 'Rows deleted one at a time',
      full: 'DELETE … WHERE id = $1 in a loop. Use DELETE … WHERE id = ANY($1).',
    },
    options: ['minRepeats', 'minParentRepeats', 'burstGapMs'],
    runOrder: 70,
  },
  detect(unit, a) {
    return a
      .loopCandidates()
      .filter((c) => shapeFor(c.t).kind === 'delete' && !keysInSets(c) && a.trusted(c))
      .map((c) => a.loopDraft(c, { keyColumns: shapeFor(c.t).keyPredicates.map((k) => k.column.column) }));
  },
});
