/** per-row-update: one UPDATE per row, keyed by id, instead of one UPDATE … FROM (VALUES …). */
import { shapeFor } from './analysis.js';
import { defineDetector } from './types.js';

export default defineDetector({
  id: 'per-row-update',
  summary: 'Rows updated one statement at a time',
  detect(unit, a) {
    return a
      .loopCandidates()
      .filter((c) => shapeFor(c.t).kind === 'update' && a.trusted(c))
      .map((c) => {
        const s = shapeFor(c.t);
        return a.loopDraft('per-row-update', c, { keyColumns: s.keyPredicates.map((k) => k.column.column), columns: s.updateColumns });
      });
  },
});
