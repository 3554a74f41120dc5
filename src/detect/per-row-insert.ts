/** per-row-insert: single-row INSERTs into one table, one per loop iteration. */
import { shapeFor } from './analysis.js';
import { defineDetector, type Draft } from './types.js';

export default defineDetector({
  id: 'per-row-insert',
  summary: 'Rows inserted one statement at a time',
  detect(unit, a, o) {
    const out: Draft[] = [];
    for (const c of a.loopCandidates()) {
      const s = shapeFor(c.t);
      if (s.kind !== 'insert' || !a.trusted(c)) continue;
      // multi-row VALUES share the template of single-row ones; batched writes are already set-based
      const singles = c.statements.filter((st) => st.valuesRows <= 1);
      if (singles.length < o.minRepeats) continue;
      const loop = singles.length === c.statements.length ? c : { ...c, statements: singles, distinctKeys: new Set(singles.map((st) => st.key)).size };
      if (loop.distinctKeys < 2) continue;
      out.push(a.loopDraft('per-row-insert', loop, { columns: s.insertColumns, fromSelect: s.insertFromSelect }));
    }
    return out;
  },
});
