/** per-row-insert: single-row INSERTs into one table, one per loop iteration. */
import { shapeFor } from './analysis.js';
import { defineKind } from './kind.js';
import type { Draft, LoopDetails } from './draft.js';

export interface PerRowInsertDetails extends LoopDetails {
  /** The inserted columns, when the statement lists them. */
  columns: string[] | null;
  /** INSERT … SELECT rather than VALUES. */
  fromSelect: boolean;
}

export default defineKind<PerRowInsertDetails>()({
  id: 'per-row-insert',
  meta: {
    title: 'Rows inserted one at a time',
    summary: 'Rows inserted one statement at a time',
    loop: true,
    severity: 'loop',
    repeatsInTitle: true,
    sarif: {
      name: 'PerRowInsert',
      short: 'Rows inserted one at a time',
      full: 'Single-row INSERTs into one table in a loop. Use a multi-row VALUES list, INSERT … SELECT, or COPY.',
    },
    options: ['minRepeats', 'minParentRepeats', 'burstGapMs'],
    runOrder: 50,
  },
  detect(unit, a, o) {
    const out: Draft<PerRowInsertDetails>[] = [];
    for (const c of a.loopCandidates()) {
      const s = shapeFor(c.t);
      if (s.kind !== 'insert' || (!a.small(c) && !a.trusted(c))) continue;
      // multi-row VALUES share the template of single-row ones; batched writes are already set-based
      const singles = c.statements.filter((st) => st.valuesRows <= 1);
      if (singles.length < Math.min(o.minRepeats, o.minParentRepeats)) continue;
      const loop = singles.length === c.statements.length ? c : { ...c, statements: singles, distinctKeys: new Set(singles.map((st) => st.key)).size };
      if (loop.distinctKeys < 2 || (a.small(loop) && !a.smallLoopTrusted(loop))) continue;
      out.push(a.loopDraft(loop, { columns: s.insertColumns, fromSelect: s.insertFromSelect }));
    }
    return out;
  },
});
