/** n-plus-one: one SELECT shape run once per row of an earlier query, with different keys each time. */
import { shapeFor } from './analysis.js';
import { defineDetector } from './types.js';

export default defineDetector({
  id: 'n-plus-one',
  summary: 'The same SELECT repeated once per parent row with different keys',
  detect(unit, a) {
    return a
      .loopCandidates()
      .filter((c) => isLoopSelect(shapeFor(c.t).kind, c.t.verb) && a.trusted(c))
      .map((c) => {
        const shape = shapeFor(c.t);
        return a.loopDraft('n-plus-one', c, { keyColumns: shape.keyPredicates.map((k) => k.column.column) });
      });
  },
});

function isLoopSelect(kind: string, verb: string): boolean {
  return kind === 'select' || (kind === 'other' && (verb === 'select' || verb === 'with'));
}
