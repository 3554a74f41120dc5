/** per-row-insert: single-row INSERTs into one table, one per loop iteration. */
import { shapeFor } from './analysis.js';
import { defineDetector } from './types.js';

export default defineDetector({
  id: 'per-row-insert',
  summary: 'Rows inserted one statement at a time',
  detect(unit, a) {
    return a
      .loopCandidates()
      .filter((c) => {
        const s = shapeFor(c.t);
        // batched writes (several VALUES rows per statement) are already set-based
        return s.kind === 'insert' && c.statements.every((st) => st.valuesRows <= 1) && a.trusted(c);
      })
      .map((c) => a.loopDraft('per-row-insert', c, { columns: shapeFor(c.t).insertColumns, fromSelect: shapeFor(c.t).insertFromSelect }));
  },
});
