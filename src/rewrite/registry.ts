/** Every kind's rewrite, one per finding kind: a kind added to detect/registry.ts without one here does not compile. */
import type { FindingKind, KindDraft } from '../detect/registry.js';
import aggregateLoop from './kinds/aggregate-loop.js';
import duplicateQuery from './kinds/duplicate-query.js';
import latestPerParent from './kinds/latest-per-parent.js';
import nPlusOne from './kinds/n-plus-one.js';
import perRowDelete from './kinds/per-row-delete.js';
import perRowInsert from './kinds/per-row-insert.js';
import perRowUpdate from './kinds/per-row-update.js';
import repeatedSequence from './kinds/repeated-sequence.js';
import selectThenInsert from './kinds/select-then-insert.js';
import unboundedFetch from './kinds/unbounded-fetch.js';
import type { BuildInput, RewriteKind } from './types.js';

export const REWRITES: { [K in FindingKind]: RewriteKind<K> } = {
  'n-plus-one': nPlusOne,
  'repeated-sequence': repeatedSequence,
  'aggregate-loop': aggregateLoop,
  'latest-per-parent': latestPerParent,
  'per-row-insert': perRowInsert,
  'per-row-update': perRowUpdate,
  'per-row-delete': perRowDelete,
  'select-then-insert': selectThenInsert,
  'duplicate-query': duplicateQuery,
  'unbounded-fetch': unboundedFetch,
};

/** What a kind's builder and advice read of a draft: the statements, and the key columns its evidence names. */
export function buildInput<K extends FindingKind>(draft: KindDraft<K>): BuildInput {
  const rewrite: RewriteKind<K> = REWRITES[draft.kind];
  return {
    templates: draft.templates,
    tables: draft.tables,
    statements: draft.statements,
    parent: draft.parent,
    keyColumns: rewrite.keyColumns?.(draft.details) ?? [],
  };
}
