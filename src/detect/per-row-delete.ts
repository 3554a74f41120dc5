/** per-row-delete: one DELETE per row instead of `WHERE id = ANY($1)`. */
import { shapeFor } from './analysis.js';
import { defineDetector } from './types.js';

export default defineDetector({
  id: 'per-row-delete',
  summary: 'Rows deleted one statement at a time',
  detect(unit, a) {
    return a
      .loopCandidates()
      .filter((c) => shapeFor(c.t).kind === 'delete' && a.trusted(c))
      .map((c) => a.loopDraft('per-row-delete', c, { keyColumns: shapeFor(c.t).keyPredicates.map((k) => k.column.column) }));
  },
});
