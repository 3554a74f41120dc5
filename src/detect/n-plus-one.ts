/** n-plus-one: one SELECT shape run once per row of an earlier query, with different keys each time. */
import { keysInSets, shapeFor } from './analysis.js';
import { defineKind } from './kind.js';
import type { LoopDetails } from './draft.js';

export interface NPlusOneDetails extends LoopDetails {
  /** Columns the lookup compares with its key (`order_id` in `WHERE order_id = $1`). */
  keyColumns: string[];
}

export default defineKind<NPlusOneDetails>()({
  id: 'n-plus-one',
  meta: {
    title: 'N+1 query',
    summary: 'The same SELECT repeated once per parent row with different keys',
    loop: true,
    severity: 'loop',
    repeatsInTitle: true,
    sarif: {
      name: 'NPlusOneQuery',
      short: 'N+1 query: one query per row of a parent query',
      full: "A statement runs once per row returned by an earlier statement in the same unit of work. Load the rows in one query with = ANY($1) or a JOIN, or use the ORM's eager loading.",
    },
    options: ['minRepeats', 'minParentRepeats', 'burstGapMs'],
    runOrder: 80,
  },
  detect(unit, a) {
    return a
      .loopCandidates()
      // lookups that each take a set of keys, with no parent in sight, are requests that batch already (five
      // requests' `name IN (…)` in a thread-less ORM log), not one lookup per parent row
      .filter((c) => isLoopSelect(shapeFor(c.t).kind, c.t.verb) && !pages(c.t) && !(keysInSets(c) && !a.hasParent(c)) && a.trusted(c))
      .map((c) => {
        const shape = shapeFor(c.t);
        return a.loopDraft(c, { keyColumns: shape.keyPredicates.map((k) => k.column.column) });
      });
  },
});

/**
 * Pages of one ordered result (`WHERE id > $1 ORDER BY id LIMIT 1000`: Rails' find_each, keyset pagination):
 * a LIMIT above one, an ORDER BY, and no equality with a key. Reading a large table in batches is the fix for
 * loading it whole, not a loop over parent rows; a per-parent top-N (`WHERE post_id = $1 … LIMIT 10`) compares
 * a key and stays a loop (latest-per-parent).
 */
function pages(t: Parameters<typeof shapeFor>[0]): boolean {
  const shape = shapeFor(t);
  return shape.limit !== null && shape.limit !== 1 && shape.orderBy.length > 0 && !shape.keyPredicates.some((k) => k.op === 'eq');
}

function isLoopSelect(kind: string, verb: string): boolean {
  return kind === 'select' || (kind === 'other' && (verb === 'select' || verb === 'with'));
}
