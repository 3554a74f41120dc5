/** repeated-sequence (MN+1): a block of 2–8 statements run once per row, each member a loop of its own. */
import { blockDraft, blockStatements, blockTrusted } from './sequence-draft.js';
import { defineDetector } from './types.js';

export default defineDetector({
  id: 'repeated-sequence',
  summary: 'A block of statements repeated once per row (MN+1)',
  detect(unit, a) {
    const out = [];
    for (const b of a.repeatedBlocks()) {
      const { st, varying } = blockStatements(b);
      if (!varying || st.some((s) => a.isClaimed(s)) || !blockTrusted(a, b)) continue;
      // a block that holds only transaction-less writes of one row each is still a sequence: report it as one
      out.push(blockDraft(a, 'repeated-sequence', b, {}));
    }
    return out;
  },
});
