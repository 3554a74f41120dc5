/** per-row-update: one UPDATE per row, keyed by id, instead of one UPDATE … FROM (VALUES …). */
import { shapeFor, keysInSets } from './analysis.js';
import { defineKind } from './kind.js';
import type { LoopDetails } from './draft.js';

export interface PerRowUpdateDetails extends LoopDetails {
  keyColumns: string[];
  /** The columns the statement sets. */
  columns: string[] | null;
}

export default defineKind<PerRowUpdateDetails>()({
  id: 'per-row-update',
  meta: {
    title: 'Rows updated one at a time',
    summary: 'Rows updated one statement at a time',
    loop: true,
    severity: 'loop',
    repeatsInTitle: true,
    sarif: {
      name: 'PerRowUpdate',
      short: 'Rows updated one at a time',
      full: 'UPDATE … WHERE id = $1 in a loop. Use UPDATE … FROM (VALUES …) or WHERE id = ANY($1).',
    },
    options: ['minRepeats', 'minParentRepeats', 'burstGapMs'],
    runOrder: 60,
  },
  detect(unit, a) {
    return a
      .loopCandidates()
      .filter((c) => shapeFor(c.t).kind === 'update' && !keysInSets(c) && a.trusted(c))
      .map((c) => {
        const s = shapeFor(c.t);
        return a.loopDraft(c, { keyColumns: s.keyPredicates.map((k) => k.column.column), columns: s.updateColumns });
      });
  },
});
