/** repeated-sequence (MN+1): a block of 2–8 statements run once per row, each member a loop of its own. */
import { blockMembers, readsOnly } from './analysis.js';
import { blockDraft, blockStatements, blockTrusted } from './sequence-draft.js';
import { defineKind } from './kind.js';
import type { BlockDetails, Draft } from './draft.js';

export type RepeatedSequenceDetails = BlockDetails;

export default defineKind<RepeatedSequenceDetails>()({
  id: 'repeated-sequence',
  meta: {
    title: 'Repeated block of statements (MN+1)',
    summary: 'A block of statements repeated once per row (MN+1)',
    loop: true,
    severity: 'loop',
    repeatsInTitle: true,
    sarif: {
      name: 'RepeatedSequence',
      short: 'A block of statements repeated per item (MN+1)',
      full: 'The same block of 2–8 statements runs again and again with different keys. Batch each member of the block.',
    },
    options: ['minSequenceRepeats', 'minRepeats', 'burstGapMs'],
    runOrder: 20,
  },
  detect(unit, a) {
    const out: Draft<RepeatedSequenceDetails>[] = [];
    for (const b of a.repeatedBlocks()) {
      const { st, varying } = blockStatements(b);
      if (!varying || st.some((s) => a.isClaimed(s)) || !blockTrusted(a, b)) continue;
      // a row's lookups of several relations are one N+1 per relation, each with its own count, keys and rewrite
      if (readsOnly(blockMembers(b))) continue;
      // a block that holds only transaction-less writes of one row each is still a sequence: report it as one
      out.push(blockDraft(a, b, {}));
    }
    return out;
  },
});
